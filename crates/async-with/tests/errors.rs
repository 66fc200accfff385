//! Errors: a failed enter runs no exit, a failed body or exit reaches the
//! caller as the user's own type, and when several fail every error is kept,
//! body first, then the exits innermost first.

mod common;

use async_with::{AsyncContext, BoxError, Error, ErrorList, Outcome, With, context, with};
use common::{
    Act, BodyError, EnterError, Events, ExitError, Spec, block_on, generated, messages, strings,
    tracked,
};

#[test]
fn a_failed_enter_runs_no_exit_and_reaches_the_caller_as_the_users_type() {
    let events = Events::new();
    let result = block_on(with(
        tracked(Spec::new("A").enter(Act::Fail), &events),
        async |_| {
            events.push("body");
            Ok(())
        },
    ));
    let error = result.unwrap_err();
    assert_eq!(error.downcast::<EnterError>().unwrap(), EnterError("A"));
    assert_eq!(events.log(), ["enter A failed"]);
    assert!(events.drops().is_empty(), "no resource was ever made");
}

#[test]
fn a_failed_inner_enter_is_seen_by_the_outer_exit_only() {
    for generator_style in [false, true] {
        let events = Events::new();
        let inner = Spec::new("B").enter(Act::Fail);
        let result = block_on(with(tracked(Spec::new("A"), &events), async |_| {
            let body = async |_: &mut common::Res| {
                events.push("body");
                Ok(())
            };
            if generator_style {
                generated(inner, &events).with(body).await
            } else {
                tracked(inner, &events).with(body).await
            }
        }));
        let error = result.unwrap_err();
        assert_eq!(error.len(), 1);
        assert_eq!(error.downcast_ref::<EnterError>(), Some(&EnterError("B")));
        assert_eq!(
            events.log(),
            [
                "enter A",
                "enter B failed",
                "exit A: failed(enter B failed)"
            ],
            "generator-style: {generator_style}"
        );
        assert_eq!(events.drops(), ["A"]);
    }
}

#[test]
fn a_failed_body_is_seen_by_every_exit_and_reaches_the_caller() {
    let events = Events::new();
    let result: Result<u32, Error> = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(generated(Spec::new("B"), &events), async |_| {
            events.push("body");
            Err(BodyError("query").into())
        })
        .await
    }));
    let error = result.unwrap_err();
    assert_eq!(error.downcast::<BodyError>().unwrap(), BodyError("query"));
    assert_eq!(
        events.log(),
        [
            "enter A",
            "enter B",
            "body",
            "exit B: failed(body failed: query)",
            "exit A: failed(body failed: query)",
        ]
    );
    assert_eq!(events.drops(), ["B", "A"]);
}

#[test]
fn a_failed_exit_after_a_successful_body_fails_the_scope() {
    let events = Events::new();
    let result = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(
            tracked(Spec::new("B").exit(Act::Fail), &events),
            async |_| {
                events.push("body");
                Ok(7)
            },
        )
        .await
    }));
    let error = result.unwrap_err();
    assert_eq!(
        events.log(),
        [
            "enter A",
            "enter B",
            "body",
            "exit B: success",
            "exit A: failed(exit B failed)",
        ]
    );
    assert_eq!(error.downcast::<ExitError>().unwrap(), ExitError("B"));
}

#[test]
fn a_failed_generator_style_exit_fails_the_scope() {
    let events = Events::new();
    let result = block_on(with(
        generated(Spec::new("A").exit(Act::Fail), &events),
        async |_| Ok(()),
    ));
    assert_eq!(
        result.unwrap_err().downcast::<ExitError>().unwrap(),
        ExitError("A")
    );
    assert_eq!(events.log(), ["enter A", "exit A: success"]);
}

/// Body fails, then every exit of three nested contexts fails.
fn all_fail(events: &Events, generator_style: bool) -> Error {
    let spec = |name| Spec::new(name).exit(Act::Fail);
    let result: Result<(), Error> = block_on(with(tracked(spec("A"), events), async |_| {
        let middle = async |_: &mut common::Res| {
            with(tracked(spec("C"), events), async |_| {
                events.push("body");
                Err(BodyError("insert").into())
            })
            .await
        };
        if generator_style {
            generated(spec("B"), events).with(middle).await
        } else {
            tracked(spec("B"), events).with(middle).await
        }
    }));
    result.unwrap_err()
}

#[test]
fn failed_exits_stacked_on_a_failed_body_keep_every_error_in_order() {
    for generator_style in [false, true] {
        let events = Events::new();
        let error = all_fail(&events, generator_style);

        // Each later exit saw the newest pending error, with the count of
        // the earlier ones.
        assert_eq!(
            events.log(),
            [
                "enter A",
                "enter B",
                "enter C",
                "body",
                "exit C: failed(body failed: insert)",
                "exit B: failed(exit C failed (after 1 earlier error))",
                "exit A: failed(exit B failed (after 2 earlier errors))",
            ],
            "generator-style: {generator_style}"
        );
        assert_eq!(events.drops(), ["C", "B", "A"]);

        // The caller gets the newest and reaches every one: body first, then
        // the exits innermost first.
        assert_eq!(error.len(), 4);
        assert_eq!(
            messages(&error),
            [
                "body failed: insert",
                "exit C failed",
                "exit B failed",
                "exit A failed"
            ]
        );
        assert_eq!(error.newest().to_string(), "exit A failed");
        assert_eq!(error.downcast_ref::<ExitError>(), Some(&ExitError("A")));
        assert_eq!(error.to_string(), "exit A failed (after 3 earlier errors)");

        // Each one is still the user's own type.
        let mut errors = error.errors();
        assert_eq!(
            errors.next().unwrap().downcast_ref::<BodyError>(),
            Some(&BodyError("insert"))
        );
        for name in ["C", "B", "A"] {
            assert_eq!(
                errors.next().unwrap().downcast_ref::<ExitError>(),
                Some(&ExitError(name))
            );
        }
        assert!(errors.next().is_none());
        drop(errors);

        // By-value downcast refuses an aggregate instead of losing errors.
        let error = error.downcast::<ExitError>().unwrap_err();
        assert_eq!(error.len(), 4);
        let owned = error.into_errors();
        assert!(owned[0].is::<BodyError>());
        assert_eq!(
            *owned[3].downcast_ref::<ExitError>().unwrap(),
            ExitError("A")
        );
    }
}

#[test]
fn an_aggregate_formats_every_error_with_the_alternate_flag() {
    let events = Events::new();
    let error = all_fail(&events, false);
    assert_eq!(
        format!("{error:#}"),
        "1/4: body failed: insert\n2/4: exit C failed\n3/4: exit B failed\n4/4: exit A failed"
    );
    let debug = format!("{error:?}");
    for part in [
        "BodyError(\"insert\")",
        "ExitError(\"C\")",
        "ExitError(\"A\")",
    ] {
        assert!(debug.contains(part), "{debug}");
    }
}

#[test]
fn a_lone_error_debug_shows_the_users_error_unwrapped() {
    let error = Error::from(BodyError("x"));
    assert_eq!(format!("{error:?}"), "BodyError(\"x\")");
    assert_eq!(format!("{error:#}"), "body failed: x");
}

#[test]
fn a_failed_exit_does_not_stop_the_outer_exits() {
    let events = Events::new();
    let result = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(
            tracked(Spec::new("B").exit(Act::Fail), &events),
            async |_| {
                with(
                    tracked(Spec::new("C").exit(Act::Fail), &events),
                    async |_| Ok(()),
                )
                .await
            },
        )
        .await
    }));
    let error = result.unwrap_err();
    assert_eq!(messages(&error), ["exit C failed", "exit B failed"]);
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
}

/// Every message of an aggregate seen as a standard error, newest first.
fn error_messages_newest_first(boxed: &BoxError) -> Vec<String> {
    let list = boxed.downcast_ref::<ErrorList>().expect("an aggregate");
    list.errors().rev().map(|e| e.to_string()).collect()
}

#[test]
fn an_aggregate_converts_to_a_standard_error_and_back() {
    let events = Events::new();
    let error = all_fail(&events, true);
    let boxed = BoxError::from(error);
    assert_eq!(boxed.to_string(), "exit A failed (after 3 earlier errors)");
    // The source chain goes from the newest error to the oldest, the body's.
    let mut chain = Vec::new();
    let mut next = boxed.source();
    while let Some(error) = next {
        chain.push(error.to_string());
        next = error.source();
    }
    let earlier: Vec<String> = error_messages_newest_first(&boxed);
    assert_eq!(chain, earlier[1..]);
    let list = boxed.downcast::<ErrorList>().unwrap();
    assert_eq!(list.errors().count(), 4);
    assert_eq!(list.into_inner().len(), 4);

    // A lone error converts back to the user's own box.
    let lone = BoxError::from(Error::from(BodyError("y")));
    assert_eq!(*lone.downcast::<BodyError>().unwrap(), BodyError("y"));
}

#[test]
fn pushing_an_aggregate_keeps_its_errors_in_order_after_the_older_ones() {
    let mut older = Error::msg("1");
    older.push(Error::msg("2"));
    let mut newer = Error::msg("3");
    newer.push(Error::msg("4"));
    older.push(newer);
    assert_eq!(messages(&older), ["1", "2", "3", "4"]);
    assert_eq!(
        older
            .errors()
            .rev()
            .map(|e| e.to_string())
            .collect::<Vec<_>>(),
        ["4", "3", "2", "1"]
    );
}

#[test]
fn an_aggregate_of_ten_thousand_errors_builds_formats_and_drops_on_a_small_stack() {
    const COUNT: usize = 10_000;
    let checked = std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut error = Error::from(BodyError("first"));
            for index in 1..COUNT {
                error.push(Error::msg(format!("error {index}")));
            }
            assert_eq!(error.len(), COUNT);

            let short = format!("{error}");
            assert_eq!(
                short,
                format!("error {} (after {} earlier errors)", COUNT - 1, COUNT - 1)
            );

            let long = format!("{error:#}");
            let lines: Vec<&str> = long.lines().collect();
            assert_eq!(lines.len(), COUNT);
            assert_eq!(lines[0], format!("1/{COUNT}: body failed: first"));
            for (index, line) in lines.iter().enumerate().skip(1) {
                assert_eq!(*line, format!("{}/{COUNT}: error {index}", index + 1));
            }

            let debug = format!("{error:?}");
            assert!(debug.contains("BodyError(\"first\")"));
            assert!(debug.contains("\"error 9999\""));

            let boxed = BoxError::from(error);
            assert!(boxed.to_string().starts_with("error 9999"));
            drop(boxed);
        })
        .unwrap();
    checked
        .join()
        .expect("no stack overflow, every check passed");
}

#[test]
fn the_alternate_format_follows_each_errors_source_chain() {
    #[derive(Debug)]
    struct Wrapped(std::io::Error);
    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("could not save")
        }
    }
    impl std::error::Error for Wrapped {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let mut error = Error::from(Wrapped(std::io::Error::other("disk full")));
    assert_eq!(format!("{error:#}"), "could not save: disk full");
    error.push(Error::from(ExitError("A")));
    assert_eq!(
        format!("{error:#}"),
        "1/2: could not save: disk full\n2/2: exit A failed"
    );
}

/// An exit that keeps the pending error past its own future.
struct Hoarder {
    kept: std::sync::Arc<std::sync::Mutex<Option<async_with::Outcome>>>,
}

impl async_with::AsyncContext for Hoarder {
    type Resource = ();

    async fn enter(&mut self) -> Result<(), Error> {
        Ok(())
    }

    async fn exit(self, (): (), outcome: async_with::Outcome) -> Result<async_with::Exit, Error> {
        *self.kept.lock().unwrap() = Some(outcome);
        Err(ExitError("hoarder").into())
    }
}

#[test]
fn an_error_an_exit_kept_a_handle_to_is_not_lost() {
    let kept = std::sync::Arc::default();
    let result: Result<(), Error> = block_on(with(
        Hoarder {
            kept: std::sync::Arc::clone(&kept),
        },
        async |()| Err(BodyError("body").into()),
    ));
    let error = result.unwrap_err();
    // The body's error is still shared with the outcome the exit kept; it
    // is listed as itself, with its own type.
    assert_eq!(
        messages(&error),
        ["body failed: body", "exit hoarder failed"]
    );
    assert_eq!(
        error.downcast_ref::<ExitError>(),
        Some(&ExitError("hoarder"))
    );
    let first = error.errors().next().unwrap();
    assert_eq!(first.downcast_ref::<BodyError>(), Some(&BodyError("body")));
    assert_eq!(error.len(), 2);
    // The exit's handle still sees the same error.
    let outcome = kept.lock().unwrap().take().unwrap();
    assert!(outcome.error().unwrap().is::<BodyError>());
}

#[test]
fn an_error_is_one_pointer_so_results_stay_in_registers() {
    use std::mem::size_of;
    assert_eq!(size_of::<Error>(), size_of::<usize>());
    assert_eq!(size_of::<Result<(), Error>>(), size_of::<usize>());
    assert_eq!(size_of::<Result<u64, Error>>(), 2 * size_of::<usize>());
    assert_eq!(
        size_of::<Result<async_with::Exit, Error>>(),
        2 * size_of::<usize>()
    );
}

#[test]
fn a_test_builds_each_outcome_to_drive_an_exit_and_clones_it_to_forward() {
    let events = Events::new();
    for (outcome, expected) in [
        (Outcome::Success, "exit A: success"),
        (
            Outcome::failed(BodyError("x")),
            "exit A: failed(body failed: x)",
        ),
        (Outcome::Panicked, "exit A: panicked"),
        (Outcome::Cancelled, "exit A: cancelled"),
    ] {
        let forwarded = outcome.clone();
        let mut context = tracked(Spec::new("A"), &events);
        block_on(async {
            let resource = context.enter().await.unwrap();
            let _ = context.exit(resource, forwarded).await;
        });
        assert_eq!(events.log().last().map(String::as_str), Some(expected));
        // The clone left the original intact.
        assert_eq!(
            outcome.error().map(|e| e.to_string()).is_some(),
            expected.contains("failed")
        );
    }
}

#[test]
fn is_cancelled_covers_a_dropped_scope_and_a_stopped_one() {
    assert!(Outcome::Cancelled.is_cancelled());
    assert!(!Outcome::Success.is_cancelled());
    assert!(!Outcome::Panicked.is_cancelled());
    assert!(!Outcome::failed(BodyError("x")).is_cancelled());
    // A cancel scope stops the block: the exit is told Failed(Cancelled).
    let told = std::sync::Mutex::new(None);
    let scope = async_with::CancelScope::new();
    scope.cancel();
    let _ = block_on(scope.run(with(
        context(async |yielded| {
            let ((), outcome) = yielded.yield_(()).await;
            *told.lock().unwrap() = Some(outcome.is_cancelled());
            Ok(())
        }),
        async |()| {
            common::suspend(1).await;
            Ok(())
        },
    )));
    assert_eq!(*told.lock().unwrap(), Some(true));
}

#[test]
fn misuse_is_an_error_users_can_match() {
    use async_with::{MisuseError, nullcontext};
    let mut once = nullcontext(1);
    block_on(async {
        async_with::LocalAsyncContext::enter(&mut once)
            .await
            .unwrap();
        let error = async_with::LocalAsyncContext::enter(&mut once)
            .await
            .unwrap_err();
        assert_eq!(
            error.downcast_ref::<MisuseError>(),
            Some(&MisuseError::EnteredTwice {
                context: "nullcontext"
            })
        );
    });
}
