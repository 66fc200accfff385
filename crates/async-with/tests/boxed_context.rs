//! `boxed_context`: a generator-style context that is an `AsyncContext`, so
//! it goes on a `Send` stack, into `tokio::spawn`, and to a runtime that
//! runs its exit after the scope was cancelled.

mod common;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use async_with::{
    AllowSuppressed, AsyncContext, BoxedContext, Error, Exit, ExitStack, MisuseError, Outcome,
    Runtime, Yield, boxed_context, with, with_runtime,
};
use common::*;

/// The tutorial's `make_connection`, logging to `events`.
fn connection(name: &'static str, events: &Events) -> BoxedContext<Res> {
    let events = events.clone();
    boxed_context(move |scope: Yield<'static, Res>| async move {
        suspend(1).await;
        events.push(format!("enter {name}"));
        let (resource, outcome) = scope.yield_(events.resource(name)).await;
        events.push(format!("exit {name}: {}", describe(&outcome)));
        suspend(1).await;
        drop(resource);
        Ok(())
    })
}

#[test]
fn boxed_contexts_on_a_send_stack_exit_newest_first_with_the_outcome() {
    let events = Events::new();
    let error = block_on(ExitStack::new().scope(async |stack| {
        let a = stack.enter(connection("A", &events)).await?;
        let b = stack.enter(connection("B", &events)).await?;
        a.touch();
        b.touch();
        Err::<(), _>(BodyError("query").into())
    }))
    .unwrap_err();
    assert!(error.is::<BodyError>());
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "enter B",
            "use A",
            "use B",
            "exit B: failed(body failed: query)",
            "exit A: failed(body failed: query)",
        ])
    );
    assert_eq!(events.drops(), ["B", "A"]);
}

#[test]
fn a_boxed_context_suppresses_at_its_yield_point() {
    let value: Option<u8> = block_on(with(
        boxed_context(|scope: Yield<'static, ()>| async move {
            let ((), outcome) = scope.yield_(()).await;
            Ok(match outcome {
                Outcome::Failed(_) => Exit::Suppress,
                _ => Exit::Propagate,
            })
        }),
        async |()| Err::<u8, _>(BodyError("ignored").into()),
    ))
    .allow_suppressed()
    .unwrap();
    assert_eq!(value, None);
}

#[test]
fn misuse_is_an_error_and_enters_nothing() {
    let events = Events::new();
    let never_yields = boxed_context(|_scope: Yield<'static, ()>| async { Ok(()) });
    let fails_first = boxed_context(|_scope: Yield<'static, ()>| async {
        Err::<(), _>(EnterError("before yield").into())
    });
    let (no_yield, failed) = block_on(async {
        let stack = ExitStack::new();
        let no_yield = stack.enter(never_yields).await.map(|_| ()).unwrap_err();
        let failed = stack.enter(fails_first).await.map(|_| ()).unwrap_err();
        assert!(stack.is_empty(), "nothing was registered");
        (no_yield, failed)
    });
    assert_eq!(
        no_yield.downcast::<MisuseError>().unwrap(),
        MisuseError::NoYield
    );
    assert_eq!(
        failed.downcast::<EnterError>().unwrap(),
        EnterError("before yield")
    );
    assert!(events.log().is_empty());
}

#[test]
fn a_boxed_context_that_drops_its_yield_is_reported() {
    let result = block_on(with(
        boxed_context(|scope: Yield<'static, u8>| async move {
            let mut resume = pin!(scope.yield_(1));
            // Poll the yield once (the block runs), then abandon it.
            std::future::poll_fn(|cx| {
                let _ = resume.as_mut().poll(cx);
                Poll::Ready(())
            })
            .await;
            futures_lite::future::yield_now().await;
            Ok(())
        }),
        async |n| Ok(*n),
    ));
    let error = result.unwrap_err();
    assert_eq!(
        error.downcast::<MisuseError>().unwrap(),
        MisuseError::AbandonedYield
    );
}

#[test]
fn a_boxed_context_stack_runs_inside_tokio_spawn() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let events = Events::new();
    let task_events = events.clone();
    runtime
        .block_on(runtime.spawn(async move {
            ExitStack::new()
                .scope(async |stack| {
                    let a = stack.enter(connection("A", &task_events)).await?;
                    tokio::task::yield_now().await;
                    a.touch();
                    Ok(())
                })
                .await
        }))
        .unwrap()
        .unwrap();
    assert_eq!(events.count("exit A: success"), 1);
}

/// Runs each task on a fresh thread, collecting the threads.
#[derive(Clone, Debug)]
struct Threads(std::sync::mpsc::Sender<std::thread::JoinHandle<()>>);

impl Runtime for Threads {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
        let handle = std::thread::spawn(move || block_on(task));
        self.0.send(handle).expect("the test keeps the receiver");
    }

    fn sleep(
        &self,
        duration: std::time::Duration,
    ) -> impl Future<Output = ()> + Send + 'static + use<> {
        async move { std::thread::sleep(duration) }
    }
}

#[test]
fn a_cancelled_scope_hands_a_boxed_contexts_exit_to_the_runtime() {
    let events = Events::new();
    let (sender, threads) = std::sync::mpsc::channel();
    {
        let scope = with_runtime(
            Threads(sender),
            connection("A", &events),
            async |resource: &mut Res| {
                resource.touch();
                std::future::pending::<()>().await;
                Ok(())
            },
        );
        let mut scope = pin!(scope);
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..8 {
            assert!(scope.as_mut().poll(&mut cx).is_pending());
        }
    } // dropped mid-block
    threads.recv().unwrap().join().unwrap();
    assert_eq!(
        events.log(),
        strings(&["enter A", "use A", "exit A: cancelled"])
    );
    assert_eq!(events.drops(), ["A"]);
}

#[test]
fn a_boxed_context_allocates_its_future_and_its_slot_and_its_closure_if_it_captures() {
    block_on(async {}); // the executor's first use on this thread allocates
    let info = allocation_counter::measure(|| {
        block_on(with(
            boxed_context(|scope: Yield<'static, u64>| async move {
                let (n, _) = scope.yield_(1).await;
                assert_eq!(n, 2);
                Ok(())
            }),
            async |n| {
                *n += 1;
                Ok(())
            },
        ))
        .unwrap();
    });
    // The closure captures nothing: boxing it allocates nothing.
    assert_eq!(info.count_total, 2);
}

#[test]
fn a_function_returning_a_boxed_context_keeps_the_scope_send() {
    fn assert_send<T: Send>(_: &T) {}
    let events = Events::new();
    let scope = with(connection("A", &events), async |resource: &mut Res| {
        futures_lite::future::yield_now().await;
        resource.touch();
        Ok(())
    });
    assert_send(&scope);
    block_on(scope).unwrap();
    assert_eq!(
        events.log(),
        strings(&["enter A", "use A", "exit A: success"])
    );
}

#[test]
fn entering_twice_or_exiting_unentered_is_an_error_not_a_panic() {
    block_on(async {
        let mut context = boxed_context(|scope: Yield<'static, ()>| async move {
            let _ = scope.yield_(()).await;
            Ok(())
        });
        context.enter().await.unwrap();
        let again = context.enter().await.unwrap_err();
        assert_eq!(again.to_string(), "generator-style context entered twice");
        assert!(matches!(
            again.downcast_ref::<async_with::MisuseError>(),
            Some(async_with::MisuseError::EnteredTwice { .. })
        ));
        let fresh = boxed_context(|_: Yield<'static, ()>| async { Ok(()) });
        let error: Error = fresh.exit((), Outcome::Success).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "generator-style context exited without being entered"
        );
    });
}

#[test]
fn entering_twice_keeps_the_first_entry_and_its_cleanup() {
    let events = Events::new();
    let in_exit = events.clone();
    block_on(async {
        let mut context = boxed_context(move |scope: Yield<'static, u8>| async move {
            let (value, outcome) = scope.yield_(7).await;
            in_exit.push(format!("cleanup {value}: {}", describe(&outcome)));
            Ok(())
        });
        let first = context.enter().await.unwrap();
        assert!(context.enter().await.is_err());
        let exited = context.exit(first, Outcome::Success).await.unwrap();
        assert_eq!(exited, async_with::Exit::Propagate);
    });
    assert_eq!(events.log(), strings(&["cleanup 7: success"]));
}
