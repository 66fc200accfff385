//! A stack of `Send` parts is `Send`: its scope runs inside `tokio::spawn`
//! on a multi-threaded runtime, holding resources across awaits. The
//! compile-fail cases in `tests/ui-stack` show the other half: a `!Send` part
//! does not go into an `ExitStack`, and a `LocalExitStack` is `!Send`.

mod common;

use async_with::ExitStack;
use common::*;

#[test]
fn a_stack_scope_runs_inside_tokio_spawn_holding_resources_across_awaits() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let events = Events::new();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let events = events.clone();
            runtime.spawn(async move {
                ExitStack::new()
                    .scope(async |stack| {
                        let a = stack.enter(tracked(Spec::new("A"), &events)).await?;
                        let b = stack.enter(tracked(Spec::new("B"), &events)).await?;
                        tokio::task::yield_now().await;
                        a.touch();
                        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                        b.touch();
                        Ok(())
                    })
                    .await
            })
        })
        .collect();
    runtime.block_on(async {
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    });
    assert_eq!(events.count("exit A: success"), 8);
    assert_eq!(events.count("exit B: success"), 8);
}

#[test]
fn threads_entering_one_shared_stack_at_once_lose_no_entry() {
    // `enter` takes `&self` and the stack is `Sync`: threads may push at the
    // same moment. Every entry must be registered once and exited once.
    const THREADS: usize = 4;
    const PER_THREAD: usize = 500;
    let events = Events::new();
    let mut stack = ExitStack::new();
    std::thread::scope(|threads| {
        for _ in 0..THREADS {
            threads.spawn(|| {
                block_on(async {
                    for _ in 0..PER_THREAD {
                        let spec = Spec::new("A").steps(0);
                        stack.enter(tracked(spec, &events)).await?.touch();
                    }
                    Ok::<(), async_with::Error>(())
                })
                .unwrap();
            });
        }
    });
    assert_eq!(stack.len(), THREADS * PER_THREAD);
    block_on(stack.close()).unwrap();
    assert_eq!(events.count("exit A: success"), THREADS * PER_THREAD);
    assert_eq!(events.drops().len(), THREADS * PER_THREAD);
}

#[test]
fn stacks_that_must_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui-stack/*.rs");
}
