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
//! The real-resource checks ([`resources`](mod@resources)) are written once
//! the same way, generic over the resource bindings an adapter implements
//! for its runtime: files flushed on disk, TCP peers that see end-of-file,
//! children killed and reaped, locks free again. An adapter's
//! `tests/resources.rs` runs them with [`resources!`](crate::resources!) and
//! [`locks!`](crate::locks!).
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
#[cfg(target_os = "linux")]
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
/// # #[derive(Clone, Debug, Default)]
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

/// Expands to one `#[test]` per real-resource check ([`resources`](mod@resources)'s: files,
/// TCP streams, child processes), run with one adapter's bindings.
///
/// The arguments name the adapter's [`Harness`], the types that implement
/// `async_with_resources`'s binding traits for its runtime (its runtime
/// marker, or a runtime whose types it shares), and how to read and write
/// its files and streams ([`resources::AsyncIo`]). The expansion defines a
/// type `Bindings` implementing [`resources::Resources`] from them: invoke
/// it once per module. Linux only (processes are checked in `/proc`,
/// flush failures come from `/dev/full`).
///
/// # Examples
///
/// ```
/// # use async_with_smol::Smol;
/// # struct SmolHarness;
/// # impl async_with_testkit::Harness for SmolHarness {
/// #     type Runtime = Smol;
/// #     fn runtime() -> Smol { Smol }
/// #     fn block_on<F: Future>(future: F) -> F::Output { futures_lite::future::block_on(future) }
/// #     fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
/// #     where F: Future<Output = ()> + Send + 'static {
/// #         let mut task = Box::pin(task);
/// #         futures_lite::future::block_on(futures_lite::future::or(async { (&mut task).await }, suspended));
/// #     }
/// # }
/// // in tests/resources.rs, with `SmolHarness: Harness` (see `Harness`):
/// async_with_testkit::resources!(
///     harness: SmolHarness,
///     files: async_with_smol::Smol,
///     tcp: async_with_smol::Smol,
///     processes: async_with_smol::Smol,
///     io: async_with_testkit::resources::FuturesIo,
/// );
/// ```
#[macro_export]
macro_rules! resources {
    (
        harness: $h:ty,
        files: $files:ty,
        tcp: $tcp:ty,
        processes: $processes:ty,
        io: $io:ty $(,)?
    ) => {
        /// The bindings the checks of this module run with.
        struct Bindings;

        impl $crate::resources::Resources for Bindings {
            type Harness = $h;
            type Files = $files;
            type Tcp = $tcp;
            type Processes = $processes;
            type Io = $io;
        }

        $crate::resources!(@tests [Bindings] ();
            file_bytes_are_on_disk_after_the_exit_without_a_flush_in_the_block,
            file_is_flushed_when_the_block_fails_and_the_block_error_reaches_the_caller,
            file_is_flushed_when_the_block_panics,
            file_flush_failure_is_the_exit_error_after_the_block_error,
            file_flush_failure_alone_is_an_io_error,
            file_open_reads_and_a_missing_file_fails_the_enter,
            tcp_peer_sees_eof_after_the_exit_while_the_socket_is_still_open,
            tcp_peer_sees_eof_when_the_block_fails,
            tcp_refused_connection_fails_the_enter,
            tcp_stream_already_connected_is_shut_down_on_exit,
            tcp_scope_cancelled_mid_block_still_shuts_the_stream_down,
            child_still_running_is_killed_and_reaped_and_its_status_observed,
            child_reading_a_pipe_is_killed_and_reaped_when_the_block_fails,
            child_killed_when_the_block_panics,
            child_waited_for_in_the_block_is_left_alone_and_its_status_kept,
            child_that_cannot_spawn_fails_the_enter,
            child_of_a_cancelled_scope_is_killed,
            child_scope_cancelled_mid_block_is_still_killed_and_reaped,
        );
    };
    // One test per check named, each calling it with the generic
    // arguments in brackets and the arguments in parentheses.
    (@tests $generics:tt $arguments:tt; $name:ident $(, $rest:ident)* $(,)?) => {
        $crate::resources!(@test $generics $arguments $name);
        $crate::resources!(@tests $generics $arguments; $($rest),*);
    };
    (@tests $generics:tt $arguments:tt;) => {};
    (@test [$($generics:tt)*] ($($argument:expr),*) $name:ident) => {
        #[test]
        fn $name() {
            $crate::resources::$name::<$($generics)*>($($argument),*);
        }
    };
}

/// Expands to one `#[test]` per lock check ([`resources`](mod@resources)'s mutex and
/// semaphore checks), run with one adapter's lock binding.
///
/// The arguments name the adapter's [`Harness`], the runtime marker `B`
/// for which its locks implement `async_with_resources::sync::Acquire`,
/// its mutex type (the checks use `Mutex<resources::Log>`), and, if its
/// semaphores are bound the same way, its semaphore type (the checks make
/// one with one permit, `Semaphore::new(1)`). A runtime whose semaphores
/// are contexts of their own (tokio's take several permits) leaves the
/// semaphore out and tests them itself. Linux only, as [`resources`](mod@resources).
///
/// # Examples
///
/// ```
/// # use async_with_smol::Smol;
/// # struct SmolHarness;
/// # impl async_with_testkit::Harness for SmolHarness {
/// #     type Runtime = Smol;
/// #     fn runtime() -> Smol { Smol }
/// #     fn block_on<F: Future>(future: F) -> F::Output { futures_lite::future::block_on(future) }
/// #     fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
/// #     where F: Future<Output = ()> + Send + 'static {
/// #         let mut task = Box::pin(task);
/// #         futures_lite::future::block_on(futures_lite::future::or(async { (&mut task).await }, suspended));
/// #     }
/// # }
/// // in tests/resources.rs, with `SmolHarness: Harness` (see `Harness`):
/// async_with_testkit::locks!(
///     harness: SmolHarness,
///     binding: async_with_smol::Smol,
///     mutex: async_lock::Mutex,
///     semaphore: async_lock::Semaphore,
/// );
/// ```
#[macro_export]
macro_rules! locks {
    (
        harness: $h:ty,
        binding: $b:ty,
        mutex: $($mutex:ident)::+
        $(, semaphore: $($semaphore:ident)::+)? $(,)?
    ) => {
        $crate::resources!(@tests [$h, $b, $($mutex)::+<$crate::resources::Log>] ();
            owned_mutex_is_held_in_the_block_and_free_after_success_error_and_panic,
            borrowed_mutex_is_free_after_error_and_panic,
        );
        $crate::resources!(@tests [$b, $($mutex)::+<$crate::resources::Log>] ();
            mutex_of_a_cancelled_scope_is_free,
        );
        $(
            $crate::resources!(@tests [$h, $b, _] ($($semaphore)::+::new(1));
                semaphore_permit_is_given_back_after_success_error_and_panic,
            );
            $crate::resources!(@tests [$b, _] ($($semaphore)::+::new(1));
                semaphore_of_a_cancelled_scope_is_given_back,
            );
        )?
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
/// # #[derive(Clone, Debug, Default)]
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

/// The two stress tests of an adapter, over its `stress(count)` function
/// (which runs `count` generated programs as tasks of its runtime, then
/// calls [`model::stress::assert_lost_nothing`]): 2,000 programs in every
/// test run, and an ignored full run of 100,000, to run in release.
///
/// # Examples
///
/// ```
/// fn stress(count: usize) {
///     assert!(count >= 2_000);
/// }
/// // in tests/model_stress.rs:
/// async_with_testkit::stress_tests!(stress);
/// ```
#[macro_export]
macro_rules! stress_tests {
    ($stress:path) => {
        #[test]
        fn two_thousand_random_programs_lose_nothing() {
            $stress(2_000);
        }

        #[test]
        #[ignore = "the full run: 100,000 tasks, use --release"]
        fn hundred_thousand_random_programs_lose_nothing() {
            $stress(100_000);
        }
    };
}
