//! A stack used as a context (under `with`, entered on another stack) and
//! the setup-then-keep idiom (`ExitStack::setup`): the order exits run in,
//! what each is told, the errors the caller gets, panics and drops.

mod common;

use std::sync::{Arc, Mutex};

use async_with::diagnostics::{self, Diagnostic};
// `AsyncContext` in scope on purpose: `stack.enter(cx)` on the stack a
// block gets must still be the stack's own `enter`.
use async_with::{
    AllowSuppressed, AsyncContext, Exit, ExitStack, LocalExitStack, Outcome, Suppressed, with,
};
use common::*;

#[test]
fn a_stack_under_with_closes_when_the_block_ends_told_its_error() {
    let events = Events::new();
    let error = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(ExitStack::new(), async |stack| {
            stack.enter(tracked(Spec::new("B"), &events)).await?;
            stack
                .enter(tracked(Spec::new("C").exit(Act::Fail), &events))
                .await?;
            let e = events.clone();
            stack.push_exit(move |outcome: Outcome| async move {
                // The block's error itself, with its own type.
                let own = outcome.error().and_then(|e| e.downcast_ref::<BodyError>());
                e.push(format!("exit D sees {own:?}"));
                Ok(Exit::Propagate)
            });
            Err::<(), _>(BodyError("body").into())
        })
        .await
    }))
    .unwrap_err();
    assert_eq!(messages(&error), ["body failed: body", "exit C failed"]);
    assert_eq!(
        error.errors().next().unwrap().to_string(),
        "body failed: body"
    );
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "enter C",
            "exit D sees Some(BodyError(\"body\"))",
            "exit C: failed(body failed: body)",
            "exit B: failed(exit C failed (after 1 earlier error))",
            "exit A: failed(exit C failed (after 1 earlier error))",
        ])
    );
    assert_eq!(events.drops(), ["C", "B", "A"]);
}

#[test]
fn a_stack_entered_on_a_stack_runs_its_exits_in_its_place() {
    let events = Events::new();
    let error = block_on(async {
        let mut outer = ExitStack::new();
        outer.enter(tracked(Spec::new("X"), &events)).await?;
        let inner = outer.enter(ExitStack::new()).await?;
        inner
            .enter(tracked(Spec::new("Y1").exit(Act::Fail), &events))
            .await?;
        inner.enter(tracked(Spec::new("Y2"), &events)).await?;
        outer.enter(tracked(Spec::new("Z"), &events)).await?;
        outer.close().await
    })
    .unwrap_err();
    assert_eq!(messages(&error), ["exit Y1 failed"]);
    assert_eq!(error.downcast::<ExitError>().unwrap(), ExitError("Y1"));
    assert_eq!(
        events.log()[4..],
        strings(&[
            "exit Z: success",
            "exit Y2: success",
            "exit Y1: success",
            "exit X: failed(exit Y1 failed)",
        ])
    );
}

#[test]
fn errors_of_nested_stacks_are_one_aggregate_in_order() {
    let events = Events::new();
    let error = block_on(async {
        let mut outer = ExitStack::new();
        outer
            .enter(tracked(Spec::new("A").exit(Act::Fail), &events))
            .await?;
        let inner = outer.enter(ExitStack::new()).await?;
        let e = events.clone();
        inner.push_exit(move |outcome: Outcome| async move {
            // Every error so far, each still of its own type.
            let error = outcome.error().expect("failed");
            let types: Vec<&str> = error
                .errors()
                .map(|e| match () {
                    () if e.is::<BodyError>() => "body",
                    () if e.is::<ExitError>() => "exit",
                    () => "other",
                })
                .collect();
            e.push(format!("bottom sees {} errors: {types:?}", error.len()));
            Ok(Exit::Propagate)
        });
        inner
            .enter(tracked(Spec::new("B").exit(Act::Fail), &events))
            .await?;
        inner
            .enter(tracked(Spec::new("C").exit(Act::Fail), &events))
            .await?;
        outer
            .enter(tracked(Spec::new("D").exit(Act::Fail), &events))
            .await?;
        outer.close_with(Err(BodyError("body").into())).await
    })
    .unwrap_err();
    assert_eq!(
        messages(&error),
        [
            "body failed: body",
            "exit D failed",
            "exit C failed",
            "exit B failed",
            "exit A failed"
        ]
    );
    assert_eq!(error.len(), 5);
    assert_eq!(
        events.log()[4..],
        strings(&[
            "exit D: failed(body failed: body)",
            "exit C: failed(exit D failed (after 1 earlier error))",
            "exit B: failed(exit C failed (after 2 earlier errors))",
            "bottom sees 4 errors: [\"body\", \"exit\", \"exit\", \"exit\"]",
            "exit A: failed(exit B failed (after 3 earlier errors))",
        ])
    );
}

#[test]
fn an_error_suppressed_inside_the_stack_is_suppressed_for_the_block() {
    let events = Events::new();
    let value = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(ExitStack::new(), async |stack| {
            stack
                .enter(tracked(Spec::new("S").exit(Act::Suppress), &events))
                .await?;
            stack.enter(tracked(Spec::new("B"), &events)).await?;
            Err::<u8, _>(BodyError("body").into())
        })
        .await
        .allow_suppressed()
    }))
    .unwrap();
    assert_eq!(value, None);
    assert_eq!(
        events.log()[3..],
        strings(&[
            "exit B: failed(body failed: body)",
            "exit S: failed(body failed: body)",
            "exit A: success",
        ])
    );
}

#[test]
fn an_error_raised_after_a_suppression_inside_the_stack_is_the_only_one() {
    // Python: the stack's exit suppresses the body's error, then an older
    // exit raises: only the new error leaves the stack.
    let events = Events::new();
    let error = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(ExitStack::new(), async |stack| {
            stack
                .enter(tracked(Spec::new("C").exit(Act::Fail), &events))
                .await?;
            stack
                .enter(tracked(Spec::new("S").exit(Act::Suppress), &events))
                .await?;
            Err::<(), _>(BodyError("body").into())
        })
        .await
    }))
    .unwrap_err();
    assert_eq!(messages(&error), ["exit C failed"]);
    assert_eq!(error.downcast::<ExitError>().unwrap(), ExitError("C"));
    assert_eq!(
        events.log()[3..],
        strings(&[
            "exit S: failed(body failed: body)",
            "exit C: success",
            "exit A: failed(exit C failed)",
        ])
    );
}

#[test]
fn a_panic_in_the_block_reaches_every_exit_inside_and_outside_then_resumes() {
    let events = Events::new();
    let payload = panic_payload(with(tracked(Spec::new("A"), &events), async |_| {
        with(ExitStack::new(), async |stack| {
            stack
                .enter(tracked(Spec::new("B").exit(Act::Fail), &events))
                .await?;
            stack.enter(tracked(Spec::new("C"), &events)).await?;
            std::panic::panic_any(Boom("body"));
            #[allow(unreachable_code)]
            Ok(())
        })
        .await
    }));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("body")));
    assert_eq!(
        events.log()[3..],
        strings(&["exit C: panicked", "exit B: panicked", "exit A: panicked"])
    );
    assert_eq!(events.drops(), ["C", "B", "A"]);
}

#[test]
fn a_panic_in_an_exit_inside_the_stack_lets_the_others_run_then_resumes() {
    let events = Events::new();
    let payload = panic_payload(with(tracked(Spec::new("A"), &events), async |_| {
        with(ExitStack::new(), async |stack| {
            stack.enter(tracked(Spec::new("B"), &events)).await?;
            stack
                .enter(tracked(Spec::new("C").exit(Act::Panic), &events))
                .await?;
            Ok(())
        })
        .await
    }));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("C")));
    assert_eq!(
        events.log()[3..],
        strings(&["exit C: success", "exit B: panicked", "exit A: panicked"])
    );
}

#[test]
fn a_local_stack_is_a_local_context() {
    let events = Events::new();
    let rc = std::rc::Rc::new(7);
    let value = block_on(with(LocalExitStack::new(), async |stack| {
        let kept = stack.push_drop(std::rc::Rc::clone(&rc));
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        Ok(**kept)
    }))
    .unwrap();
    assert_eq!(value, 7);
    assert_eq!(std::rc::Rc::strong_count(&rc), 1);
    assert_eq!(events.log(), ["enter A", "exit A: success"]);
}

#[test]
fn setup_keeps_everything_entered_when_the_body_succeeds() {
    let events = Events::new();
    let (mut kept, value) = block_on(ExitStack::new().setup(async |stack| {
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        stack.enter(tracked(Spec::new("B"), &events)).await?;
        Ok(2)
    }))
    .unwrap();
    assert_eq!((kept.len(), value), (2, 2));
    assert_eq!(events.log(), ["enter A", "enter B"], "nothing closed yet");
    block_on(kept.close()).unwrap();
    assert_eq!(
        events.log()[2..],
        strings(&["exit B: success", "exit A: success"])
    );
}

#[test]
fn setup_closes_what_it_entered_when_the_body_fails() {
    let events = Events::new();
    let error = block_on(ExitStack::new().setup(async |stack| {
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        stack
            .enter(tracked(Spec::new("B").enter(Act::Fail), &events))
            .await?;
        Ok(())
    }))
    .unwrap_err();
    assert_eq!(error.downcast::<EnterError>().unwrap(), EnterError("B"));
    assert_eq!(
        events.log(),
        [
            "enter A",
            "enter B failed",
            "exit A: failed(enter B failed)"
        ]
    );
    assert_eq!(events.drops(), ["A"]);
}

#[test]
fn setup_closes_what_it_entered_when_the_body_panics() {
    let events = Events::new();
    let payload = panic_payload(ExitStack::new().setup(async |stack| {
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        std::panic::panic_any(Boom("setup"));
        #[allow(unreachable_code)]
        Ok(())
    }));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("setup")));
    assert_eq!(events.log(), ["enter A", "exit A: panicked"]);
}

#[test]
fn setup_whose_error_is_suppressed_keeps_nothing() {
    let events = Events::new();
    let error = block_on(ExitStack::new().setup(async |stack| {
        stack
            .enter(tracked(Spec::new("A").exit(Act::Suppress), &events))
            .await?;
        Err::<(), _>(BodyError("refused").into())
    }))
    .unwrap_err();
    assert!(error.is::<Suppressed>());
    assert_eq!(
        events.log(),
        ["enter A", "exit A: failed(body failed: refused)"]
    );
}

#[test]
fn setup_dropped_mid_way_reports_what_it_could_not_run() {
    let events = Events::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let hook = move |d: &Diagnostic<'_>| log.lock().unwrap().push(d.to_string());
    block_on(diagnostics::scoped(hook, async {
        let mut setup = Box::pin(ExitStack::new().setup(async |stack| {
            stack.enter(tracked(Spec::new("A"), &events)).await?;
            std::future::pending::<()>().await;
            Ok(())
        }));
        // Past the enter's suspension points, to the pending body.
        for _ in 0..10 {
            assert!(
                futures_lite::future::poll_once(setup.as_mut())
                    .await
                    .is_none()
            );
        }
        drop(setup);
    }));
    assert_eq!(events.log(), ["enter A"]);
    assert_eq!(events.drops(), ["A"], "the resource was dropped");
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "1 async exit skipped: the scope was dropped with no runtime to run it; \
          the resource was dropped synchronously"
        ]
    );
}

#[test]
fn a_stack_exited_as_cancelled_tells_each_exit_so_and_returns_their_errors() {
    // What a runtime does with a stack handed over from a dropped scope.
    let events = Events::new();
    let error = block_on(async {
        let mut context = ExitStack::new();
        let stack = AsyncContext::enter(&mut context).await?;
        stack
            .enter(tracked(Spec::new("A").exit(Act::Fail), &events))
            .await?;
        stack.enter(tracked(Spec::new("B"), &events)).await?;
        AsyncContext::exit(context, stack, Outcome::Cancelled).await
    })
    .unwrap_err();
    assert_eq!(messages(&error), ["exit A failed"]);
    assert_eq!(
        events.log()[2..],
        strings(&["exit B: cancelled", "exit A: cancelled"])
    );
    assert_eq!(events.drops(), ["B", "A"]);
}
