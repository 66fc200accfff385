//! How many handed-over exits are left, and the wait for none to be.

use std::sync::atomic::{AtomicUsize, Ordering};

use event_listener::Event;

/// Exits handed over and not ended yet (finished, or reported as not run).
static PENDING: AtomicUsize = AtomicUsize::new(0);

/// Signalled each time [`PENDING`] drops to zero.
static SETTLED: Event = Event::new();

/// How many handed-over exits have not finished yet (nor been reported as
/// skipped or interrupted), over every runtime in the process.
///
/// # Examples
///
/// ```
/// assert_eq!(async_with::handover::pending(), 0);
/// ```
pub fn pending() -> usize {
    PENDING.load(Ordering::Acquire)
}

/// Waits until no handed-over exit is left: each has finished, or was
/// reported as skipped or interrupted. The join point of a graceful
/// shutdown: stop the tasks (abort them, or let them end), then await this.
///
/// It waits for exits handed over while it waits too, as tokio-util's
/// `TaskTracker::wait` waits for tasks tracked while it waits: call it once
/// nothing hands exits over any more. The exits run on their runtime:
/// await this on a runtime that is still running (on a current-thread
/// runtime, inside its `block_on`).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use async_with::{Runtime, defer, with_runtime};
/// # #[derive(Clone, Debug)]
/// # struct Threads;
/// # impl Runtime for Threads {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, d: std::time::Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
/// #         async move { std::thread::sleep(d) }
/// #     }
/// # }
///
/// # futures_lite::future::block_on(async {
/// let closed = Arc::new(AtomicBool::new(false));
/// let flag = Arc::clone(&closed);
/// let close = defer(async move || {
///     std::thread::sleep(std::time::Duration::from_millis(10));
///     flag.store(true, Ordering::SeqCst);
///     Ok(())
/// });
/// let scope = with_runtime(Threads, close, async |()| std::future::pending::<Result<(), _>>().await);
/// let _ = futures_lite::future::poll_once(Box::pin(scope)).await; // entered, then dropped
/// async_with::handover::join().await;
/// assert!(closed.load(Ordering::SeqCst));
/// # });
/// ```
#[doc(alias = "shutdown_asyncgens")]
pub async fn join() {
    loop {
        if PENDING.load(Ordering::Acquire) == 0 {
            return;
        }
        let listener = SETTLED.listen();
        if PENDING.load(Ordering::Acquire) == 0 {
            return;
        }
        listener.await;
    }
}

/// A job's exits, counted in [`PENDING`] until the job ends.
pub(super) struct Ticket(usize);

impl Ticket {
    pub(super) fn take(exits: usize) -> Self {
        PENDING.fetch_add(exits, Ordering::AcqRel);
        Self(exits)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if PENDING.fetch_sub(self.0, Ordering::AcqRel) == self.0 {
            SETTLED.notify(usize::MAX);
        }
    }
}
