//! The little the core needs from a runtime: spawn a task, sleep, and say
//! which task is running.

use std::future::Future;
use std::time::Duration;

use crate::diagnostics::{self, Diagnostic};
use crate::handover::{self, Job};
use crate::panic::CatchUnwind;
use crate::{AsyncContext, CancelPolicy, Error, Exit, Outcome};

/// A runtime the constructs can hand cleanup to. Runtime adapter crates
/// implement it for a small marker type (`async_with_tokio::Tokio`, ...).
///
/// A bound runtime is also a [`CancelPolicy`] for every [`AsyncContext`]
/// that is `'static` with a `'static` resource: when a scope is dropped
/// mid-way, its exit runs as a task on the runtime, told
/// [`Outcome::Cancelled`], in one chain with the exits dropped with it
/// (see [`handover`](crate::handover)).
///
/// # Examples
///
/// A runtime that runs each task on a thread of its own (real adapters
/// spawn a task on their executor):
///
/// ```
/// use std::time::Duration;
/// use async_with::Runtime;
///
/// #[derive(Clone, Debug)]
/// struct Threads;
///
/// impl Runtime for Threads {
///     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
///         std::thread::spawn(move || futures_lite::future::block_on(task));
///     }
///
///     fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
///         async move { std::thread::sleep(duration) } // a real runtime's timer goes here
///     }
/// }
/// ```
pub trait Runtime: Clone + Send + Sync + 'static {
    /// Runs `task` to completion as a detached task: a task group's child,
    /// or the exits of dropped scopes. A runtime that cannot take it (none
    /// is running, or it is shutting down) drops it: a task group then
    /// reports the child as dropped ([`TaskDropped`](crate::TaskDropped)),
    /// and exits report themselves as skipped.
    ///
    /// Called from `Drop` for exits: it must not block, and should not
    /// panic (a panic is caught and the task dropped).
    fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static;

    /// Completes after `duration`, for timeouts. The future does not borrow
    /// the runtime.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static + use<Self>;
}

impl<C, R> CancelPolicy<C> for R
where
    R: Runtime,
    C: AsyncContext + 'static,
    C::Resource: 'static,
{
    const HANDS_OVER: bool = true;

    fn cancelled(&self, context: C, resource: C::Resource) {
        if C::CLEANUP_IS_DROP {
            // Released here and now: nothing for the runtime to run.
            drop(resource);
            drop(context);
            return;
        }
        let exit = HandedOver {
            parts: Some((context, resource)),
            started: false,
        };
        // A `with` scope hands over inside its own drop: always into the
        // episode that drop began.
        handover::hand_over_scope(self, Job::new(1, exit.run()));
    }
}

/// One scope's exit, handed over: reports itself as skipped or interrupted
/// if it is dropped before it finished.
struct HandedOver<C: AsyncContext> {
    parts: Option<(C, C::Resource)>,
    started: bool,
}

impl<C: AsyncContext> HandedOver<C> {
    async fn run(mut self) {
        let Some((context, resource)) = self.parts.take() else {
            return;
        };
        self.started = true;
        let exited = CatchUnwind::new(context.exit(resource, Outcome::Cancelled)).await;
        self.started = false;
        report_detached_exit(exited);
    }
}

impl<C: AsyncContext> Drop for HandedOver<C> {
    fn drop(&mut self) {
        if let Some(parts) = self.parts.take() {
            drop(parts);
            diagnostics::report_skipped_exits(1);
        } else if self.started {
            // The exit's future, and the resource in it, dropped first.
            diagnostics::report_interrupted_exits(1);
        }
    }
}

/// Reports what an exit that ran after cancellation could not return.
pub(crate) fn report_detached_exit(
    exited: Result<Result<Exit, Error>, crate::panic::PanicPayload>,
) {
    match exited {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => {
            // A rewrite has no pending error to rewrite after a cancellation.
            if let Err(error) = error.into_rewrite() {
                diagnostics::report(&Diagnostic::ErrorsAfterCancel { errors: &error });
            }
        }
        Err(_) => diagnostics::report(&Diagnostic::PanicAfterCancel),
    }
}
