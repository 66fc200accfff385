//! Catching a panic at each poll of a future, so the scope can run its exits.

use std::any::Any;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// What a caught panic carries; resumed unchanged with `resume_unwind`.
pub(crate) type PanicPayload = Box<dyn Any + Send + 'static>;

pin_project! {
    /// Polls `inner`, turning a panic during a poll into `Err(payload)`.
    ///
    /// `AssertUnwindSafe` is sound here in the sense `catch_unwind` means it:
    /// after a panic the inner future is never polled again, and the payload is
    /// resumed once every exit has run.
    #[must_use = "futures do nothing unless polled"]
    pub(crate) struct CatchUnwind<F> {
        #[pin]
        inner: F,
    }
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(inner: F) -> Self {
        Self { inner }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, PanicPayload>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.project().inner;
        match panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
