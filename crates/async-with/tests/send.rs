//! `Send`: a scope whose parts are `Send` is `Send`, so it can be spawned on
//! a multi-threaded runtime while the body holds `&mut resource` across
//! awaits. (tests/ui shows a `!Send` part makes it `!Send`.)

mod common;

use std::time::Duration;

use async_with::{Error, With, Yield, context, nullcontext, with};
use common::{Events, Res, Spec, tracked};

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn require_send<T: Send>(_: T) {}

async fn nested_scope(events: Events, id: u32) -> Result<u32, Error> {
    with(tracked(Spec::new("A"), &events), async |a| {
        tokio::task::yield_now().await;
        // Written inline: a generator-style context returned from a function
        // as `impl With` hides its future's type, and with it the `Send`ness
        // of the scope.
        let b = context(async |scope: Yield<'_, Res>| {
            tokio::task::yield_now().await;
            events.push("enter B");
            let (b, outcome) = scope.yield_(events.resource("B")).await;
            events.push(format!("exit B: {}", common::describe(&outcome)));
            tokio::task::yield_now().await;
            drop(b);
            Ok(())
        });
        b.with(async |b| {
            a.touch();
            tokio::time::sleep(Duration::from_millis(1)).await;
            b.touch();
            tokio::task::yield_now().await;
            a.touch();
            Ok(id)
        })
        .await
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_scopes_are_spawned_on_a_multi_threaded_runtime() {
    let mut tasks = Vec::new();
    let mut logs = Vec::new();
    for id in 0..16 {
        let events = Events::new();
        logs.push(events.clone());
        tasks.push(tokio::spawn(assert_send(nested_scope(events, id))));
    }
    for (id, task) in (0..).zip(tasks) {
        assert_eq!(task.await.unwrap().unwrap(), id);
    }
    for events in logs {
        assert_eq!(
            events.log(),
            [
                "enter A",
                "enter B",
                "use A",
                "use B",
                "use A",
                "exit B: success",
                "exit A: success"
            ]
        );
        assert_eq!(events.drops(), ["B", "A"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generator_style_scope_with_a_borrowed_resource_is_spawned() {
    let task = tokio::spawn(async {
        let greeting = context(async |scope: async_with::Yield<'_, String>| {
            tokio::task::yield_now().await;
            let (text, outcome) = scope.yield_(String::from("hello")).await;
            tokio::task::yield_now().await;
            assert!(outcome.is_success());
            assert_eq!(text, "hello, world");
            Ok(())
        });
        with(greeting, async |text| {
            tokio::time::sleep(Duration::from_millis(1)).await;
            text.push_str(", world");
            Ok(text.len())
        })
        .await
    });
    assert_eq!(task.await.unwrap().unwrap(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_and_its_aggregate_cross_threads() {
    let events = Events::new();
    let task = tokio::spawn({
        let events = events.clone();
        async move {
            with(
                tracked(Spec::new("A").exit(common::Act::Fail), &events),
                async |_: &mut Res| {
                    tokio::task::yield_now().await;
                    Err::<(), _>(common::BodyError("remote").into())
                },
            )
            .await
        }
    });
    let error = task.await.unwrap().unwrap_err();
    assert_eq!(
        common::messages(&error),
        ["body failed: remote", "exit A failed"]
    );
}

#[test]
fn helpers_make_send_scopes() {
    require_send(with(nullcontext(vec![1_u8]), async |v| {
        tokio::task::yield_now().await;
        Ok(v.len())
    }));
    require_send(with(async_with::suppress::<std::io::Error>(), async |()| {
        tokio::task::yield_now().await;
        Ok(())
    }));
    require_send(with(async_with::defer(async || Ok(())), async |()| Ok(())));
    require_send(with(async_with::timer(|_| {}), async |_| Ok(())));
}
