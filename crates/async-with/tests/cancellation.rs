//! Cancellation: a scope future polled k times and then dropped, for every k
//! until it completes. After each drop: no exit ran twice, none ran without
//! its enter, every entered resource was exited or dropped exactly once (in
//! LIFO order), and each skipped exit was reported through
//! `async_with::diagnostics`.
//!
//! The skipped-exit counter and the hook are process-wide: every test here
//! takes [`serial`] first.

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use async_with::diagnostics::{self, Diagnostic};
use async_with::{Error, Runtime, With, with, with_runtime};
use common::{Events, Res, Spec, boxed, generated, suspend, tracked};

static SERIAL: Mutex<()> = Mutex::new(());
/// Skipped exits the hook was told about.
static HOOK_SKIPPED: AtomicU64 = AtomicU64::new(0);

fn count_skipped(diagnostic: &Diagnostic<'_>) {
    if let Diagnostic::SkippedExits { count } = diagnostic {
        HOOK_SKIPPED.fetch_add(*count as u64, Ordering::SeqCst);
    }
}

fn serial() -> MutexGuard<'static, ()> {
    let guard = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    diagnostics::set_hook(count_skipped);
    guard
}

/// Polls `future` at most `polls` times with a no-op waker, then drops it.
fn poll_then_drop<F: Future>(future: F, polls: usize) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..polls {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
    }
    None
}

/// What one run left behind, checked against the rules.
fn check_run(events: &Events, names: &[&'static str], skipped: u64, hooked: u64, k: usize) {
    let entered: Vec<&'static str> = names
        .iter()
        .copied()
        .filter(|name| events.count(&format!("enter {name}")) == 1)
        .collect();
    let mut exited = 0;
    for name in names {
        let enters = events.count(&format!("enter {name}"));
        let exits = events.count_prefix(&format!("exit {name}:"));
        assert!(enters <= 1, "k={k}: {name} entered {enters} times");
        assert!(exits <= 1, "k={k}: exit {name} ran {exits} times");
        assert!(exits <= enters, "k={k}: exit {name} ran without its enter");
        exited += exits;
    }
    // Entered in order: a prefix of `names`.
    assert_eq!(entered, names[..entered.len()], "k={k}");
    // Every entered resource was dropped exactly once, innermost first,
    // whether its exit ran or the scope dropped it.
    let mut lifo = entered.clone();
    lifo.reverse();
    assert_eq!(events.drops(), lifo, "k={k}: {:?}", events.full_log());
    let expected_skips = (entered.len() - exited) as u64;
    assert_eq!(skipped, expected_skips, "k={k}: skipped exits reported");
    assert_eq!(
        hooked, expected_skips,
        "k={k}: skipped exits seen by the hook"
    );
}

/// Runs the scope `make` builds, dropped after k polls, for every k until it
/// completes; returns how many polls completing took.
fn every_cancellation_point<F, Fut>(names: &[&'static str], make: F) -> usize
where
    F: Fn(Events) -> Fut,
    Fut: Future<Output = Result<u32, Error>>,
{
    let _serial = serial();
    for k in 0.. {
        let events = Events::new();
        let skipped_before = diagnostics::skipped_exits();
        let hooked_before = HOOK_SKIPPED.load(Ordering::SeqCst);
        let finished = poll_then_drop(make(events.clone()), k);
        let skipped = diagnostics::skipped_exits() - skipped_before;
        let hooked = HOOK_SKIPPED.load(Ordering::SeqCst) - hooked_before;
        check_run(&events, names, skipped, hooked, k);
        if let Some(result) = finished {
            assert_eq!(result.unwrap(), 7);
            for name in names {
                assert_eq!(events.count(&format!("exit {name}: success")), 1, "{name}");
            }
            assert_eq!(events.count("body done"), 1);
            return k;
        }
    }
    unreachable!()
}

#[test]
fn nested_with_dropped_at_every_await_point() {
    let polls = every_cancellation_point(&["A", "B", "C"], |events| async move {
        with(tracked(Spec::new("A"), &events), async |a| {
            with(tracked(Spec::new("B").steps(1), &events), async |b| {
                with(tracked(Spec::new("C").steps(3), &events), async |c| {
                    a.touch();
                    suspend(2).await;
                    b.touch();
                    c.touch();
                    events.push("body done");
                    Ok(7)
                })
                .await
            })
            .await
        })
        .await
    });
    // Enters and exits suspend 2 * (2 + 1 + 3) times, the body twice; the
    // last poll completes.
    assert_eq!(polls, 2 * (2 + 1 + 3) + 2 + 1);
}

#[test]
fn generator_style_contexts_dropped_at_every_await_point() {
    let polls = every_cancellation_point(&["A", "B"], |events| async move {
        with(generated(Spec::new("A"), &events), async |_| {
            with(generated(Spec::new("B").steps(3), &events), async |_| {
                suspend(1).await;
                events.push("body done");
                Ok(7)
            })
            .await
        })
        .await
    });
    assert_eq!(polls, 2 * (2 + 3) + 1 + 1);
}

#[test]
fn mixed_contexts_dropped_at_every_await_point() {
    every_cancellation_point(&["A", "B", "C", "D", "E"], |events| async move {
        generated(Spec::new("A").steps(1), &events)
            .with(async |_| {
                tracked(Spec::new("B").steps(1), &events)
                    .with(async |_| {
                        generated(Spec::new("C").steps(2), &events)
                            .with(async |_| {
                                boxed(Spec::new("D").steps(1), &events)
                                    .with(async |_| {
                                        tracked(Spec::new("E").steps(1), &events)
                                            .with(async |_| {
                                                suspend(1).await;
                                                events.push("body done");
                                                Ok(7)
                                            })
                                            .await
                                    })
                                    .await
                            })
                            .await
                    })
                    .await
            })
            .await
    });
}

#[test]
fn a_body_that_never_finishes_drops_every_resource_innermost_first() {
    let _serial = serial();
    let events = Events::new();
    let before = diagnostics::skipped_exits();
    let finished = poll_then_drop(
        with(tracked(Spec::new("A"), &events), async |_| {
            with(generated(Spec::new("B"), &events), async |_| {
                events.push("body");
                futures_lite::future::pending::<Result<(), Error>>().await
            })
            .await
        }),
        100,
    );
    assert!(finished.is_none());
    assert_eq!(events.log(), ["enter A", "enter B", "body"]);
    assert_eq!(events.drops(), ["B", "A"]);
    assert_eq!(diagnostics::skipped_exits() - before, 2);
}

type Task = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// A runtime that queues spawned tasks for the test to run, in the order
/// they were spawned.
#[derive(Clone, Default)]
struct Queue {
    tasks: Arc<Mutex<Vec<Task>>>,
}

impl Runtime for Queue {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
        self.tasks.lock().unwrap().push(Box::pin(task));
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
        async move { std::thread::sleep(duration) }
    }
}

#[test]
fn with_a_runtime_the_skipped_exits_run_later_told_cancelled_innermost_first() {
    runtime_runs_the_skipped_exits(false);
}

#[test]
fn with_a_runtime_a_boxed_generator_style_cleanup_runs_told_cancelled() {
    runtime_runs_the_skipped_exits(true);
}

/// Nested `with_runtime` scopes (B a `boxed_context` when `inner_boxed`), dropped
/// after k polls for every k.
fn runtime_runs_the_skipped_exits(inner_boxed: bool) {
    let _serial = serial();
    for k in 0.. {
        let events = Events::new();
        let runtime = Queue::default();
        let before = diagnostics::skipped_exits();
        let scope = {
            let events = events.clone();
            let runtime = runtime.clone();
            async move {
                with_runtime(
                    runtime.clone(),
                    tracked(Spec::new("A"), &events),
                    async |_| {
                        let body = async |_: &mut Res| {
                            suspend(1).await;
                            events.push("body done");
                            Ok(7)
                        };
                        if inner_boxed {
                            with_runtime(runtime.clone(), boxed(Spec::new("B"), &events), body)
                                .await
                        } else {
                            with_runtime(runtime.clone(), tracked(Spec::new("B"), &events), body)
                                .await
                        }
                    },
                )
                .await
            }
        };
        let finished = poll_then_drop(scope, k);
        let tasks = std::mem::take(&mut *runtime.tasks.lock().unwrap());
        let spawned = tasks.len();
        for task in tasks {
            common::block_on(task);
        }
        assert_eq!(
            diagnostics::skipped_exits(),
            before,
            "k={k}: nothing was skipped"
        );

        let entered: Vec<&str> = ["A", "B"]
            .into_iter()
            .filter(|name| events.count(&format!("enter {name}")) == 1)
            .collect();
        // Every entered context exited exactly once, innermost first: those
        // whose exit had not started when the scope was dropped ran on the
        // runtime, told `Cancelled`, after those that had.
        let exits: Vec<String> = events
            .log()
            .into_iter()
            .filter(|event| event.starts_with("exit "))
            .collect();
        let exited: Vec<&str> = exits.iter().map(|e| &e[5..6]).collect();
        let innermost_first: Vec<&str> = entered.iter().rev().copied().collect();
        assert_eq!(exited, innermost_first, "k={k}: {exits:?}");
        let cancelled = exits.iter().filter(|e| e.ends_with(": cancelled")).count();
        // One task per cancellation, however many scopes it holds.
        assert_eq!(spawned, usize::from(cancelled > 0), "k={k}: {exits:?}");
        assert!(
            exits[..exits.len() - cancelled]
                .iter()
                .all(|e| e.ends_with(": success")),
            "k={k}: {exits:?}"
        );
        let mut lifo = entered.clone();
        lifo.reverse();
        assert_eq!(events.drops(), lifo, "k={k}");
        if let Some(result) = finished {
            assert_eq!(result.unwrap(), 7);
            assert_eq!(spawned, 0);
            return;
        }
    }
}

#[test]
fn an_exit_the_runtime_refuses_to_run_is_reported_skipped() {
    #[derive(Clone)]
    struct ShuttingDown;

    impl Runtime for ShuttingDown {
        fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
            drop(task);
        }

        fn sleep(&self, _: Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
            async {}
        }
    }

    let _serial = serial();
    let events = Events::new();
    let before = diagnostics::skipped_exits();
    let finished = poll_then_drop(
        with_runtime(ShuttingDown, tracked(Spec::new("A"), &events), async |_| {
            futures_lite::future::pending::<Result<(), Error>>().await
        }),
        10,
    );
    assert!(finished.is_none());
    assert_eq!(events.log(), ["enter A"]);
    assert_eq!(events.drops(), ["A"]);
    assert_eq!(diagnostics::skipped_exits() - before, 1);
}
