//! Cleanup jobs spawned from one thread run one after another, in the order
//! they were spawned: nested scopes dropped together exit innermost first.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::CleanupJob;

thread_local! {
    /// The batch this thread's cleanup jobs join while it is still running.
    static OPEN: RefCell<Option<Arc<Queue>>> = const { RefCell::new(None) };
}

struct Queue {
    state: Mutex<QueueState>,
}

struct QueueState {
    jobs: VecDeque<CleanupJob>,
    /// Whether a runner still takes jobs from this queue.
    open: bool,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs `job` after every cleanup job spawned before it from this thread
/// that has not finished yet, for [`Runtime::spawn_cleanup`](crate::Runtime::spawn_cleanup)
/// implementations.
///
/// A dropped future drops its nested scopes innermost first, each handing
/// its exit to the runtime as its own job; run concurrently, the outer exit
/// could start before the inner one ended. Here the jobs join a batch that
/// one runner takes in order: when no batch is running, `start` is called
/// with a new one, to run its [`run`](CleanupBatch::run) future on the
/// runtime (detached). If `start` hands the batch back (the runtime is
/// shutting down), its jobs are dropped and reported as skipped exits.
///
/// Unrelated jobs spawned from the same thread while a batch runs wait for
/// it too: a hung exit delays the cleanup behind it. Bound slow exits with
/// [`exit_timeout`](crate::exit_timeout).
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use async_with::{CleanupJob, ordered_cleanup};
///
/// let order = Arc::new(Mutex::new(Vec::new()));
/// let mut batches = Vec::new();
/// for name in ["inner", "outer"] {
///     let order = Arc::clone(&order);
///     let job = CleanupJob::new(1, move || async move { order.lock().unwrap().push(name) });
///     ordered_cleanup(job, |batch| {
///         batches.push(batch);
///         Ok(())
///     });
/// }
/// assert_eq!(batches.len(), 1); // "outer" joined the running batch
/// for batch in batches {
///     std::thread::spawn(move || futures_lite::future::block_on(batch.run())).join().unwrap();
/// }
/// assert_eq!(*order.lock().unwrap(), ["inner", "outer"]);
/// ```
pub fn ordered_cleanup<S>(job: CleanupJob, start: S)
where
    S: FnOnce(CleanupBatch) -> Result<(), CleanupBatch>,
{
    let mut job = Some(job);
    let _ = OPEN.try_with(|open| {
        if let Some(queue) = &*open.borrow() {
            let mut state = queue.lock();
            if state.open {
                state.jobs.extend(job.take());
            }
        }
    });
    let Some(job) = job else {
        return;
    };
    let queue = Arc::new(Queue {
        state: Mutex::new(QueueState {
            jobs: VecDeque::from([job]),
            open: true,
        }),
    });
    let _ = OPEN.try_with(|open| *open.borrow_mut() = Some(Arc::clone(&queue)));
    // A batch handed back drops here: it closes and reports its jobs.
    let _ = start(CleanupBatch { queue });
}

/// Cleanup jobs that run one after another, made by [`ordered_cleanup`].
///
/// Dropped before it ran them all, it drops the rest, which report their
/// exits as skipped.
///
/// # Examples
///
/// See [`ordered_cleanup`].
pub struct CleanupBatch {
    queue: Arc<Queue>,
}

impl CleanupBatch {
    /// Runs the batch's jobs in order, including those that join while it
    /// runs. Call it on the thread that will poll it (the jobs' futures need
    /// not be `Send`).
    ///
    /// # Examples
    ///
    /// See [`ordered_cleanup`].
    pub async fn run(self) {
        loop {
            let job = {
                let mut state = self.queue.lock();
                match state.jobs.pop_front() {
                    Some(job) => job,
                    None => {
                        state.open = false;
                        break;
                    }
                }
            };
            job.run().await;
        }
    }
}

impl Drop for CleanupBatch {
    fn drop(&mut self) {
        let rest = {
            let mut state = self.queue.lock();
            state.open = false;
            std::mem::take(&mut state.jobs)
        };
        drop(rest);
    }
}

impl fmt::Debug for CleanupBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CleanupBatch")
            .field("waiting", &self.queue.lock().jobs.len())
            .finish()
    }
}
