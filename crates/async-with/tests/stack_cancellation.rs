//! `ExitStack` under cancellation: a dropped stack, a dropped `enter`, and a
//! dropped `close`, at every await point.
//!
//! The skipped-exit counter and the diagnostics hook are process-wide, so
//! these tests run one at a time (`SERIAL`).

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use async_with::diagnostics::{self, Diagnostic};
use async_with::{ExitStack, Outcome};
use common::*;

static SERIAL: Mutex<()> = Mutex::new(());
static REPORTED: AtomicU64 = AtomicU64::new(0);

fn count_reported(diagnostic: &Diagnostic<'_>) {
    if let Diagnostic::SkippedExits { count } = diagnostic {
        REPORTED.fetch_add(*count as u64, Ordering::SeqCst);
    }
}

fn serial() -> MutexGuard<'static, ()> {
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    diagnostics::set_hook(count_reported);
    guard
}

/// Polls `future` at most `polls` times; drops it if it is still pending.
fn poll_then_drop<F: Future>(future: F, polls: usize) -> Option<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut future = pin!(future);
    for _ in 0..polls {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
    }
    None
}

#[test]
fn a_dropped_stack_drops_its_resources_newest_first_and_reports_the_skipped_exits() {
    let _serial = serial();
    let events = Events::new();
    let before = (
        diagnostics::skipped_exits(),
        REPORTED.load(Ordering::SeqCst),
    );
    block_on(async {
        let stack = ExitStack::new();
        for name in ["A", "B", "C"] {
            stack.enter(tracked(Spec::new(name), &events)).await?;
        }
        drop(stack);
        Ok::<_, async_with::Error>(())
    })
    .unwrap();
    assert_eq!(events.drops(), ["C", "B", "A"]);
    assert_eq!(events.count_prefix("exit "), 0, "no async exit ran");
    assert_eq!(diagnostics::skipped_exits() - before.0, 3);
    assert_eq!(REPORTED.load(Ordering::SeqCst) - before.1, 3);
}

#[test]
fn an_enter_dropped_at_any_point_registers_its_exit_if_and_only_if_it_entered() {
    let _serial = serial();
    let spec = Spec::new("A").steps(3);
    for polls in 0..10 {
        let events = Events::new();
        let stack = ExitStack::new();
        let done = poll_then_drop(stack.enter(tracked(spec, &events)), polls).is_some();
        let entered = events.count("enter A") == 1;
        assert_eq!(stack.len(), usize::from(entered), "polls={polls}");
        if entered {
            assert!(
                events.drops().is_empty(),
                "polls={polls}: registered, not dropped"
            );
        }
        drop(stack);
        assert_eq!(events.count_prefix("exit "), 0);
        assert_eq!(events.drops().len(), usize::from(entered));
        if done {
            break;
        }
    }
}

#[test]
fn a_close_dropped_mid_exit_resumes_without_rerunning_the_interrupted_exit() {
    let _serial = serial();
    let names = ["A", "B", "C", "D"];
    let mut completed_at = None;
    for polls in 0..64 {
        let events = Events::new();
        let mut stack = ExitStack::new();
        block_on(async {
            for name in names {
                let exit = if name == "B" { Act::Fail } else { Act::Ok };
                stack
                    .enter(tracked(Spec::new(name).exit(exit), &events))
                    .await?;
            }
            Ok::<_, async_with::Error>(())
        })
        .unwrap();

        let first = poll_then_drop(stack.close(), polls);
        let after_first = events.log();
        let second = block_on(stack.close());
        let exits: Vec<String> = events
            .log()
            .into_iter()
            .filter(|e| e.starts_with("exit "))
            .collect();
        for name in names {
            let started = exits
                .iter()
                .filter(|e| e.starts_with(&format!("exit {name}:")))
                .count();
            assert_eq!(
                started, 1,
                "polls={polls}: exit {name} started exactly once: {exits:?}"
            );
        }
        let order: Vec<&str> = exits.iter().map(|e| &e[5..6]).collect();
        assert_eq!(
            order,
            ["D", "C", "B", "A"],
            "polls={polls}: newest first across both closes"
        );

        let errors = |result: &Result<(), async_with::Error>| {
            result.as_ref().err().map(messages).unwrap_or_default()
        };
        match &first {
            Some(result) => assert_eq!(errors(result), ["exit B failed"], "polls={polls}"),
            None if after_first.iter().any(|e| e.starts_with("exit A:")) => {
                // B finished during the first close: its error waits for the second.
                assert_eq!(errors(&second), ["exit B failed"], "polls={polls}");
            }
            None => {
                // B finished in either close (error kept) or was cut off (none).
                let kept = errors(&second);
                assert!(
                    kept.is_empty() || kept == ["exit B failed"],
                    "polls={polls}: {kept:?}"
                );
            }
        }
        assert!(stack.is_empty());
        if first.is_some() {
            completed_at = Some(polls);
            break;
        }
    }
    assert!(
        completed_at.is_some(),
        "the close completes within 64 polls"
    );
}

#[test]
fn an_exit_interrupted_by_a_dropped_close_is_not_rerun_and_the_others_still_run() {
    let _serial = serial();
    let events = Events::new();
    let mut stack = ExitStack::new();
    block_on(async {
        for name in ["A", "B"] {
            stack
                .enter(tracked(Spec::new(name).steps(4), &events))
                .await?;
        }
        Ok::<_, async_with::Error>(())
    })
    .unwrap();
    // One poll starts B's exit, which then suspends.
    assert!(poll_then_drop(stack.close(), 1).is_none());
    assert_eq!(events.log().last().unwrap(), "exit B: success");
    block_on(stack.close()).unwrap();
    assert_eq!(
        events.log()[2..],
        strings(&["exit B: success", "exit A: success"])
    );
    assert_eq!(events.drops(), ["B", "A"]);
}

#[test]
fn a_scope_dropped_at_every_await_point_runs_no_exit_twice_and_none_without_its_enter() {
    let _serial = serial();
    let names = ["A", "B", "C"];
    for polls in 0.. {
        let events = Events::new();
        let before = diagnostics::skipped_exits();
        let done = poll_then_drop(
            ExitStack::new().scope(async |stack| {
                for name in names {
                    stack.enter(tracked(Spec::new(name), &events)).await?;
                }
                suspend(2).await;
                Ok(())
            }),
            polls,
        )
        .is_some();
        let log = events.log();
        let mut skipped = 0;
        for name in names {
            let entered = events.count(&format!("enter {name}"));
            let exited = events.count_prefix(&format!("exit {name}:"));
            assert!(entered <= 1 && exited <= entered, "polls={polls}: {log:?}");
            let dropped = events.drops().iter().filter(|d| **d == name).count();
            assert_eq!(
                dropped, entered,
                "polls={polls}: every entered resource released"
            );
            if entered == 1 && exited == 0 {
                skipped += 1;
            }
        }
        assert_eq!(
            diagnostics::skipped_exits() - before,
            skipped,
            "polls={polls}"
        );
        if done {
            assert_eq!(skipped, 0);
            break;
        }
    }
}

#[test]
fn a_stack_dropped_under_a_runtime_policy_runs_its_exits_told_cancelled() {
    // A runtime that runs cleanup jobs on a fresh thread.
    #[derive(Clone, Debug)]
    struct Threads(std::sync::mpsc::Sender<std::thread::JoinHandle<()>>);
    impl async_with::Runtime for Threads {
        fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
            let handle = std::thread::spawn(move || block_on(task));
            self.0.send(handle).expect("the test keeps the receiver");
        }
        fn sleep(
            &self,
            duration: std::time::Duration,
        ) -> impl Future<Output = ()> + Send + 'static + use<> {
            async move { std::thread::sleep(duration) }
        }
    }

    let _serial = serial();
    let events = Events::new();
    let (sender, handles) = std::sync::mpsc::channel();
    let before = diagnostics::skipped_exits();
    let stack = async_with::stack::ExitStack::with_policy(Threads(sender));
    block_on(async {
        for name in ["A", "B", "C"] {
            stack.enter(tracked(Spec::new(name), &events)).await?;
        }
        let log = events.clone();
        stack.push_exit(move |outcome: Outcome| async move {
            log.push(format!("exit callback: {}", describe(&outcome)));
            Ok(async_with::Exit::Propagate)
        });
        Ok::<_, async_with::Error>(())
    })
    .unwrap();
    drop(stack);
    handles.recv().unwrap().join().unwrap();
    assert_eq!(
        events.log()[3..],
        strings(&[
            "exit callback: cancelled",
            "exit C: cancelled",
            "exit B: cancelled",
            "exit A: cancelled",
        ])
    );
    assert_eq!(diagnostics::skipped_exits(), before, "nothing skipped");
}

#[test]
fn a_cancel_scope_stops_a_stack_body_and_its_exits_run_inline_told_why() {
    let _serial = serial();
    let events = Events::new();
    let before = diagnostics::skipped_exits();
    let cancel = async_with::CancelScope::new();
    let canceller = cancel.clone();
    let error = block_on(cancel.run(ExitStack::new().scope(async |stack| {
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        stack.enter(tracked(Spec::new("B"), &events)).await?;
        canceller.cancel();
        std::future::pending::<()>().await;
        Ok(())
    })))
    .unwrap_err();
    assert!(error.is::<async_with::Cancelled>(), "{error:#}");
    assert_eq!(
        events.log()[2..],
        strings(&["exit B: failed(cancelled)", "exit A: failed(cancelled)"])
    );
    assert_eq!(events.drops(), ["B", "A"]);
    assert_eq!(
        diagnostics::skipped_exits(),
        before,
        "nothing skipped: exits ran inline"
    );
}

/// A resource that counts its drops, and panics in `Drop` if told to.
struct Fragile {
    dropped: std::sync::Arc<AtomicU64>,
    panics: bool,
}

impl Drop for Fragile {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
        if self.panics {
            panic!("resource drop panicked");
        }
    }
}

#[test]
fn a_dropped_local_stack_whose_resource_panics_in_drop_drops_and_reports_every_entry() {
    let _serial = serial();
    let dropped = std::sync::Arc::new(AtomicU64::new(0));
    let before = REPORTED.load(Ordering::SeqCst);
    let stack = async_with::LocalExitStack::new();
    for panics in [false, true, false] {
        let fragile = Fragile {
            dropped: std::sync::Arc::clone(&dropped),
            panics,
        };
        stack.adopt(fragile, |fragile| async move {
            drop(fragile);
            Ok(())
        });
    }
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(stack)));
    let payload = panicked.expect_err("the resource's panic goes on");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"resource drop panicked")
    );
    assert_eq!(dropped.load(Ordering::SeqCst), 3, "every resource dropped");
    assert_eq!(
        REPORTED.load(Ordering::SeqCst) - before,
        3,
        "every skipped exit reported"
    );
}
