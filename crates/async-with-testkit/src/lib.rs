//! The conformance suite every async-with runtime adapter runs, and
//! fault-injection contexts for testing code built on async-with.
//!
//! The suite is written once, generic over a [`Harness`]: a small trait an
//! adapter implements in its `tests/conformance.rs` (how to block on a
//! future, how to shut a runtime down), then
//! [`conformance!`](crate::conformance) expands to one `#[test]` per check.
//! It covers ordering, errors, suppression, panics, cancellation at every
//! poll point with the spawned cleanup observed to complete, a runtime shut
//! down while a scope is suspended, per-exit timeouts, cancel scopes and
//! task groups.
//!
//! The fault-injection contexts are public and work with any executor:
//! a [`Probe`] records its enter and exit in a [`Journal`] and can be told
//! to [`suspend`] a set number of times, fail, panic or hang ([`Fault`]).
//!
//! # Examples
//!
//! Checking that exits run innermost first, and see the body's error:
//!
//! ```
//! use async_with::{Error, with};
//! use async_with_testkit::Journal;
//!
//! # futures_lite::future::block_on(async {
//! let journal = Journal::new();
//! let ended = with(journal.probe("A"), async |_a| {
//!     with(journal.probe("B").exit_suspends(2), async |_b| Err::<(), _>(Error::msg("boom"))).await
//! })
//! .await;
//! assert_eq!(ended.unwrap_err().to_string(), "boom");
//! assert_eq!(
//!     journal.events(),
//!     ["enter A", "enter B", "exit B: failed: boom", "exit B done", "exit A: failed: boom", "exit A done"]
//! );
//! # });
//! ```
//!
//! An adapter's `tests/conformance.rs` implements [`Harness`] and calls
//! [`conformance!`](crate::conformance): see there.
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

mod harness;
pub mod model;
mod not_run;
mod probe;
pub mod resources;
pub mod suite;
mod suspend;

pub use harness::Harness;
pub use not_run::NotRun;
pub use probe::{Fault, Held, Journal, Probe, ProbeError};
pub use suspend::{Suspend, suspend};

/// Expands to one `#[test]` per conformance check, run on harness `$h`.
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// # use async_with::Runtime;
/// # #[derive(Clone, Debug)]
/// # struct Threads;
/// # impl Runtime for Threads {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send + 'static + use<> { async move { std::thread::sleep(d) } }
/// # }
/// # struct ThreadsHarness;
/// # impl async_with_testkit::Harness for ThreadsHarness {
/// #     type Runtime = Threads;
/// #     fn runtime() -> Threads { Threads }
/// #     fn block_on<F: Future>(future: F) -> F::Output { futures_lite::future::block_on(future) }
/// #     fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
/// #     where F: Future<Output = ()> + Send + 'static {
/// #         let mut task = Box::pin(task);
/// #         futures_lite::future::block_on(futures_lite::future::or(async { (&mut task).await }, suspended));
/// #     }
/// # }
/// // in tests/conformance.rs, with `ThreadsHarness: Harness` (see `Harness`):
/// async_with_testkit::conformance!(ThreadsHarness);
/// ```
#[macro_export]
macro_rules! conformance {
    ($h:ty) => {
        $crate::conformance!(@tests $h;
            ordering_is_lifo,
            failed_enter_runs_no_exit,
            errors_are_all_kept_newest_last,
            exit_suppresses_error,
            body_panic_resumes_after_exits,
            exit_panic_resumes_after_other_exits,
            cancellation_at_every_poll_point,
            cancellation_without_runtime_drops_synchronously,
            every_bound_construct_hands_its_exits_to_the_runtime,
            shutdown_while_suspended,
            exit_timeout_cuts_hung_exit,
            exit_timeout_keeps_fast_exit,
            timeout_runs_exits_inline,
            timeout_passes_body_errors_through,
            timeout_does_not_interrupt_exits,
            timeout_is_level_triggered,
            nested_timeouts,
            move_on_after_gives_none,
            cancel_scope_from_another_task,
            generator_scope_stops_inline,
            timeout_stops_sibling_scopes,
            scope_inside_exit_is_not_stopped,
            spawned_exit_is_bounded_by_exit_timeout,
            task_group_spawn_after_cancel,
            task_group_results,
            task_group_failure_cancels_others,
            task_group_keeps_every_error,
            task_group_body_error_cancels_children,
            task_group_child_panic,
            task_group_dropped_cancels_children,
            task_group_inside_timeout,
        );
    };
    (@tests $h:ty; $($name:ident),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::suite::$name::<$h>();
            }
        )+
    };
}

/// Expands to one `#[test]` per check of exits handed to the runtime
/// ([`suite`]'s handover checks: unrelated tasks' exits that depend on each
/// other, a storm of 10,000 aborted tasks, the join point, a runtime shut
/// down under exits that await it), run on harness `$h`.
///
/// Give them a test binary of their own (`tests/handover.rs`): the storm
/// counts the process's OS threads, so the checks run one at a time and
/// should not share the process with other tests.
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// # use async_with::Runtime;
/// # #[derive(Clone, Debug)]
/// # struct Threads;
/// # impl Runtime for Threads {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send + 'static + use<> { async move { std::thread::sleep(d) } }
/// # }
/// # struct ThreadsHarness;
/// # impl async_with_testkit::Harness for ThreadsHarness {
/// #     type Runtime = Threads;
/// #     fn runtime() -> Threads { Threads }
/// #     fn block_on<F: Future>(future: F) -> F::Output { futures_lite::future::block_on(future) }
/// #     fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
/// #     where F: Future<Output = ()> + Send + 'static {
/// #         let mut task = Box::pin(task);
/// #         futures_lite::future::block_on(futures_lite::future::or(async { (&mut task).await }, suspended));
/// #     }
/// # }
/// // in tests/handover.rs, with `ThreadsHarness: Harness` (see `Harness`):
/// async_with_testkit::handover!(ThreadsHarness);
/// ```
#[macro_export]
macro_rules! handover {
    ($h:ty) => {
        $crate::conformance!(@tests $h;
            exits_of_unrelated_tasks_never_wait_for_each_other,
            a_storm_of_aborted_tasks_runs_every_exit_once_innermost_first,
            join_waits_for_the_exits_of_aborted_tasks,
            a_stack_beside_a_scope_in_one_task_exits_after_it,
            shutdown_under_exits_that_await_the_runtime_returns_and_loses_nothing,
        );
    };
}
