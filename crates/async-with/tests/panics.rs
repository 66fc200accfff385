//! Panics: caught at the scope boundary, every remaining exit still runs
//! told `Outcome::Panicked`, then the original panic resumes with its
//! original payload.

mod common;

use async_with::{Error, With, with};
use common::{Act, Boom, Events, Spec, generated, panic_payload, tracked};

fn boom(payload: Box<dyn std::any::Any + Send>) -> Boom {
    match payload.downcast::<Boom>() {
        Ok(boom) => *boom,
        Err(other) => panic!("the original payload was replaced: {other:?}"),
    }
}

#[test]
fn a_panic_in_the_body_runs_every_exit_then_resumes_the_payload() {
    let events = Events::new();
    let payload = panic_payload(with(tracked(Spec::new("A"), &events), async |_| {
        with(generated(Spec::new("B"), &events), async |_| {
            events.push("body");
            std::panic::panic_any(Boom("body"));
            #[allow(unreachable_code)]
            Ok::<(), Error>(())
        })
        .await
    }));
    assert_eq!(boom(payload), Boom("body"));
    assert_eq!(
        events.log(),
        [
            "enter A",
            "enter B",
            "body",
            "exit B: panicked",
            "exit A: panicked"
        ]
    );
    assert_eq!(events.drops(), ["B", "A"]);
}

#[test]
fn a_panic_message_comes_back_unchanged() {
    let events = Events::new();
    let payload = panic_payload(with(generated(Spec::new("A"), &events), async |res| {
        if res.name == "A" {
            panic!("invariant broken in {}", res.name);
        }
        Ok(())
    }));
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("invariant broken in A")
    );
    assert_eq!(events.log(), ["enter A", "exit A: panicked"]);

    let payload = panic_payload(with(tracked(Spec::new("B"), &events), async |_| {
        panic!("static message");
        #[allow(unreachable_code)]
        Ok(())
    }));
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"static message"));
}

#[test]
fn a_panic_in_an_exit_runs_the_outer_exits_then_resumes() {
    for generator_style in [false, true] {
        let events = Events::new();
        let inner = Spec::new("B").exit(Act::Panic);
        let payload = panic_payload(with(tracked(Spec::new("A"), &events), async |_| {
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
        assert_eq!(boom(payload), Boom("B"));
        assert_eq!(
            events.log(),
            [
                "enter A",
                "enter B",
                "body",
                "exit B: success",
                "exit A: panicked"
            ],
            "generator-style: {generator_style}"
        );
        assert_eq!(events.drops(), ["B", "A"]);
    }
}

#[test]
fn a_panic_in_an_inner_enter_runs_the_outer_exit_only() {
    for generator_style in [false, true] {
        let events = Events::new();
        let inner = Spec::new("B").enter(Act::Panic);
        let payload = panic_payload(with(tracked(Spec::new("A"), &events), async |_| {
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
        assert_eq!(boom(payload), Boom("B"));
        assert_eq!(
            events.log(),
            ["enter A", "enter B panics", "exit A: panicked"],
            "generator-style: {generator_style}"
        );
        assert_eq!(events.drops(), ["A"]);
    }
}

#[test]
fn a_panic_in_the_outermost_enter_runs_no_exit() {
    let events = Events::new();
    let payload = panic_payload(with(
        generated(Spec::new("A").enter(Act::Panic), &events),
        async |_| Ok(()),
    ));
    assert_eq!(boom(payload), Boom("A"));
    assert_eq!(events.log(), ["enter A panics"]);
    assert!(events.drops().is_empty());
}

#[test]
fn an_exit_cannot_suppress_a_panic() {
    let events = Events::new();
    let payload = panic_payload(with(tracked(Spec::new("A"), &events), async |_| {
        with(
            tracked(Spec::new("B").exit(Act::Suppress), &events),
            async |_| {
                std::panic::panic_any(Boom("body"));
                #[allow(unreachable_code)]
                Ok(())
            },
        )
        .await
    }));
    assert_eq!(boom(payload), Boom("body"));
    assert_eq!(
        events.log(),
        ["enter A", "enter B", "exit B: panicked", "exit A: panicked"]
    );
}

#[test]
fn a_panic_after_a_failed_body_still_resumes_the_panic() {
    let events = Events::new();
    let payload = panic_payload(with(tracked(Spec::new("A"), &events), async |_| {
        with(
            generated(Spec::new("B").exit(Act::Panic), &events),
            async |_| Err::<(), _>(common::BodyError("first").into()),
        )
        .await
    }));
    assert_eq!(boom(payload), Boom("B"));
    assert_eq!(
        events.log(),
        [
            "enter A",
            "enter B",
            "exit B: failed(body failed: first)",
            "exit A: panicked"
        ]
    );
}

#[test]
fn the_scope_works_again_after_a_caught_panic() {
    // The internal state of a context is not poisoned for later scopes.
    let events = Events::new();
    let _ = panic_payload(with(generated(Spec::new("A"), &events), async |_| {
        std::panic::panic_any(Boom("body"));
        #[allow(unreachable_code)]
        Ok(())
    }));
    let value = common::block_on(with(generated(Spec::new("B"), &events), async |_| Ok(1)));
    assert_eq!(value.unwrap(), 1);
}
