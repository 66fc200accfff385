//! Order of events in nested scopes: enters outermost first, exits innermost
//! first, each awaited, with enters and exits that really suspend.

mod common;

use async_with::{Error, With, with};
use common::{Events, Spec, generated, run_counting, strings, tracked};

const NESTED: [&str; 7] = [
    "enter A",
    "enter B",
    "body",
    "use A",
    "use B",
    "exit B: success",
    "exit A: success",
];

#[test]
fn nested_contexts_enter_outer_first_and_exit_inner_first() {
    let events = Events::new();
    let (result, pendings) = run_counting(with(tracked(Spec::new("A"), &events), async |a| {
        with(tracked(Spec::new("B"), &events), async |b| {
            events.push("body");
            a.touch();
            b.touch();
            Ok(42)
        })
        .await
    }));
    assert_eq!(result.unwrap(), 42);
    assert_eq!(events.log(), strings(&NESTED));
    // Two enters and two exits, each suspending twice.
    assert_eq!(pendings, 8);
    assert_eq!(events.drops(), ["B", "A"]);
}

#[test]
fn nested_generator_style_contexts_keep_the_same_order() {
    let events = Events::new();
    let (result, pendings) = run_counting(with(generated(Spec::new("A"), &events), async |a| {
        with(generated(Spec::new("B"), &events), async |b| {
            events.push("body");
            a.touch();
            b.touch();
            Ok("done")
        })
        .await
    }));
    assert_eq!(result.unwrap(), "done");
    assert_eq!(events.log(), strings(&NESTED));
    assert_eq!(pendings, 8);
    assert_eq!(events.drops(), ["B", "A"]);
}

#[test]
fn mixed_nesting_of_both_kinds_keeps_the_order() {
    let events = Events::new();
    let (result, pendings) =
        run_counting(tracked(Spec::new("A").steps(1), &events).with(async |a| {
            generated(Spec::new("B").steps(3), &events)
                .with(async |b| {
                    tracked(Spec::new("C").steps(2), &events)
                        .with(async |c| {
                            events.push("body");
                            a.touch();
                            b.touch();
                            c.touch();
                            Ok(())
                        })
                        .await
                })
                .await
        }));
    result.unwrap();
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "enter C",
            "body",
            "use A",
            "use B",
            "use C",
            "exit C: success",
            "exit B: success",
            "exit A: success",
        ])
    );
    assert_eq!(pendings, 2 * (1 + 3 + 2));
    assert_eq!(events.drops(), ["C", "B", "A"]);
}

#[test]
fn an_exit_is_awaited_before_the_next_one_starts() {
    // Each exit suspends several times and drops its resource last; the
    // outer exit starts only after that.
    let events = Events::new();
    let (result, _) = run_counting(with(
        tracked(Spec::new("A").steps(5), &events),
        async |_| {
            with(tracked(Spec::new("B").steps(5), &events), async |_| {
                Ok::<_, Error>(())
            })
            .await
        },
    ));
    result.unwrap();
    assert_eq!(
        events.full_log(),
        [
            "enter A",
            "enter B",
            "exit B: success",
            "drop B",
            "exit A: success",
            "drop A"
        ]
    );
}

#[test]
fn the_body_runs_between_the_enter_and_the_exit_with_the_resource_lent() {
    let events = Events::new();
    let (name, pendings) = run_counting(with(generated(Spec::new("A"), &events), async |a| {
        assert_eq!(events.log(), ["enter A"], "the body runs after the enter");
        Ok(a.name)
    }));
    assert_eq!(name.unwrap(), "A");
    assert_eq!(pendings, 4);
    assert_eq!(events.log(), ["enter A", "exit A: success"]);
}

#[test]
fn sequential_scopes_do_not_interleave() {
    let events = Events::new();
    futures_lite::future::block_on(async {
        for name in ["A", "B"] {
            with(tracked(Spec::new(name), &events), async |_| {
                events.push("body");
                Ok(())
            })
            .await?;
        }
        Ok::<_, Error>(())
    })
    .unwrap();
    assert_eq!(
        events.log(),
        [
            "enter A",
            "body",
            "exit A: success",
            "enter B",
            "body",
            "exit B: success"
        ]
    );
}
