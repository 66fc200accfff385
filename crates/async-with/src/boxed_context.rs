//! Generator-style contexts that own their state: an [`AsyncContext`] of a
//! type you can name, for functions that return contexts, for stacks, and for
//! runtimes that run a cancelled exit.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::generator::{Slot, run_to_yield};
use crate::{AsyncContext, Error, Exit, IntoExit, MisuseError, Outcome, Yield};

type Generator = Pin<Box<dyn Future<Output = Result<Exit, Error>> + Send>>;
type Start<R> = Box<dyn FnOnce(Yield<'static, R>) -> Generator + Send>;

/// A generator-style context (Python's `@asynccontextmanager`) of a type you
/// can name: `BoxedContext<R>`.
///
/// Written like [`context`](crate::context), but as a closure returning an
/// `async move` block: `|scope| async move { ... }`. The closure and its
/// future are boxed behind `Send` trait objects, so:
///
/// - a function can return one, as Python's decorated functions do, and the
///   scope stays `Send` (an `impl Trait` return type would hide whether its
///   futures are `Send`);
/// - it is an [`AsyncContext`]: it goes on an
///   [`ExitStack`](crate::ExitStack), and a runtime adapter can run its exit
///   after its scope was cancelled.
///
/// It costs up to three heap allocations per use (the closure, its future,
/// and the slot the resource crosses through); [`context`](crate::context)
/// costs none where an unnamed type will do.
///
/// # Examples
///
/// ```
/// use async_with::{BoxedContext, ExitStack, boxed_context};
///
/// // Python: @asynccontextmanager async def make_connection(name): ...
/// fn make_connection(name: &'static str) -> BoxedContext<String> {
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
/// let a = stack.enter(make_connection("A")).await?;
/// let b = stack.enter(make_connection("B")).await?;
/// assert_eq!((a.as_str(), b.as_str()), ("connection A", "connection B"));
/// stack.close().await?; // EXIT connection B, then EXIT connection A
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "asynccontextmanager")]
pub fn boxed_context<R, X, F, G>(closure: F) -> BoxedContext<R>
where
    R: 'static,
    F: FnOnce(Yield<'static, R>) -> G + Send + 'static,
    G: Future<Output = Result<X, Error>> + Send + 'static,
    X: IntoExit,
{
    let start: Start<R> = Box::new(move |scope| {
        let generator = closure(scope);
        Box::pin(async move { generator.await.map(IntoExit::into_exit) })
    });
    BoxedContext {
        state: State::Ready(start),
    }
}

/// The context [`boxed_context`] returns.
///
/// # Examples
///
/// See [`boxed_context`].
#[must_use = "a context does nothing until it is entered"]
pub struct BoxedContext<R: 'static> {
    state: State<R>,
}

enum State<R: 'static> {
    Ready(Start<R>),
    Entered {
        slot: Arc<Slot<R>>,
        generator: Generator,
    },
    Done,
}

impl<R: 'static> fmt::Debug for BoxedContext<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready(_) => "ready",
            State::Entered { .. } => "entered",
            State::Done => "done",
        };
        f.debug_struct("BoxedContext")
            .field("state", &state)
            .finish()
    }
}

impl<R: Send + 'static> AsyncContext for BoxedContext<R> {
    type Resource = R;

    async fn enter(&mut self) -> Result<R, Error> {
        let start = match std::mem::replace(&mut self.state, State::Done) {
            State::Ready(start) => start,
            // Entered already: leave that entry as it is, so its exit still
            // runs its cleanup.
            entered => {
                self.state = entered;
                return Err(MisuseError::EnteredTwice {
                    context: "generator-style context",
                }
                .into());
            }
        };
        let slot = Arc::new(Slot::new());
        let mut generator = start(Yield::shared(Arc::clone(&slot)));
        // Run the closure up to its yield.
        let resource = run_to_yield(generator.as_mut(), &slot).await?;
        self.state = State::Entered { slot, generator };
        Ok(resource)
    }

    async fn exit(self, resource: R, outcome: Outcome) -> Result<Exit, Error> {
        let State::Entered { slot, generator } = self.state else {
            return Err(MisuseError::ExitedWithoutEnter {
                context: "generator-style context",
            }
            .into());
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
        returned
    }
}
