//! The little the core needs from a runtime: run a cleanup job off a dropped
//! scope, and sleep.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::diagnostics::{self, Diagnostic};
use crate::panic::CatchUnwind;
use crate::{AsyncContext, CancelPolicy, Error, Exit, Outcome};

/// A runtime the constructs can hand cleanup to. Runtime adapter crates
/// implement it for a small marker type (`async_with_tokio::Tokio`, ...).
///
/// A bound runtime is also a [`CancelPolicy`] for every [`AsyncContext`]
/// that is `'static` with a `'static` resource: when a scope is dropped
/// mid-way, its exits run on the runtime, in LIFO order, told
/// [`Outcome::Cancelled`].
///
/// # Examples
///
/// A runtime that runs cleanup on a fresh thread (real adapters use their
/// runtime's blocking pool):
///
/// ```
/// use std::time::Duration;
/// use async_with::{CleanupJob, Runtime};
///
/// #[derive(Clone, Debug)]
/// struct Threads;
///
/// impl Runtime for Threads {
///     fn spawn_cleanup(&self, job: CleanupJob) -> Result<(), CleanupJob> {
///         std::thread::spawn(move || futures_lite::future::block_on(job.run()));
///         Ok(())
///     }
///
///     fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
///         async move { std::thread::sleep(duration) } // a real runtime's timer goes here
///     }
/// }
/// ```
pub trait Runtime: Clone + Send + Sync + 'static {
    /// Runs `job` to completion, detached from the caller, or hands it back
    /// when the runtime cannot take it (it is shutting down).
    ///
    /// Called from `Drop`: it must neither block nor panic. The job's future
    /// is made by [`CleanupJob::run`] on the thread that polls it and need not
    /// be `Send`: poll it on a blocking thread with a local executor, or on a
    /// single-threaded executor.
    fn spawn_cleanup(&self, job: CleanupJob) -> Result<(), CleanupJob>;

    /// Completes after `duration`, for timeouts. The future does not borrow
    /// the runtime.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static + use<Self>;
}

/// Exits that could not be awaited where they were due, packed to run
/// elsewhere.
///
/// Only `Send` parts (contexts and resources) cross threads: the exits'
/// futures are created by [`run`](CleanupJob::run), on the thread that polls
/// them. A job dropped without running reports its exits as skipped through
/// [`diagnostics`](crate::diagnostics), after the resources' synchronous
/// `Drop` ran.
///
/// # Examples
///
/// ```
/// use async_with::CleanupJob;
/// let job = CleanupJob::new(1, || async { println!("closing the connection") });
/// assert_eq!(job.exits(), 1);
/// futures_lite::future::block_on(job.run());
/// ```
pub struct CleanupJob {
    make: Option<MakeCleanup>,
    exits: usize,
    /// The diagnostics hook in scope where the exits were handed over.
    hook: Option<diagnostics::Hook>,
}

type MakeCleanup = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

impl CleanupJob {
    /// A job of `exits` exits, whose future `make` creates.
    ///
    /// # Examples
    ///
    /// See [`CleanupJob`].
    pub fn new<M, F>(exits: usize, make: M) -> Self
    where
        M: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + 'static,
    {
        Self {
            make: Some(Box::new(move || Box::pin(make()))),
            exits,
            hook: diagnostics::current_hook(),
        }
    }

    /// How many exits the job runs.
    ///
    /// # Examples
    ///
    /// See [`CleanupJob`].
    pub fn exits(&self) -> usize {
        self.exits
    }

    /// The job's future. Call it on the thread that will poll it.
    ///
    /// # Examples
    ///
    /// See [`CleanupJob`].
    pub fn run(mut self) -> impl Future<Output = ()> {
        let make = self.make.take();
        let hook = self.hook.take();
        async move {
            if let Some(make) = make {
                diagnostics::run_with_hook(hook, make()).await;
            }
        }
    }
}

impl Drop for CleanupJob {
    fn drop(&mut self) {
        if self.make.take().is_some() {
            let exits = self.exits;
            diagnostics::with_hook(self.hook.take(), || {
                diagnostics::report_skipped_exits(exits);
            });
        }
    }
}

impl fmt::Debug for CleanupJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CleanupJob")
            .field("exits", &self.exits)
            .finish()
    }
}

impl<C, R> CancelPolicy<C> for R
where
    R: Runtime,
    C: AsyncContext + 'static,
    C::Resource: 'static,
{
    fn cancelled(&self, context: C, resource: C::Resource) {
        if C::CLEANUP_IS_DROP {
            // Released here and now: nothing for the runtime to run.
            drop(resource);
            drop(context);
            return;
        }
        let job = CleanupJob::new(1, move || async move {
            let exited = CatchUnwind::new(context.exit(resource, Outcome::Cancelled)).await;
            report_detached_exit(exited);
        });
        // A refused job drops here, reporting the skipped exit.
        let _ = self.spawn_cleanup(job);
    }
}

/// Reports what an exit that ran after cancellation could not return.
pub(crate) fn report_detached_exit(
    exited: Result<Result<Exit, Error>, crate::panic::PanicPayload>,
) {
    match exited {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => diagnostics::report(&Diagnostic::ErrorsAfterCancel { errors: &error }),
        Err(_) => diagnostics::report(&Diagnostic::PanicAfterCancel),
    }
}
