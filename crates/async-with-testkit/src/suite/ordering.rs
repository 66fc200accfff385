//! Order of enters and exits, errors, suppression.

use async_with::{AllowSuppressed, Error, with_runtime};

use crate::{Fault, Harness, Journal, ProbeError, suspend};

use super::messages;

/// Exits run in reverse order of entry, each awaited before the next, on
/// the adapter's runtime.
pub fn ordering_is_lifo<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    H::block_on(async {
        let a = j.probe("A").enter_suspends(1).exit_suspends(1);
        with_runtime(rt.clone(), a, async |_a| {
            let b = j.probe("B").enter_suspends(2).exit_suspends(2);
            with_runtime(rt.clone(), b, async |_b| {
                with_runtime(rt.clone(), j.probe("C"), async |_c| {
                    suspend(1).await;
                    j.record("body");
                    Ok(())
                })
                .await
            })
            .await
        })
        .await
    })
    .expect("no error");
    assert_eq!(
        journal.events(),
        [
            "enter A",
            "enter B",
            "enter C",
            "body",
            "exit C: success",
            "exit C done",
            "exit B: success",
            "exit B done",
            "exit A: success",
            "exit A done",
        ]
    );
    assert_eq!(journal.live(), 0);
}

/// A failed enter registers nothing: its exit never runs, the outer exit
/// sees its error, and the caller gets it as the user's own type.
pub fn failed_enter_runs_no_exit<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        with_runtime(rt.clone(), j.probe("A"), async |_a| {
            let b = j.probe("B").enter_suspends(1).enter_fault(Fault::Fail);
            with_runtime(rt.clone(), b, async |_b| {
                j.record("body");
                Ok(())
            })
            .await
        })
        .await
    })
    .expect_err("enter B fails");
    assert_eq!(
        error.downcast_ref::<ProbeError>().map(|e| e.to_string()),
        Some("enter B failed".to_string())
    );
    assert_eq!(
        journal.events(),
        ["enter A", "exit A: failed: enter B failed", "exit A done"]
    );
    assert_eq!(journal.live(), 0);
}

/// A failing exit does not stop the others; each later exit sees the
/// newest error; the caller gets every error, body first.
pub fn errors_are_all_kept_newest_last<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let error = H::block_on(async {
        let a = j.probe("A").exit_suspends(1).exit_fault(Fault::Fail);
        with_runtime(rt.clone(), a, async |_a| {
            let b = j.probe("B").exit_suspends(1).exit_fault(Fault::Fail);
            with_runtime(rt.clone(), b, async |_b| {
                suspend(1).await;
                Err::<(), _>(Error::msg("body failed"))
            })
            .await
        })
        .await
    })
    .expect_err("everything fails");
    assert_eq!(
        messages(&error),
        ["body failed", "exit B failed", "exit A failed"]
    );
    assert!(error.is::<ProbeError>());
    assert_eq!(
        journal.events(),
        [
            "enter A",
            "enter B",
            "exit B: failed: body failed",
            "exit A: failed: exit B failed (after 1 earlier error)",
        ]
    );
    assert_eq!(journal.live(), 0);
}

/// An exit that suppresses turns the error into success for the exits
/// after it; the block has no value (`allow_suppressed` reads `None`).
pub fn exit_suppresses_error<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let value: Option<u32> = H::block_on(async {
        with_runtime(rt.clone(), j.probe("A"), async |_a| {
            let b = j.probe("B").exit_suspends(1).suppressing();
            with_runtime(rt.clone(), b, async |_b| {
                suspend(1).await;
                Err(Error::msg("body failed"))
            })
            .await
            .allow_suppressed()
        })
        .await
    })
    .expect("suppressed");
    assert_eq!(value, None);
    assert_eq!(
        journal.events(),
        [
            "enter A",
            "enter B",
            "exit B: failed: body failed",
            "exit B done",
            "exit A: success",
            "exit A done",
        ]
    );
}
