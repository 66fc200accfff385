//! `ExitStack`: order, errors, suppression, panics, `pop_all`, and the stack
//! used as a context, observed through the event log and the errors a caller
//! gets.

mod common;

use async_with::{AllowSuppressed, Error, Exit, ExitStack, LocalExitStack, Outcome, nullcontext};
use common::*;

#[test]
fn exits_run_newest_first_each_awaited_and_told_success() {
    let events = Events::new();
    block_on(async {
        let mut stack = ExitStack::new();
        for name in ["A", "B", "C"] {
            stack.enter(tracked(Spec::new(name), &events)).await?;
        }
        events.push("body");
        stack.close().await
    })
    .unwrap();
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "enter C",
            "body",
            "exit C: success",
            "exit B: success",
            "exit A: success",
        ])
    );
    assert_eq!(events.drops(), ["C", "B", "A"]);
}

#[test]
fn resources_of_several_entries_are_usable_at_once() {
    let events = Events::new();
    block_on(async {
        let mut stack = ExitStack::new();
        let a = stack.enter(tracked(Spec::new("A"), &events)).await?;
        let b = stack.enter(tracked(Spec::new("B"), &events)).await?;
        a.touch();
        b.touch();
        a.touch();
        stack.close().await
    })
    .unwrap();
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "use A",
            "use B",
            "use A",
            "exit B: success",
            "exit A: success",
        ])
    );
}

#[test]
fn entries_chosen_at_run_time_in_a_loop_and_under_a_condition() {
    let events = Events::new();
    let names = ["A", "B", "C", "D"];
    block_on(async {
        let mut stack = ExitStack::new();
        let mut opened = Vec::new();
        for name in names {
            if name != "C" {
                opened.push(stack.enter(tracked(Spec::new(name), &events)).await?);
            }
        }
        assert_eq!(opened.len(), 3);
        for resource in opened {
            resource.touch();
        }
        stack.close().await
    })
    .unwrap();
    assert_eq!(events.count_prefix("exit "), 3);
    assert_eq!(events.drops(), ["D", "B", "A"]);
}

#[test]
fn a_failed_enter_registers_nothing_and_the_error_reaches_the_caller() {
    let events = Events::new();
    let error = block_on(async {
        let mut stack = ExitStack::new();
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        let failed = stack
            .enter(tracked(Spec::new("B").enter(Act::Fail), &events))
            .await
            .map(|_| ())
            .unwrap_err();
        assert_eq!(stack.len(), 1, "the failed enter registered nothing");
        stack.close().await?;
        Ok::<_, Error>(failed)
    })
    .unwrap();
    assert_eq!(error.downcast::<EnterError>().unwrap(), EnterError("B"));
    assert_eq!(
        events.log(),
        strings(&["enter A", "enter B failed", "exit A: success"])
    );
}

#[test]
fn every_exit_runs_when_exits_fail_and_sees_the_newest_error() {
    // cpython#102201: with a successful body, Python loses the earlier exit
    // error. Here both reach the caller.
    let events = Events::new();
    let error = block_on(async {
        let mut stack = ExitStack::new();
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        stack
            .enter(tracked(Spec::new("B").exit(Act::Fail), &events))
            .await?;
        stack
            .enter(tracked(Spec::new("C").exit(Act::Fail), &events))
            .await?;
        stack.close().await
    })
    .unwrap_err();
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "enter C",
            "exit C: success",
            "exit B: failed(exit C failed)",
            "exit A: failed(exit B failed (after 1 earlier error))",
        ])
    );
    assert_eq!(messages(&error), ["exit C failed", "exit B failed"]);
}

#[test]
fn failing_exits_on_a_failing_body_keep_every_error_body_first() {
    let events = Events::new();
    let error = block_on(ExitStack::new().scope(async |stack| {
        stack
            .enter(tracked(Spec::new("A").exit(Act::Fail), &events))
            .await?;
        stack
            .enter(tracked(Spec::new("B").exit(Act::Fail), &events))
            .await?;
        Err::<(), _>(BodyError("query").into())
    }))
    .unwrap_err();
    assert_eq!(
        messages(&error),
        ["body failed: query", "exit B failed", "exit A failed"]
    );
    assert!(
        error.is::<ExitError>(),
        "the newest error is the outer exit's"
    );
    assert_eq!(
        events.log()[2..],
        strings(&[
            "exit B: failed(body failed: query)",
            "exit A: failed(exit B failed (after 1 earlier error))",
        ])
    );
}

#[test]
fn a_lone_body_error_reaches_the_caller_as_its_own_type() {
    let events = Events::new();
    let error = block_on(ExitStack::new().scope(async |stack| {
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        Err::<(), _>(BodyError("lone").into())
    }))
    .unwrap_err();
    assert_eq!(error.downcast::<BodyError>().unwrap(), BodyError("lone"));
}

#[test]
fn an_exit_that_suppresses_turns_the_error_into_success_for_later_exits() {
    let events = Events::new();
    let value: Option<u32> = block_on(ExitStack::new().scope(async |stack| {
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        stack
            .enter(tracked(Spec::new("B").exit(Act::Suppress), &events))
            .await?;
        Err(BodyError("swallowed").into())
    }))
    .allow_suppressed()
    .unwrap();
    assert_eq!(value, None, "a suppressed block has no value");
    assert_eq!(
        events.log()[2..],
        strings(&["exit B: failed(body failed: swallowed)", "exit A: success"])
    );
}

#[test]
fn push_exit_sees_the_outcome_and_push_callback_cannot_suppress() {
    let events = Events::new();
    let error = block_on(async {
        let mut stack = ExitStack::new();
        let log = events.clone();
        stack.push_exit(move |outcome: Outcome| async move {
            log.push(format!("exit: {}", describe(&outcome)));
            Ok(Exit::Propagate)
        });
        let log = events.clone();
        stack.push_callback(move || async move {
            log.push("callback");
            Ok(())
        });
        stack.close_with(Err(BodyError("kept").into())).await
    })
    .unwrap_err();
    assert_eq!(
        events.log(),
        strings(&["callback", "exit: failed(body failed: kept)"])
    );
    assert!(error.is::<BodyError>());
}

#[test]
fn adopt_lends_the_value_and_gives_it_to_its_cleanup_by_value() {
    let events = Events::new();
    block_on(async {
        let mut stack = ExitStack::new();
        let log = events.clone();
        let lines = stack.adopt(Vec::new(), move |lines: Vec<&str>| async move {
            log.push(format!("flushed {}", lines.join(",")));
            Ok(())
        });
        lines.push("a");
        lines.push("b");
        stack.close().await
    })
    .unwrap();
    assert_eq!(events.log(), strings(&["flushed a,b"]));
}

#[test]
fn pop_all_moves_every_exit_and_leaves_a_usable_empty_stack() {
    let events = Events::new();
    block_on(async {
        let mut setup = ExitStack::new();
        setup.enter(tracked(Spec::new("A"), &events)).await?;
        setup.enter(tracked(Spec::new("B"), &events)).await?;
        let mut kept = setup.pop_all();
        assert_eq!((setup.len(), kept.len()), (0, 2));
        setup.enter(tracked(Spec::new("C"), &events)).await?;
        setup.close().await?;
        events.push("setup closed");
        kept.close().await
    })
    .unwrap();
    assert_eq!(
        events.log()[3..],
        strings(&[
            "exit C: success",
            "setup closed",
            "exit B: success",
            "exit A: success",
        ])
    );
}

#[test]
fn a_closed_stack_is_empty_and_can_be_used_again() {
    let events = Events::new();
    block_on(async {
        let mut stack = ExitStack::new();
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        stack.close().await?;
        assert!(stack.is_empty());
        stack.enter(tracked(Spec::new("B"), &events)).await?;
        stack.close().await
    })
    .unwrap();
    assert_eq!(events.count_prefix("exit "), 2);
}

#[test]
fn panics_in_body_exit_and_enter_run_every_exit_then_resume_the_original() {
    for (case, panicking) in [("body", "body"), ("exit", "B"), ("enter", "C")] {
        let events = Events::new();
        let payload = panic_payload(ExitStack::new().scope(async |stack| {
            stack.enter(tracked(Spec::new("A"), &events)).await?;
            let b_exit = if case == "exit" { Act::Panic } else { Act::Ok };
            stack
                .enter(tracked(Spec::new("B").exit(b_exit), &events))
                .await?;
            if case == "enter" {
                stack
                    .enter(tracked(Spec::new("C").enter(Act::Panic), &events))
                    .await?;
            }
            if case == "body" {
                std::panic::panic_any(Boom("body"));
            }
            Ok(())
        }));
        assert_eq!(
            payload.downcast_ref::<Boom>(),
            Some(&Boom(panicking)),
            "{case}: the original payload resumes"
        );
        let outcome_a = "exit A: panicked";
        let outcome_b = if case == "exit" {
            "exit B: success"
        } else {
            "exit B: panicked"
        };
        let log = events.log();
        assert!(log.contains(&outcome_b.to_string()), "{case}: {log:?}");
        assert_eq!(log.last().map(String::as_str), Some(outcome_a), "{case}");
        assert_eq!(
            events.drops(),
            ["B", "A"],
            "{case}: every resource released"
        );
    }
}

/// Enters A, lets `push` register an exit that panics with `Boom(boom)`,
/// enters B, and checks what a caller observes: the panic resumes with its
/// payload after B's exit, the panicking one (logged as `"{boom}: ..."`)
/// and A's, told it panicked, all ran.
fn check_a_panicking_exit_counts_as_run(boom: &'static str, push: impl FnOnce(&ExitStack, Events)) {
    let events = Events::new();
    let payload = panic_payload(ExitStack::new().scope(async |stack| {
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        push(stack, events.clone());
        stack.enter(tracked(Spec::new("B"), &events)).await?;
        Ok(())
    }));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom(boom)));
    let panicking = format!("{boom}: success");
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "exit B: success",
            &panicking,
            "exit A: panicked"
        ])
    );
    assert_eq!(events.drops(), ["B", "A"]);
}

#[test]
fn an_exit_that_panics_as_it_is_made_counts_as_run_and_the_rest_still_exit() {
    check_a_panicking_exit_counts_as_run("making the exit", |stack, log| {
        stack.push_exit(move |outcome: Outcome| {
            log.push(format!("making the exit: {}", describe(&outcome)));
            if true {
                std::panic::panic_any(Boom("making the exit"));
            }
            std::future::ready(Ok(Exit::Propagate))
        });
    });
}

/// An exit future that completes at once and panics when dropped.
struct PanicsWhenDropped;

impl std::future::Future for PanicsWhenDropped {
    type Output = Result<Exit, Error>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::task::Poll::Ready(Ok(Exit::Propagate))
    }
}

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        std::panic::panic_any(Boom("dropping the exit"));
    }
}

#[test]
fn an_exit_that_panics_as_it_is_dropped_counts_as_run_and_the_one_below_still_exits() {
    // The entry has left the stack when its drop panics: the entry below it
    // has not started and must still run, exactly once.
    check_a_panicking_exit_counts_as_run("dropping the exit", |stack, log| {
        stack.push_exit(move |outcome: Outcome| {
            log.push(format!("dropping the exit: {}", describe(&outcome)));
            PanicsWhenDropped
        });
    });
}

#[test]
fn a_local_stack_lends_rc_resources_of_several_entries_and_exits_newest_first() {
    // Entries, callbacks and adopted values that are not `Send`, all
    // usable at once, then closed newest first.
    let events = Events::new();
    let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let value = block_on(async {
        let stack = LocalExitStack::new();
        let mut held = Vec::new();
        for n in 0..50 {
            let shared = stack.enter(LocalValue(Some(std::rc::Rc::new(n)))).await?;
            held.push(std::rc::Rc::clone(shared));
            let log = std::rc::Rc::clone(&log);
            stack.push_callback(move || async move {
                log.borrow_mut().push(n);
                Ok(())
            });
        }
        let a = stack.enter(tracked(Spec::new("A"), &events)).await?;
        let counter = stack.adopt(std::rc::Rc::new(std::cell::Cell::new(0)), |_| async {
            Ok(())
        });
        a.touch();
        counter.set(held.iter().map(|n| **n).sum());
        let sum = counter.get();
        assert_eq!(stack.len(), 102);
        let mut stack = stack;
        stack.close().await?;
        Ok::<_, Error>(sum)
    })
    .unwrap();
    assert_eq!(value, (0..50).sum::<i32>());
    assert_eq!(*log.borrow(), (0..50).rev().collect::<Vec<_>>());
    assert_eq!(
        events.log(),
        strings(&["enter A", "use A", "exit A: success"])
    );
}

#[test]
fn a_pending_exit_after_a_panicking_one_resumes_where_it_was() {
    // The panic is caught around the whole loop of exits: the exit after it
    // must still be polled to completion, across its suspensions.
    let events = Events::new();
    let (payload, pendings) = run_counting(async {
        futures_lite::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(ExitStack::new().scope(
            async |stack| {
                stack
                    .enter(tracked(Spec::new("A").steps(3), &events))
                    .await?;
                stack
                    .enter(tracked(Spec::new("B").exit(Act::Panic), &events))
                    .await?;
                stack
                    .enter(tracked(Spec::new("C").steps(2), &events))
                    .await?;
                Ok(())
            },
        )))
        .await
    });
    let payload = payload.expect_err("B's panic resumes");
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("B")));
    // Every suspension, each woken: enters 3 + 2 + 2, exits 2 + 2 + 3.
    assert_eq!(pendings, 14);
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "enter C",
            "exit C: success",
            "exit B: success",
            "exit A: panicked",
        ])
    );
    assert_eq!(events.drops(), ["C", "B", "A"]);
}

#[test]
fn exit_futures_need_not_be_unpin() {
    // An exit holding a `PhantomPinned` state across an await.
    block_on(async {
        let stack = ExitStack::new();
        stack.push_callback(|| async {
            let pinned = std::marker::PhantomPinned;
            futures_lite::future::yield_now().await;
            std::hint::black_box(&pinned);
            Ok(())
        });
        stack.scope(async |_| Ok(())).await
    })
    .unwrap();
}

#[test]
fn the_body_value_survives_a_later_suppressed_exit_error() {
    let value = block_on(ExitStack::new().scope(async |stack| {
        stack.push_exit(|outcome: Outcome| async move {
            Ok(if outcome.error().is_some() {
                Exit::Suppress
            } else {
                Exit::Propagate
            })
        });
        stack.push_callback(|| async { Err(Error::msg("cleanup failed")) });
        stack.enter(nullcontext(())).await?;
        Ok(7)
    }))
    .unwrap();
    assert_eq!(value, 7);
}

#[test]
fn a_context_entered_elsewhere_is_exited_by_the_stack_in_order_told_the_outcome() {
    use async_with::LocalAsyncContext;
    let events = Events::new();
    let result: Result<(), Error> = block_on(async {
        // Entered before the stack existed, as code handing over a
        // connection would.
        let mut early = tracked(Spec::new("A"), &events);
        let resource = LocalAsyncContext::enter(&mut early).await?;
        let mut stack = ExitStack::new();
        stack.enter(tracked(Spec::new("B"), &events)).await?;
        stack.push_entered(early, resource).touch();
        stack.enter(tracked(Spec::new("C"), &events)).await?;
        stack.close_with(Err(Error::new(BodyError("block")))).await
    });
    assert_eq!(messages(&result.unwrap_err()), ["body failed: block"]);
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "use A",
            "enter C",
            "exit C: failed(body failed: block)",
            "exit A: failed(body failed: block)",
            "exit B: failed(body failed: block)",
        ])
    );
}
