//! The conformance checks, each a function generic over a [`Harness`].
//!
//! [`conformance!`](crate::conformance) runs them all; an adapter can also
//! call one directly from its own test.

use std::any::Any;
use std::time::Duration;

use async_with::{Error, Runtime};

use crate::Harness;

mod cancellation;
mod handover;
mod ordering;
mod panics;
mod task_groups;
mod timeouts;

pub use cancellation::{
    cancellation_at_every_poll_point, cancellation_without_runtime_drops_synchronously,
    every_bound_construct_hands_its_exits_to_the_runtime, shutdown_while_suspended,
    spawned_exit_is_bounded_by_exit_timeout,
};
pub use handover::{
    a_stack_beside_a_scope_in_one_task_exits_after_it,
    a_storm_of_aborted_tasks_runs_every_exit_once_innermost_first,
    exits_of_unrelated_tasks_never_wait_for_each_other, join_waits_for_the_exits_of_aborted_tasks,
    shutdown_under_exits_that_await_the_runtime_returns_and_loses_nothing,
};
pub use ordering::{
    errors_are_all_kept_newest_last, exit_suppresses_error, failed_enter_runs_no_exit,
    ordering_is_lifo,
};
pub use panics::{body_panic_resumes_after_exits, exit_panic_resumes_after_other_exits};
pub use task_groups::{
    task_group_body_error_cancels_children, task_group_child_panic,
    task_group_dropped_cancels_children, task_group_failure_cancels_others,
    task_group_inside_timeout, task_group_keeps_every_error, task_group_results,
    task_group_spawn_after_cancel,
};
pub use timeouts::{
    cancel_scope_from_another_task, exit_timeout_cuts_hung_exit, exit_timeout_keeps_fast_exit,
    generator_scope_stops_inline, move_on_after_gives_none, nested_timeouts,
    scope_inside_exit_is_not_stopped, timeout_does_not_interrupt_exits, timeout_is_level_triggered,
    timeout_passes_body_errors_through, timeout_runs_exits_inline, timeout_stops_sibling_scopes,
};

/// How long the suite waits for something another task does before it
/// fails: generous, as CI machines are slow; never a measure of speed.
const PATIENCE: Duration = Duration::from_secs(20);

/// A deadline the suite's timeouts use: short, so tests stay quick.
const SHORT: Duration = Duration::from_millis(20);

/// Waits on the runtime's timer until `done` holds; false after
/// [`PATIENCE`].
pub(crate) async fn eventually<H: Harness>(mut done: impl FnMut() -> bool) -> bool {
    let step = Duration::from_millis(1);
    let mut waited = Duration::ZERO;
    while !done() {
        if waited >= PATIENCE {
            return false;
        }
        H::runtime().sleep(step).await;
        waited += step;
    }
    true
}

/// Waits with the thread blocked until `done` holds (no runtime left).
fn eventually_blocking(mut done: impl FnMut() -> bool) -> bool {
    let step = Duration::from_millis(1);
    let mut waited = Duration::ZERO;
    while !done() {
        if waited >= PATIENCE {
            return false;
        }
        std::thread::sleep(step);
        waited += step;
    }
    true
}

/// A body that panics with `"boom"`.
fn boom() -> Result<(), Error> {
    panic!("boom")
}

/// The message a panic carried.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<not a string>".into())
}

/// Every error's message, oldest first.
fn messages(error: &Error) -> Vec<String> {
    error.errors().map(|e| e.to_string()).collect()
}
