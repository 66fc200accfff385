//! Task groups: results, failures, errors, panics, cancellation.

use std::panic::AssertUnwindSafe;

use async_with::{Error, TimedOut, task_group, timeout, with_runtime};
use futures_lite::FutureExt;

use crate::{Fault, Harness, Journal, suspend};

use super::{SHORT, eventually, messages, panic_message};

/// Every child's value is in its handle once the group ended.
pub fn task_group_results<H: Harness>() {
    let rt = H::runtime();
    let (a, b, body) = H::block_on(task_group(rt.clone(), async |group| {
        let a = group.spawn(async {
            suspend(2).await;
            Ok(1)
        });
        let b = group.spawn(async { Ok("two") });
        Ok((a, b, "body"))
    }))
    .expect("no error");
    assert_eq!(a.into_value(), Some(1));
    assert_eq!(b.into_value(), Some("two"));
    assert_eq!(body, "body");
}

/// Spawns a child that enters probe `name` and waits forever; returns
/// once it is inside.
fn stuck_child<H: Harness>(
    group: &async_with::TaskGroup<H::Runtime>,
    journal: &Journal,
    probe: crate::Probe,
) {
    let rt = H::runtime();
    let journal = journal.clone();
    let _ = group.spawn(async move {
        with_runtime(rt, probe, async |held| {
            journal.record(format!("{} running", held.name()));
            std::future::pending::<()>().await;
            Ok(())
        })
        .await
    });
}

async fn running<H: Harness>(journal: &Journal, name: &str) {
    let event = format!("{name} running");
    assert!(
        eventually::<H>(|| journal.events().contains(&event)).await,
        "{name} never ran"
    );
}

/// The first failure cancels the other children and the body; each runs
/// its exits inline, told "cancelled"; the group fails with the one error,
/// as the user's own type, and does not end before the cancelled exits did.
pub fn task_group_failure_cancels_others<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(task_group(rt.clone(), async |group| {
        stuck_child::<H>(group, j, j.probe("A").exit_suspends(2));
        let watched = j.clone();
        group.spawn(async move {
            running::<H>(&watched, "A").await;
            Err::<(), _>(Error::new(std::fmt::Error))
        });
        with_runtime(rt.clone(), j.probe("B").exit_suspends(1), async |_b| {
            std::future::pending::<()>().await;
            Ok(())
        })
        .await
    }))
    .expect_err("a child failed");
    assert!(error.is::<std::fmt::Error>());
    assert_eq!(error.len(), 1);
    let events = journal.events();
    for name in ["A", "B"] {
        assert!(
            events.contains(&format!("exit {name}: failed: cancelled")),
            "{events:?}"
        );
        assert!(events.contains(&format!("exit {name} done")), "{events:?}");
    }
    assert_eq!(journal.live(), 0);
}

/// Every error is kept, in the order it happened: the first child's, then
/// the error a cancelled child's exit returned.
pub fn task_group_keeps_every_error<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(task_group(rt.clone(), async |group| {
        stuck_child::<H>(group, j, j.probe("A").exit_fault(Fault::Fail));
        let watched = j.clone();
        group.spawn(async move {
            running::<H>(&watched, "A").await;
            Err::<(), _>(Error::msg("child 2 failed"))
        });
        Ok(())
    }))
    .expect_err("children failed");
    assert_eq!(messages(&error), ["child 2 failed", "exit A failed"]);
    assert_eq!(journal.live(), 0);
}

/// The body's error cancels the children and comes first.
pub fn task_group_body_error_cancels_children<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(task_group(rt.clone(), async |group| {
        stuck_child::<H>(group, j, j.probe("A").exit_suspends(1));
        running::<H>(j, "A").await;
        Err::<(), _>(Error::msg("body failed"))
    }))
    .expect_err("the body failed");
    assert_eq!(messages(&error), ["body failed"]);
    assert!(
        journal
            .events()
            .contains(&"exit A: failed: cancelled".to_string())
    );
    assert_eq!(journal.live(), 0);
}

/// A child's panic cancels the others, then resumes, with its payload,
/// once they all ended.
pub fn task_group_child_panic<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let caught = H::block_on(async {
        let group = task_group(rt.clone(), async |group| {
            stuck_child::<H>(group, j, j.probe("A").exit_suspends(2));
            let watched = j.clone();
            group.spawn(async move {
                running::<H>(&watched, "A").await;
                if watched.len() < usize::MAX {
                    panic!("child boom");
                }
                Ok(())
            });
            Ok(())
        });
        AssertUnwindSafe(group).catch_unwind().await
    });
    let payload = caught.expect_err("the child's panic resumes");
    assert_eq!(panic_message(&*payload), "child boom");
    let events = journal.events();
    assert!(
        events.contains(&"exit A: failed: cancelled".to_string()),
        "{events:?}"
    );
    assert!(events.contains(&"exit A done".to_string()), "{events:?}");
}

/// A group whose future is dropped cancels its children, which still run
/// their exits on their own tasks.
pub fn task_group_dropped_cancels_children<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    H::block_on(async {
        let group = task_group(rt.clone(), async |group| {
            stuck_child::<H>(group, j, j.probe("A").exit_suspends(1));
            std::future::pending::<()>().await;
            Ok(())
        });
        let dropped = group.or(async {
            running::<H>(j, "A").await;
            Ok(())
        });
        dropped.await.expect("the group was dropped");
        let closed = eventually::<H>(|| j.events().contains(&"exit A done".to_string())).await;
        assert!(closed, "{:?}", j.events());
    });
    assert!(
        journal
            .events()
            .contains(&"exit A: failed: cancelled".to_string())
    );
    assert_eq!(journal.live(), 0);
}

/// A timeout around a group stops the body and the children, which all
/// run their exits; the caller sees the timeout.
pub fn task_group_inside_timeout<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(timeout(
        rt.clone(),
        SHORT,
        task_group(rt.clone(), async |group| {
            stuck_child::<H>(group, j, j.probe("A").exit_suspends(1));
            with_runtime(rt.clone(), j.probe("B"), async |_b| {
                std::future::pending::<()>().await;
                Ok(())
            })
            .await
        }),
    ))
    .expect_err("times out");
    assert!(error.is::<TimedOut>(), "{error:#}");
    assert_eq!(error.len(), 1);
    let events = journal.events();
    assert!(
        events.contains(&"exit B: failed: timed out after 20ms".to_string()),
        "{events:?}"
    );
    assert!(
        events.contains(&"exit A: failed: cancelled".to_string()),
        "{events:?}"
    );
    assert_eq!(journal.live(), 0);
}

/// After `cancel`, the running children stop, a child spawned later starts
/// cancelled, and the body's value still comes back when it had returned.
pub fn task_group_spawn_after_cancel<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let late = H::block_on(task_group(rt.clone(), async |group| {
        stuck_child::<H>(group, j, j.probe("A"));
        running::<H>(j, "A").await;
        group.cancel();
        let late = group.spawn(async {
            suspend(1).await;
            Ok("late")
        });
        Ok(late)
    }))
    .expect("cancelled without an error");
    assert_eq!(late.into_value(), None);
    assert!(
        journal
            .events()
            .contains(&"exit A: failed: cancelled".to_string())
    );
    assert_eq!(journal.live(), 0);
}
