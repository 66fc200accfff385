//! Per-exit timeouts: an exit that overruns is dropped and becomes an error.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::{AsyncContext, Error, Exit, Outcome, Runtime};

/// Bounds `context`'s exit to `limit`: an exit still running after `limit`
/// is dropped (its resource with it, synchronously) and ends with an
/// [`ExitTimedOut`] error. Like any failed exit, the error joins the
/// aggregate, and the exits after it still run and see it as the pending
/// error. The enter and the block are not bounded.
///
/// The timer is the runtime's ([`Runtime::sleep`]); runtime adapter crates
/// offer it bound (`async_with_tokio::exit_timeout(limit, context)`). An
/// `ExitTimeout` is an [`AsyncContext`], `'static` whenever `context` is: it
/// goes on an [`ExitStack`](crate::ExitStack), and is still bounded when a
/// runtime runs it after a cancellation.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use async_with::{Error, ExitTimedOut, Runtime, defer, exit_timeout, with};
/// # #[derive(Clone)]
/// # struct Instant;
/// # impl Runtime for Instant {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, _: Duration) -> impl Future<Output = ()> + Send + 'static + use<> { async {} }
/// # }
///
/// # futures_lite::future::block_on(async {
/// // `Instant` is a `Runtime` whose timer fires at once; an exit that
/// // never finishes is cut off.
/// let hung = defer(async || std::future::pending().await);
/// let error = with(exit_timeout(Instant, Duration::from_millis(50), hung), async |()| Ok(()))
///     .await
///     .unwrap_err();
/// assert!(error.is::<ExitTimedOut>());
/// assert_eq!(error.to_string(), "exit timed out after 50ms");
/// # });
/// ```
pub fn exit_timeout<R, C>(runtime: R, limit: Duration, context: C) -> ExitTimeout<R, C>
where
    R: Runtime,
    C: AsyncContext,
{
    ExitTimeout {
        runtime,
        limit,
        context,
    }
}

/// A context whose exit is bounded in time, made by [`exit_timeout`].
///
/// # Examples
///
/// See [`exit_timeout`].
#[derive(Clone, Debug)]
#[must_use = "a context does nothing until it is used with `with`"]
pub struct ExitTimeout<R, C> {
    runtime: R,
    limit: Duration,
    context: C,
}

impl<R: Runtime, C: AsyncContext> AsyncContext for ExitTimeout<R, C> {
    type Resource = C::Resource;

    async fn enter(&mut self) -> Result<C::Resource, Error> {
        self.context.enter().await
    }

    async fn exit(self, resource: C::Resource, outcome: Outcome) -> Result<Exit, Error> {
        let raced = Race {
            exit: self.context.exit(resource, outcome),
            timer: self.runtime.sleep(self.limit),
        };
        match raced.await {
            Some(exited) => exited,
            None => Err(ExitTimedOut { limit: self.limit }.into()),
        }
    }
}

pin_project! {
    /// The exit, unless the timer fires first (`None`).
    #[must_use = "futures do nothing unless polled"]
    struct Race<X, S> {
        #[pin]
        exit: X,
        #[pin]
        timer: S,
    }
}

impl<X: Future, S: Future<Output = ()>> Future for Race<X, S> {
    type Output = Option<X::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // The exit first: one that finishes as the timer fires still counts.
        if let Poll::Ready(exited) = this.exit.poll(cx) {
            return Poll::Ready(Some(exited));
        }
        this.timer.poll(cx).map(|()| None)
    }
}

/// An exit bounded by [`exit_timeout`] ran past its limit and was dropped.
///
/// # Examples
///
/// See [`exit_timeout`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitTimedOut {
    limit: Duration,
}

impl ExitTimedOut {
    /// The limit the exit ran past.
    ///
    /// # Examples
    ///
    /// See [`exit_timeout`].
    pub fn limit(&self) -> Duration {
        self.limit
    }
}

impl fmt::Display for ExitTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit timed out after {:?}", self.limit)
    }
}

impl StdError for ExitTimedOut {}
