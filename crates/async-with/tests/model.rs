//! Random nestings of every kind of context (`AsyncContext` impls,
//! `context`, `boxed_context`), each enter, exit and body succeeding,
//! failing, suppressing or panicking, checked against a model of Python's
//! `async with` semantics: the event log (what each exit was told), the
//! resources dropped, and what the caller gets (value, every error in order,
//! or the original panic).

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::Once;

use async_with::{Error, With, suppress_if, with};
use common::{
    Act, BodyError, Boom, Events, Res, Spec, boxed, generated, messages, suspend, tracked,
};
use proptest::prelude::*;

const NAMES: [&str; 6] = ["A", "B", "C", "D", "E", "F"];

/// Which way a level's context is written.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// An `AsyncContext` implementation.
    Tracked,
    /// `context(async |scope| ...)`.
    Generated,
    /// `boxed_context(|scope| async move { ... })`.
    Boxed,
}

#[derive(Clone, Copy, Debug)]
struct Level {
    kind: Kind,
    spec: Spec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Ok,
    Fail,
    Panic,
}

/// What the caller gets.
#[derive(Debug, PartialEq)]
enum Ending {
    Value(u32),
    Errors(Vec<String>),
    Panic(Boom),
}

fn level(index: usize) -> impl Strategy<Value = Level> {
    let enter = prop_oneof![6 => Just(Act::Ok), 1 => Just(Act::Fail), 1 => Just(Act::Panic)];
    let exit = prop_oneof![
        4 => Just(Act::Ok),
        2 => Just(Act::Fail),
        1 => Just(Act::Suppress),
        1 => Just(Act::Panic),
    ];
    let kind = prop_oneof![
        Just(Kind::Tracked),
        Just(Kind::Generated),
        Just(Kind::Boxed)
    ];
    (kind, enter, exit, 0..3_usize).prop_map(move |(kind, enter, exit, steps)| Level {
        kind,
        spec: Spec::new(NAMES[index]).enter(enter).exit(exit).steps(steps),
    })
}

fn levels() -> impl Strategy<Value = Vec<Level>> {
    (1..=NAMES.len()).prop_flat_map(|depth| (0..depth).map(level).collect::<Vec<_>>())
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![2 => Just(Body::Ok), 2 => Just(Body::Fail), 1 => Just(Body::Panic)]
}

/// Nests one scope per level, innermost last (boxed only to recurse).
fn nest<'a>(
    levels: &'a [Level],
    events: &'a Events,
    body: Body,
) -> Pin<Box<dyn Future<Output = Result<u32, Error>> + 'a>> {
    Box::pin(async move {
        let Some((level, inner)) = levels.split_first() else {
            events.push("body");
            suspend(1).await;
            return match body {
                Body::Ok => Ok(7),
                Body::Fail => Err(BodyError("body").into()),
                Body::Panic => std::panic::panic_any(Boom("body")),
            };
        };
        let rest = async |_: &mut Res| nest(inner, events, body).await;
        match level.kind {
            Kind::Tracked => tracked(level.spec, events).with(rest).await,
            Kind::Generated => generated(level.spec, events).with(rest).await,
            Kind::Boxed => boxed(level.spec, events).with(rest).await,
        }
    })
}

/// How Python would run it: the log, the drops, and the ending.
fn model(levels: &[Level], body: Body) -> (Vec<String>, Vec<&'static str>, Ending) {
    let mut log = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let mut panic: Option<&'static str> = None;
    let mut entered = 0;
    for level in levels {
        let name = level.spec.name;
        match level.spec.enter {
            Act::Fail => {
                log.push(format!("enter {name} failed"));
                errors.push(format!("enter {name} failed"));
                break;
            }
            Act::Panic => {
                log.push(format!("enter {name} panics"));
                panic = Some(name);
                break;
            }
            Act::Ok | Act::Suppress => {
                log.push(format!("enter {name}"));
                entered += 1;
            }
        }
    }
    let mut value = None;
    if entered == levels.len() {
        log.push("body".to_string());
        match body {
            Body::Ok => value = Some(7),
            Body::Fail => errors.push("body failed: body".to_string()),
            Body::Panic => panic = Some("body"),
        }
    }
    for level in levels[..entered].iter().rev() {
        let name = level.spec.name;
        let told = match (panic, errors.as_slice()) {
            (Some(_), _) => "panicked".to_string(),
            (None, []) => "success".to_string(),
            (None, [only]) => format!("failed({only})"),
            (None, [.., newest]) => match errors.len() - 1 {
                1 => format!("failed({newest} (after 1 earlier error))"),
                n => format!("failed({newest} (after {n} earlier errors))"),
            },
        };
        log.push(format!("exit {name}: {told}"));
        match level.spec.exit {
            Act::Ok => {}
            // The error is gone; so is the block's value: the scope returns
            // `Suppressed`, an error for the scopes outside it.
            Act::Suppress if panic.is_none() && !errors.is_empty() => {
                errors = vec![suppressed_text()];
            }
            Act::Suppress => {}
            Act::Fail => errors.push(format!("exit {name} failed")),
            Act::Panic => {
                panic.get_or_insert(name);
            }
        }
        if !errors.is_empty() {
            // The scope returns the error: the block's value is gone for
            // every scope outside it.
            value = None;
        }
        if panic.is_some() {
            // The panic resumes out of this scope; its errors go to the
            // diagnostics hook, and the outer exits are told "panicked".
            errors.clear();
        }
    }
    let drops = levels[..entered]
        .iter()
        .rev()
        .map(|l| l.spec.name)
        .collect();
    let ending = match (panic, errors.is_empty()) {
        (Some(name), _) => Ending::Panic(Boom(name)),
        (None, false) => Ending::Errors(errors),
        (None, true) => Ending::Value(value.expect("no error and no panic: the body returned")),
    };
    (log, drops, ending)
}

/// What `Suppressed`, the error of a block whose error was suppressed,
/// displays.
fn suppressed_text() -> String {
    let suppressed = with(suppress_if(|_| true), async |()| {
        Err::<(), _>(Error::msg("gone"))
    });
    common::block_on(suppressed).unwrap_err().to_string()
}

/// Keeps the expected panics and diagnostics of this binary off stderr.
fn quiet() {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<Boom>().is_none() {
                default(info);
            }
        }));
        async_with::diagnostics::set_hook(|_| {});
    });
}

fn run(levels: &[Level], body: Body) -> (Events, Ending) {
    let events = Events::new();
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        common::block_on(nest(levels, &events, body))
    }));
    let ending = match ran {
        Ok(Ok(value)) => Ending::Value(value),
        Ok(Err(error)) => Ending::Errors(messages(&error)),
        Err(payload) => match payload.downcast::<Boom>() {
            Ok(boom) => Ending::Panic(*boom),
            Err(other) => std::panic::resume_unwind(other),
        },
    };
    (events, ending)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nested_scopes_behave_like_python(levels in levels(), body in body()) {
        quiet();
        let (expected_log, expected_drops, expected_ending) = model(&levels, body);
        let (events, ending) = run(&levels, body);
        prop_assert_eq!(events.log(), expected_log);
        prop_assert_eq!(events.drops(), expected_drops);
        prop_assert_eq!(ending, expected_ending);
    }
}

#[test]
fn the_model_agrees_on_a_hand_checked_case() {
    quiet();
    // A suppresses, B fails its exit, the body fails: A sees both errors,
    // swallows them, and the caller is told the block has no value.
    let levels = [
        Level {
            kind: Kind::Boxed,
            spec: Spec::new("A").exit(Act::Suppress),
        },
        Level {
            kind: Kind::Generated,
            spec: Spec::new("B").exit(Act::Fail),
        },
    ];
    let (log, drops, ending) = model(&levels, Body::Fail);
    assert_eq!(
        log,
        [
            "enter A",
            "enter B",
            "body",
            "exit B: failed(body failed: body)",
            "exit A: failed(exit B failed (after 1 earlier error))",
        ]
    );
    assert_eq!(drops, ["B", "A"]);
    assert_eq!(ending, Ending::Errors(vec![suppressed_text()]));
    let (events, ran) = run(&levels, Body::Fail);
    assert_eq!(events.log(), log);
    assert_eq!(ran, ending);
}
