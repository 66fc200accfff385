//! Panics in bodies and exits.

use std::panic::AssertUnwindSafe;

use async_with::with_runtime;
use futures_lite::FutureExt;

use crate::{Fault, Harness, Journal, suspend};

use super::{boom, panic_message};

/// A panic in the body is caught, every exit runs told "panicked", then the
/// original panic resumes with its original payload.
pub fn body_panic_resumes_after_exits<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let caught = H::block_on(async {
        let scope = with_runtime(rt.clone(), j.probe("A").exit_suspends(1), async |_a| {
            with_runtime(rt.clone(), j.probe("B").exit_suspends(1), async |_b| {
                suspend(1).await;
                boom()
            })
            .await
        });
        AssertUnwindSafe(scope).catch_unwind().await
    });
    let payload = caught.expect_err("the panic resumes");
    assert_eq!(panic_message(&*payload), "boom");
    assert_eq!(
        journal.events(),
        [
            "enter A",
            "enter B",
            "exit B: panicked",
            "exit B done",
            "exit A: panicked",
            "exit A done",
        ]
    );
    assert_eq!(journal.live(), 0);
}

/// A panic in an exit: the other exits still run, told "panicked", then it
/// resumes.
pub fn exit_panic_resumes_after_other_exits<H: Harness>() {
    let journal = Journal::new();
    let rt = H::runtime();
    let j = &journal;
    let caught = H::block_on(async {
        let scope = with_runtime(rt.clone(), j.probe("A"), async |_a| {
            let b = j.probe("B").exit_suspends(1).exit_fault(Fault::Panic);
            with_runtime(rt.clone(), b, async |_b| Ok(())).await
        });
        AssertUnwindSafe(scope).catch_unwind().await
    });
    let payload = caught.expect_err("the panic resumes");
    assert_eq!(panic_message(&*payload), "exit B panicked");
    assert_eq!(
        journal.events(),
        [
            "enter A",
            "enter B",
            "exit B: success",
            "exit A: panicked",
            "exit A done",
        ]
    );
    assert_eq!(journal.live(), 0);
}
