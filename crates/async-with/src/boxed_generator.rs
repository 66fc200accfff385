//! Generator-style contexts that own their state: an [`AsyncContext`] made of
//! one closure, for stacks and for runtimes that run a cancelled exit.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use crate::generator::Slot;
use crate::{AsyncContext, Error, Exit, IntoExit, MisuseError, Outcome, SendAsyncContext, Yield};

/// A generator-style context (Python's `@asynccontextmanager`) that is an
/// [`AsyncContext`], so it can go on an [`ExitStack`](crate::ExitStack) and
/// its exit can run on a runtime after its scope was cancelled.
///
/// Written like [`context`](crate::context), but as a closure returning an
/// `async move` block: `|scope| async move { ... }`. Its closure's future is
/// a type the compiler can see, so the context is `Send`
/// ([`SendAsyncContext`]) whenever the future and the resource are.
///
/// It costs two heap allocations per use (the closure's future and the slot
/// the resource crosses through); [`context`](crate::context) costs none and
/// is the one to use with [`with`](crate::with).
///
/// # Examples
///
/// ```
/// use async_with::{ExitStack, boxed_context};
///
/// fn connection(name: &'static str) -> impl async_with::SendAsyncContext<Resource = String> {
///     boxed_context(move |scope| async move {
///         println!("ENTER {name}");
///         let (connection, _outcome) = scope.yield_(format!("connection {name}")).await;
///         println!("EXIT {connection}");
///         Ok(())
///     })
/// }
///
/// # futures_lite::future::block_on(async {
/// let mut stack = ExitStack::new();
/// let a = stack.enter(connection("A")).await?;
/// let b = stack.enter(connection("B")).await?;
/// assert_eq!((a.as_str(), b.as_str()), ("connection A", "connection B"));
/// stack.close().await?; // EXIT connection B, then EXIT connection A
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "asynccontextmanager")]
pub fn boxed_context<R, X, F, G>(closure: F) -> BoxedGenerator<F, G, R>
where
    R: 'static,
    F: FnOnce(Yield<'static, R>) -> G,
    G: Future<Output = Result<X, Error>>,
    X: IntoExit,
{
    BoxedGenerator {
        state: State::Ready(closure),
    }
}

/// The context [`boxed_context`] returns.
///
/// # Examples
///
/// See [`boxed_context`].
#[must_use = "a context does nothing until it is entered"]
pub struct BoxedGenerator<F, G, R> {
    state: State<F, G, R>,
}

enum State<F, G, R> {
    Ready(F),
    Entered {
        slot: Arc<Slot<R>>,
        generator: Pin<Box<G>>,
    },
    Done,
}

impl<F, G, R> fmt::Debug for BoxedGenerator<F, G, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready(_) => "ready",
            State::Entered { .. } => "entered",
            State::Done => "done",
        };
        f.debug_struct("BoxedGenerator").field("state", &state).finish()
    }
}

impl<F, G, R, X> AsyncContext for BoxedGenerator<F, G, R>
where
    R: 'static,
    F: FnOnce(Yield<'static, R>) -> G,
    G: Future<Output = Result<X, Error>>,
    X: IntoExit,
{
    type Resource = R;

    async fn enter(&mut self) -> Result<R, Error> {
        let State::Ready(closure) = std::mem::replace(&mut self.state, State::Done) else {
            return Err(Error::msg("generator-style context entered twice"));
        };
        let slot = Arc::new(Slot::new());
        let mut generator = Box::pin(closure(Yield::shared(Arc::clone(&slot))));
        // Run the closure up to its yield.
        let entered = poll_fn(|cx| match generator.as_mut().poll(cx) {
            Poll::Ready(returned) => Poll::Ready(Err(returned)),
            Poll::Pending => slot.take_yielded().map_or(Poll::Pending, |r| Poll::Ready(Ok(r))),
        })
        .await;
        match entered {
            Ok(resource) => {
                self.state = State::Entered { slot, generator };
                Ok(resource)
            }
            Err(Err(error)) => Err(error),
            Err(Ok(_)) => Err(match slot.take_yielded() {
                Some(_) => MisuseError::AbandonedYield,
                None => MisuseError::NoYield,
            }
            .into()),
        }
    }

    async fn exit(self, resource: R, outcome: Outcome) -> Result<Exit, Error> {
        let State::Entered { slot, generator } = self.state else {
            return Err(Error::msg("generator-style context exited without being entered"));
        };
        slot.resume(resource, outcome);
        let returned = generator.await;
        if slot.take_unclaimed() {
            let mut error = Error::from(MisuseError::AbandonedYield);
            if let Err(returned) = returned {
                error.push(returned);
            }
            return Err(error);
        }
        returned.map(IntoExit::into_exit)
    }
}

impl<F, G, R, X> SendAsyncContext for BoxedGenerator<F, G, R>
where
    F: FnOnce(Yield<'static, R>) -> G + Send,
    G: Future<Output = Result<X, Error>> + Send,
    R: Send + 'static,
    X: IntoExit,
{
    fn enter_send(&mut self) -> impl std::future::Future<Output = Result<R, Error>> + Send {
        self.enter()
    }

    fn exit_send(
        self,
        resource: R,
        outcome: Outcome,
    ) -> impl Future<Output = Result<Exit, Error>> + Send {
        self.exit(resource, outcome)
    }
}
