//! Cancellation: a scope's future dropped mid-way, with and without a
//! runtime to run its exits, and a runtime shut down under a scope.

use std::future::Future;

use async_with::stack::ExitStack;
use async_with::{Error, Outcome, Runtime, boxed_context, with, with_runtime};
use futures_lite::future::poll_once;

use crate::{Harness, Journal, suspend};

use super::{eventually, eventually_blocking};

/// Three nested scopes with suspensions in every enter, body and exit.
fn nested<H: Harness>(journal: &Journal) -> impl Future<Output = Result<(), Error>> + '_ {
    let rt = H::runtime();
    async move {
        let a = journal.probe("A").enter_suspends(1).exit_suspends(2);
        with_runtime(rt.clone(), a, async |_a| {
            suspend(1).await;
            let b = journal.probe("B").enter_suspends(2).exit_suspends(1);
            with_runtime(rt.clone(), b, async |_b| {
                let c = journal.probe("C").enter_suspends(1).exit_suspends(1);
                with_runtime(rt.clone(), c, async |_c| {
                    suspend(2).await;
                    Ok(())
                })
                .await?;
                suspend(1).await;
                Ok(())
            })
            .await
        })
        .await
    }
}

/// Polls `future` `polls` times, then drops it; says whether it completed.
async fn poll_then_drop<F: Future>(future: F, polls: usize) -> Option<usize> {
    poll_then_drop_noting(future, polls, || ()).await.err()
}

/// Polls `future` up to `polls` times; if it did not complete, calls
/// `before_drop` and then drops it. Returns `before_drop`'s answer, or the
/// poll that completed the future.
///
/// What `before_drop` reads is settled: nothing but the polls ran. Read
/// after the drop, it could already hold events of exits a multi-threaded
/// runtime started running on another thread.
async fn poll_then_drop_noting<F: Future, N>(
    future: F,
    polls: usize,
    before_drop: impl FnOnce() -> N,
) -> Result<N, usize> {
    let mut future = Box::pin(future);
    for poll in 1..=polls {
        if poll_once(future.as_mut()).await.is_some() {
            return Err(poll);
        }
    }
    let noted = before_drop();
    drop(future);
    Ok(noted)
}

/// The name in an event such as `"exit A: cancelled"` or `"enter A"`.
fn name_of(event: &str, prefix: &str) -> Option<String> {
    let rest = event.strip_prefix(prefix)?;
    Some(rest.split([':', ' ']).next().unwrap_or(rest).to_string())
}

/// Drops three nested scopes at every poll point, on the adapter's
/// runtime; the exits not yet run are spawned and observed to complete:
/// every entered context exits exactly once, innermost first (each
/// spawned exit starts after the one inside it finished), told
/// "cancelled", and no resource is left alive.
pub fn cancellation_at_every_poll_point<H: Harness>() {
    let complete = Journal::new();
    let polls = H::block_on(poll_then_drop(nested::<H>(&complete), usize::MAX))
        .expect("the scopes complete");
    assert!(polls > 10, "every stage suspends: {polls} polls");

    for drop_after in 0..polls {
        let journal = Journal::new();
        let dropped_at = H::block_on(async {
            // The journal's length when the scopes were dropped: exits
            // spawned by the drop may start on another thread at once.
            let dropped_at =
                poll_then_drop_noting(nested::<H>(&journal), drop_after, || journal.len())
                    .await
                    .expect("the scopes were dropped before completing");
            let entered = journal
                .events()
                .iter()
                .filter(|e| e.starts_with("enter "))
                .count();
            let settled = eventually::<H>(|| {
                let events = journal.events();
                let done = events[dropped_at..]
                    .iter()
                    .filter(|e| e.ends_with(" done"))
                    .count();
                let spawned = events[dropped_at..]
                    .iter()
                    .filter(|e| e.starts_with("exit ") && !e.ends_with(" done"))
                    .count();
                let exits = events
                    .iter()
                    .filter(|e| e.starts_with("exit ") && !e.ends_with(" done"))
                    .count();
                journal.live() == 0 && exits == entered && done == spawned
            })
            .await;
            assert!(
                settled,
                "dropped after {drop_after} polls, cleanup did not complete: {:?}",
                journal.events()
            );
            dropped_at
        });
        let events = journal.events();
        let enters: Vec<String> = events.iter().filter_map(|e| name_of(e, "enter ")).collect();
        let exits: Vec<String> = events
            .iter()
            .filter(|e| !e.ends_with(" done"))
            .filter_map(|e| name_of(e, "exit "))
            .collect();
        let mut lifo = enters.clone();
        lifo.reverse();
        assert_eq!(exits, lifo, "dropped after {drop_after} polls: {events:?}");
        for (index, event) in events.iter().enumerate().skip(dropped_at) {
            assert!(!event.starts_with("dropped "), "{events:?}");
            if let Some(name) = name_of(event, "exit ").filter(|_| !event.ends_with(" done")) {
                assert_eq!(*event, format!("exit {name}: cancelled"), "{events:?}");
                // The spawned exit finished before the next one started.
                assert_eq!(
                    events.get(index + 1),
                    Some(&format!("exit {name} done")),
                    "dropped after {drop_after} polls: {events:?}"
                );
            }
        }
    }
}

/// With no runtime (the core's `with`), a dropped scope drops its
/// resources synchronously, innermost first, and runs no exit.
pub fn cancellation_without_runtime_drops_synchronously<H: Harness>() {
    let journal = Journal::new();
    let j = &journal;
    H::block_on(async {
        let scope = with(j.probe("A"), async |_a| {
            with(j.probe("B"), async |_b| {
                std::future::pending::<()>().await;
                Ok(())
            })
            .await
        });
        assert_eq!(poll_then_drop(scope, 3).await, None);
    });
    assert_eq!(
        journal.events(),
        ["enter A", "enter B", "dropped B", "dropped A"]
    );
    assert_eq!(journal.live(), 0);
}

/// A runtime shut down while a task is suspended inside two scopes: no
/// panic, and each entered context is either exited once (told
/// "cancelled") or, when the runtime could no longer run it, its resource
/// dropped; none is exited twice and no resource is left alive.
pub fn shutdown_while_suspended<H: Harness>() {
    let journal = Journal::new();
    let j = journal.clone();
    let rt = H::runtime();
    let task = async move {
        let a = j.probe("A").exit_suspends(1);
        let _ = with_runtime(rt.clone(), a, async |_a| {
            with_runtime(rt.clone(), j.probe("B").exit_suspends(1), async |_b| {
                j.record("suspended");
                std::future::pending::<()>().await;
                Ok(())
            })
            .await
        })
        .await;
    };
    let watched = journal.clone();
    H::shutdown_while_suspended(task, async move {
        let rt = H::runtime();
        while !watched.events().iter().any(|e| e == "suspended") {
            rt.sleep(std::time::Duration::from_millis(1)).await;
        }
    });
    assert!(
        eventually_blocking(|| journal.live() == 0),
        "resources left alive: {:?}",
        journal.events()
    );
    let events = journal.events();
    for name in ["A", "B"] {
        let exits = events
            .iter()
            .filter(|e| e.starts_with(&format!("exit {name}:")))
            .count();
        let dropped = events
            .iter()
            .filter(|e| **e == format!("dropped {name}"))
            .count();
        assert_eq!(exits + dropped, 1, "{name}: {events:?}");
        if exits == 1 {
            assert!(
                events.contains(&format!("exit {name}: cancelled")),
                "{events:?}"
            );
        }
    }
}

/// A per-exit timeout still bounds an exit the runtime runs after a
/// cancellation: the hung exit is cut off and its resource dropped.
pub fn spawned_exit_is_bounded_by_exit_timeout<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    H::block_on(async {
        let hung = async_with::exit_timeout(
            rt.clone(),
            super::SHORT,
            j.probe("A").exit_fault(crate::Fault::Hang),
        );
        let scope = with_runtime(rt.clone(), hung, async |_a| {
            std::future::pending::<()>().await;
            Ok(())
        });
        assert_eq!(poll_then_drop(scope, 2).await, None);
        assert!(
            eventually::<H>(|| journal.live() == 0).await,
            "{:?}",
            journal.events()
        );
    });
    assert_eq!(journal.events(), ["enter A", "exit A: cancelled"]);
}

/// Every construct an adapter binds to its runtime, nested in one task and
/// dropped together while suspended: `with` (`with_runtime`), a timeout, a
/// generator-style context that owns its state (the adapter's `context`),
/// and a runtime-bound stack's `scope` (the adapter's `ExitStack`) holding
/// a synchronous cleanup between two contexts.
/// Each exit runs on the runtime, once, told `Cancelled`, innermost first,
/// and no resource is left alive.
pub fn every_bound_construct_hands_its_exits_to_the_runtime<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    H::block_on(async {
        let in_generator = journal.clone();
        let generator = boxed_context(move |scope| async move {
            let ((), outcome) = scope.yield_(()).await;
            let told = match outcome {
                Outcome::Cancelled => "cancelled",
                _ => "not cancelled",
            };
            in_generator.record(format!("exit G: {told}"));
            Ok(())
        });
        let task = with_runtime(rt.clone(), j.probe("A"), async |_a| {
            async_with::timeout(rt.clone(), super::PATIENCE, async {
                with_runtime(rt.clone(), generator, async |()| {
                    ExitStack::with_policy(rt.clone())
                        .scope(async |stack| {
                            stack.enter(j.probe("S1").exit_suspends(1)).await?;
                            let in_sync = j.clone();
                            stack.push_sync_callback(move || {
                                in_sync.record("exit sync callback");
                                Ok(())
                            });
                            stack.enter(j.probe("S2").exit_suspends(1)).await?;
                            std::future::pending::<()>().await;
                            Ok(())
                        })
                        .await
                })
                .await
            })
            .await
        });
        assert_eq!(poll_then_drop(task, 3).await, None);
        assert!(
            eventually::<H>(|| journal.live() == 0
                && journal
                    .events()
                    .iter()
                    .filter(|e| e.starts_with("exit ") && !e.ends_with(" done"))
                    .count()
                    == 5)
            .await,
            "{:?}",
            journal.events()
        );
    });
    let exits: Vec<String> = journal
        .events()
        .into_iter()
        .filter(|e| e.starts_with("exit ") && !e.ends_with(" done"))
        .collect();
    assert_eq!(
        exits,
        [
            "exit S2: cancelled",
            "exit sync callback",
            "exit S1: cancelled",
            "exit G: cancelled",
            "exit A: cancelled"
        ],
        "{:?}",
        journal.events()
    );
}
