//! A future that suspends a set number of times, on any executor.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Returns `Pending` `times` times, waking itself each time, then
/// completes: a suspension point that needs no timer and no runtime.
///
/// # Examples
///
/// ```
/// # futures_lite::future::block_on(async {
/// async_with_testkit::suspend(3).await;
/// # });
/// ```
pub fn suspend(times: usize) -> Suspend {
    Suspend { remaining: times }
}

/// The future [`suspend`] returns.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Suspend {
    remaining: usize,
}

impl Future for Suspend {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.remaining == 0 {
            return Poll::Ready(());
        }
        self.remaining -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
