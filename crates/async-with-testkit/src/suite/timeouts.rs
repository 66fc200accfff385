//! Per-exit timeouts, timeout and cancel scopes.

use std::time::Duration;

use async_with::{
    AllowSuppressed, CancelScope, Cancelled, Error, ExitTimedOut, Runtime, TimedOut, context,
    defer, exit_timeout, move_on_after, timeout, with, with_runtime,
};

use crate::{Fault, Harness, Journal, suspend};

use super::{PATIENCE, SHORT};

/// An exit that never finishes is cut off after its limit: its resource is
/// dropped, the timeout joins the errors, and the outer exit still runs and
/// sees it.
pub fn exit_timeout_cuts_hung_exit<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        with_runtime(rt.clone(), j.probe("A"), async |_a| {
            let hung = exit_timeout(rt.clone(), SHORT, j.probe("B").exit_fault(Fault::Hang));
            with_runtime(rt.clone(), hung, async |_b| Ok(())).await
        })
        .await
    })
    .expect_err("the exit times out");
    assert!(error.is::<ExitTimedOut>());
    assert_eq!(error.to_string(), "exit timed out after 20ms");
    assert_eq!(
        journal.events(),
        [
            "enter A",
            "enter B",
            "exit B: success",
            "exit A: failed: exit timed out after 20ms",
            "exit A done",
        ]
    );
    assert_eq!(journal.live(), 0);
}

/// An exit that finishes in time is not affected.
pub fn exit_timeout_keeps_fast_exit<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    H::block_on(async {
        let fast = exit_timeout(rt.clone(), PATIENCE, j.probe("A").exit_suspends(3));
        with_runtime(rt.clone(), fast, async |_a| Ok(())).await
    })
    .expect("in time");
    assert_eq!(
        journal.events(),
        ["enter A", "exit A: success", "exit A done"]
    );
}

/// At the deadline the block stops; the exits run inline, innermost first,
/// each told the timeout, before `timeout` returns it.
pub fn timeout_runs_exits_inline<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        let block = with_runtime(rt.clone(), j.probe("A").exit_suspends(2), async |_a| {
            with_runtime(rt.clone(), j.probe("B").exit_suspends(2), async |_b| {
                j.record("body");
                std::future::pending::<()>().await;
                Ok(())
            })
            .await
        });
        timeout(rt.clone(), SHORT, block).await
    })
    .expect_err("times out");
    assert!(error.is::<TimedOut>());
    assert_eq!(error.to_string(), "timed out after 20ms");
    assert_eq!(error.len(), 1);
    assert_eq!(
        journal.events(),
        [
            "enter A",
            "enter B",
            "body",
            "exit B: failed: timed out after 20ms",
            "exit B done",
            "exit A: failed: timed out after 20ms",
            "exit A done",
        ]
    );
    assert_eq!(journal.live(), 0);
}

/// The block's own error is not a timeout.
pub fn timeout_passes_body_errors_through<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        let block = with_runtime(rt.clone(), j.probe("A"), async |_a| {
            suspend(1).await;
            Err::<(), _>(Error::msg("own error"))
        });
        timeout(rt.clone(), PATIENCE, block).await
    })
    .expect_err("the body fails");
    assert!(!error.is::<TimedOut>());
    assert_eq!(error.to_string(), "own error");
}

/// An exit running when the deadline passes is not interrupted, and the
/// scopes around it wait for it.
pub fn timeout_does_not_interrupt_exits<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let ended = H::block_on(async {
        let block = with_runtime(rt.clone(), j.probe("A"), async |_a| {
            let (slow, log) = (rt.clone(), j.clone());
            let closing = defer(async move || {
                slow.sleep(SHORT * 4).await;
                log.record("B closed");
                Ok(())
            });
            with_runtime(rt.clone(), closing, async |()| Ok(())).await
        });
        timeout(rt.clone(), SHORT, block).await
    });
    // The block finished (its exits included) after the deadline, with
    // nothing left to stop: Python would have interrupted the exit.
    ended.expect("the block completed");
    assert_eq!(
        journal.events(),
        ["enter A", "B closed", "exit A: success", "exit A done"]
    );
}

/// A block that goes on after an exit suppressed the timeout is stopped
/// again at its next suspension point.
pub fn timeout_is_level_triggered<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        let block = with_runtime(rt.clone(), j.probe("A"), async |_a| {
            with_runtime(rt.clone(), j.probe("B").suppressing(), async |_b| {
                std::future::pending::<()>().await;
                Ok(())
            })
            .await
            .allow_suppressed()?;
            j.record("after B");
            suspend(1).await;
            j.record("never");
            Ok(())
        });
        timeout(rt.clone(), SHORT, block).await
    })
    .expect_err("times out");
    assert!(error.is::<TimedOut>());
    assert_eq!(
        journal.events(),
        [
            "enter A",
            "enter B",
            "exit B: failed: timed out after 20ms",
            "exit B done",
            "after B",
            "exit A: failed: timed out after 20ms",
            "exit A done",
        ]
    );
}

/// Nested timeouts: the one that fires is the one reported, whichever is
/// inside.
pub fn nested_timeouts<H: Harness>() {
    for (outer, inner) in [(SHORT, PATIENCE), (PATIENCE, SHORT)] {
        let journal = Journal::new();
        let rt = H::runtime();
        let j = &journal;
        let error = H::block_on(async {
            let block = with_runtime(rt.clone(), j.probe("A"), async |_a| {
                std::future::pending::<()>().await;
                Ok(())
            });
            timeout(rt.clone(), outer, timeout(rt.clone(), inner, block)).await
        })
        .expect_err("times out");
        let timed_out = error.downcast_ref::<TimedOut>().expect("a timeout");
        assert_eq!(timed_out.after(), SHORT);
        assert_eq!(
            journal.events(),
            [
                "enter A",
                "exit A: failed: timed out after 20ms",
                "exit A done"
            ]
        );
    }
}

/// `move_on_after` gives `None` for a stopped block and `Some` for a
/// finished one.
pub fn move_on_after_gives_none<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let (stopped, finished) = H::block_on(async {
        let stuck = with_runtime(rt.clone(), j.probe("A"), async |_a| {
            std::future::pending::<()>().await;
            Ok(1)
        });
        let stopped = move_on_after(rt.clone(), SHORT, stuck).await;
        let quick = with_runtime(rt.clone(), j.probe("B"), async |_b| Ok(2));
        let finished = move_on_after(rt.clone(), PATIENCE, quick).await;
        (stopped, finished)
    });
    assert_eq!(stopped.expect("no error"), None);
    assert_eq!(finished.expect("no error"), Some(2));
    assert!(
        journal
            .events()
            .contains(&"exit A: failed: timed out after 20ms".to_string())
    );
}

/// A cancel scope cancelled from another task stops its block; the exits
/// run inline, told "cancelled".
pub fn cancel_scope_from_another_task<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        let scope = CancelScope::new();
        let canceller = scope.clone();
        let timer = rt.clone();
        rt.spawn(async move {
            timer.sleep(Duration::from_millis(5)).await;
            canceller.cancel();
        });
        let block = with_runtime(rt.clone(), j.probe("A").exit_suspends(1), async |_a| {
            std::future::pending::<()>().await;
            Ok(())
        });
        scope.run(block).await
    })
    .expect_err("cancelled");
    assert!(error.is::<Cancelled>());
    assert_eq!(
        journal.events(),
        ["enter A", "exit A: failed: cancelled", "exit A done"]
    );
}

/// A generator-style context inside a timeout gets the timeout at its
/// yield point and its cleanup runs inline.
pub fn generator_scope_stops_inline<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        let connection = context(async |scope| {
            j.record("connect");
            let ((), outcome) = scope.yield_(()).await;
            suspend(2).await;
            j.record(format!(
                "disconnect: {}",
                outcome.error().map_or("ok".into(), |e| e.to_string())
            ));
            Ok(())
        });
        let block = with(connection, async |()| {
            std::future::pending::<()>().await;
            Ok(())
        });
        timeout(rt.clone(), SHORT, block).await
    })
    .expect_err("times out");
    assert!(error.is::<TimedOut>());
    assert_eq!(
        journal.events(),
        ["connect", "disconnect: timed out after 20ms"]
    );
}

/// Sibling scopes joined in one block both stop at the deadline, each
/// running its exits.
pub fn timeout_stops_sibling_scopes<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        let block = async {
            let left = with_runtime(rt.clone(), j.probe("A").exit_suspends(1), async |_a| {
                std::future::pending::<()>().await;
                Ok(())
            });
            let right = with_runtime(rt.clone(), j.probe("B").exit_suspends(2), async |_b| {
                std::future::pending::<()>().await;
                Ok(())
            });
            let (left, right) = futures_lite::future::zip(left, right).await;
            left.and(right)
        };
        timeout(rt.clone(), SHORT, block).await
    })
    .expect_err("times out");
    assert!(error.is::<TimedOut>());
    let events = journal.events();
    for name in ["A", "B"] {
        assert!(
            events.contains(&format!("exit {name}: failed: timed out after 20ms")),
            "{events:?}"
        );
        assert!(events.contains(&format!("exit {name} done")), "{events:?}");
    }
    assert_eq!(journal.live(), 0);
}

/// A scope inside an exit that runs because of a timeout is not stopped
/// by that timeout: exits are never interrupted.
pub fn scope_inside_exit_is_not_stopped<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        let (timer, log) = (rt.clone(), j.clone());
        let closing = defer(async move || {
            log.record("closing");
            let (timer, log) = (timer.clone(), log.clone());
            with_runtime(timer.clone(), log.probe("B"), async |_b| {
                timer.sleep(SHORT * 2).await;
                log.record("flushed");
                Ok(())
            })
            .await
        });
        let block = with_runtime(rt.clone(), closing, async |()| {
            std::future::pending::<()>().await;
            Ok(())
        });
        timeout(rt.clone(), SHORT, block).await
    })
    .expect_err("times out");
    assert!(error.is::<TimedOut>());
    assert_eq!(error.len(), 1);
    assert_eq!(
        journal.events(),
        [
            "closing",
            "enter B",
            "flushed",
            "exit B: success",
            "exit B done"
        ]
    );
}
