//! Suppression: an exit that swallows the pending error turns the block into
//! a success for the exits after it; the caller is told the block has no
//! value (`Suppressed`, read as `None` by `allow_suppressed`), and a body
//! may return any type.

mod common;

use std::io;

use async_with::{AllowSuppressed, Error, Suppressed, With, suppress, suppress_if, with};
use common::{Act, BodyError, Events, ExitError, Spec, block_on, generated, messages, tracked};

#[test]
fn an_inner_exit_that_suppresses_makes_the_outer_exit_see_success() {
    for generator_style in [false, true] {
        let events = Events::new();
        let inner = Spec::new("B").exit(Act::Suppress);
        // Python: `async with A: (async with B: raise LookupError); rest`.
        let result: Result<Option<u32>, Error> =
            block_on(with(tracked(Spec::new("A"), &events), async |_| {
                let body = async |_: &mut common::Res| {
                    events.push("body");
                    Err(BodyError("lookup").into())
                };
                let scope = if generator_style {
                    generated(inner, &events).with(body).await
                } else {
                    tracked(inner, &events).with(body).await
                };
                scope.allow_suppressed()
            }));
        assert_eq!(result.unwrap(), None, "a suppressed block has no value");
        assert_eq!(
            events.log(),
            [
                "enter A",
                "enter B",
                "body",
                "exit B: failed(body failed: lookup)",
                "exit A: success",
            ],
            "generator-style: {generator_style}"
        );
        assert_eq!(events.drops(), ["B", "A"]);
    }
}

#[test]
fn a_suppressed_block_is_a_suppressed_error_that_allow_suppressed_reads_as_none() {
    let events = Events::new();
    let suppressed: Result<&str, Error> = block_on(with(
        tracked(Spec::new("A").exit(Act::Suppress), &events),
        async |_| Err(BodyError("x").into()),
    ));
    let error = suppressed.unwrap_err();
    assert_eq!(error.len(), 1);
    let why = error.downcast_ref::<Suppressed>().unwrap();
    let kept = why
        .suppressed_error()
        .expect("the suppressed error is kept");
    assert_eq!(kept.downcast_ref::<BodyError>(), Some(&BodyError("x")));
    let source = std::error::Error::source(why).expect("and is the source");
    assert_eq!(source.to_string(), "body failed: x");
    assert_eq!(Err::<&str, _>(error).allow_suppressed().unwrap(), None);

    let completed = block_on(with(
        tracked(Spec::new("A").exit(Act::Suppress), &events),
        async |_| Ok("value"),
    ))
    .allow_suppressed()
    .unwrap();
    assert_eq!(
        completed,
        Some("value"),
        "suppressing on success changes nothing"
    );
}

#[test]
fn a_body_may_return_a_value_without_default() {
    struct Report {
        lines: Vec<String>,
    }
    let dir = std::env::temp_dir();
    let events = Events::new();
    let (report, file) = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        let file = std::fs::File::open(&dir)?;
        Ok((
            Report {
                lines: vec!["ok".into()],
            },
            file,
        ))
    }))
    .unwrap();
    assert_eq!(report.lines, ["ok"]);
    assert!(file.metadata().unwrap().is_dir());
    assert_eq!(events.log(), ["enter A", "exit A: success"]);
}

#[test]
fn allow_suppressed_leaves_other_errors_alone() {
    let other: Result<u8, Error> = Err(BodyError("other").into());
    let error = other.allow_suppressed().unwrap_err();
    assert_eq!(error.downcast::<BodyError>().unwrap(), BodyError("other"));
    // An aggregate holding a `Suppressed` among other errors is an error.
    let events = Events::new();
    let both: Result<(), Error> = block_on(with(
        tracked(Spec::new("A").exit(Act::Fail), &events),
        async |_| {
            with(
                tracked(Spec::new("B").exit(Act::Suppress), &events),
                async |_| Err(BodyError("body").into()),
            )
            .await
        },
    ));
    let error = both.allow_suppressed().unwrap_err();
    assert_eq!(error.len(), 2);
    assert!(error.errors().next().unwrap().is::<Suppressed>());
}

#[test]
fn suppressing_swallows_every_earlier_error_too() {
    let events = Events::new();
    let result: Result<(), Error> = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(
            tracked(Spec::new("B").exit(Act::Suppress), &events),
            async |_| {
                with(
                    tracked(Spec::new("C").exit(Act::Fail), &events),
                    async |_| Err::<(), _>(BodyError("body").into()),
                )
                .await
            },
        )
        .await
        .allow_suppressed()?;
        Ok(())
    }));
    result.unwrap();
    assert_eq!(
        events.log(),
        [
            "enter A",
            "enter B",
            "enter C",
            "exit C: failed(body failed: body)",
            "exit B: failed(exit C failed (after 1 earlier error))",
            "exit A: success",
        ]
    );
}

#[test]
fn an_exit_failing_after_a_suppression_is_the_only_error() {
    let events = Events::new();
    let result: Result<(), Error> = block_on(with(
        tracked(Spec::new("A").exit(Act::Fail), &events),
        async |_| {
            with(
                tracked(Spec::new("B").exit(Act::Suppress), &events),
                async |_| Err::<(), _>(BodyError("body").into()),
            )
            .await
            .allow_suppressed()?;
            Ok(())
        },
    ));
    let error = result.unwrap_err();
    assert_eq!(messages(&error), ["exit A failed"]);
    assert_eq!(error.downcast::<ExitError>().unwrap(), ExitError("A"));
}

#[test]
fn suppress_by_type_swallows_a_matching_error() {
    let events = Events::new();
    let result: Result<Option<Vec<u8>>, Error> =
        block_on(with(tracked(Spec::new("A"), &events), async |_| {
            with(suppress::<BodyError>(), async |()| {
                events.push("body");
                Err(BodyError("expected").into())
            })
            .await
            .allow_suppressed()
        }));
    assert_eq!(result.unwrap(), None);
    assert_eq!(events.log(), ["enter A", "body", "exit A: success"]);
}

#[test]
fn suppress_by_type_lets_another_type_through() {
    let events = Events::new();
    let result: Result<(), Error> = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(suppress::<io::Error>(), async |()| {
            Err(BodyError("other").into())
        })
        .await
    }));
    assert_eq!(
        result.unwrap_err().downcast::<BodyError>().unwrap(),
        BodyError("other")
    );
    assert_eq!(
        events.log(),
        ["enter A", "exit A: failed(body failed: other)"]
    );
}

#[test]
fn suppress_by_type_passes_a_successful_value_through() {
    let value = block_on(with(suppress::<io::Error>(), async |()| Ok(5))).unwrap();
    assert_eq!(value, 5);
}

#[test]
fn suppress_by_type_splits_an_aggregate() {
    // The body failed with the suppressed type, then an exit failed after
    // it: as Python 3.12 splits a group, the body's error is suppressed and
    // the exit's goes on alone.
    let events = Events::new();
    let result: Result<(), Error> = block_on(with(suppress::<BodyError>(), async |()| {
        with(
            tracked(Spec::new("A").exit(Act::Fail), &events),
            async |_| Err(BodyError("first").into()),
        )
        .await
    }));
    let error = result.unwrap_err();
    assert_eq!(messages(&error), ["exit A failed"]);
}

#[test]
fn suppress_if_swallows_what_the_predicate_accepts() {
    let not_found = |error: &(dyn std::error::Error + Send + Sync + 'static)| {
        error
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::NotFound)
    };
    let events = Events::new();
    let matched: Result<Option<u8>, Error> =
        block_on(with(tracked(Spec::new("A"), &events), async |_| {
            with(suppress_if(not_found), async |()| {
                Err(io::Error::from(io::ErrorKind::NotFound).into())
            })
            .await
            .allow_suppressed()
        }));
    assert_eq!(matched.unwrap(), None);
    assert_eq!(events.log(), ["enter A", "exit A: success"]);

    let unmatched: Result<u8, Error> = block_on(with(suppress_if(not_found), async |()| {
        Err(io::Error::from(io::ErrorKind::PermissionDenied).into())
    }));
    let error = unmatched.unwrap_err().downcast::<io::Error>().unwrap();
    assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
}

#[test]
fn suppress_if_is_not_asked_on_success() {
    let asked = std::sync::atomic::AtomicBool::new(false);
    let value = block_on(with(
        suppress_if(|_: &(dyn std::error::Error + Send + Sync + 'static)| {
            asked.store(true, std::sync::atomic::Ordering::SeqCst);
            true
        }),
        async |()| Ok("fine"),
    ))
    .unwrap();
    assert_eq!(value, "fine");
    assert!(!asked.load(std::sync::atomic::Ordering::SeqCst));
}

#[test]
fn suppress_if_splits_an_aggregate_member_by_member() {
    let events = Events::new();
    let only_exits = |error: &(dyn std::error::Error + Send + Sync + 'static)| {
        error.to_string().starts_with("exit")
    };
    let result: Result<(), Error> = block_on(with(suppress_if(only_exits), async |()| {
        with(
            tracked(Spec::new("A").exit(Act::Fail), &events),
            async |_| Err(BodyError("first").into()),
        )
        .await
    }));
    let error = result.unwrap_err();
    assert_eq!(messages(&error), ["body failed: first"]);
    assert_eq!(error.downcast::<BodyError>().unwrap(), BodyError("first"));
}
