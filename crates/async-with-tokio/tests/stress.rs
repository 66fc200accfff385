//! 10,000 concurrent tasks on a multi-thread runtime, each nesting scopes
//! around a task group and an `ExitStack` of 0 to 3 probes; some fail, some
//! time out, some are aborted. Every resource entered is exited exactly
//! once and closed at the end.

use std::time::Duration;

use async_with_testkit::{Journal, suspend};
use async_with_tokio::{Error, ExitStack, TimedOut, task_group, timeout, with};

const TASKS: usize = 10_000;
const CHILDREN: usize = 3;

/// One task's work: two nested scopes around a group of children, each
/// child in a scope of its own. Every 7th task has a failing child; every
/// 11th never finishes and is stopped by a timeout.
async fn work(journal: Journal, task: usize) -> Result<usize, Error> {
    let outer = journal.probe("A").enter_suspends(1).exit_suspends(1);
    with(outer, async |_a| {
        with(journal.probe("B").exit_suspends(1), async |_b| {
            let sum = task_group(async |group| {
                let handles: Vec<_> = (0..CHILDREN)
                    .map(|child| {
                        let journal = journal.clone();
                        group.spawn(async move {
                            with(journal.probe("C").exit_suspends(1), async |_c| {
                                suspend(1).await;
                                if task % 7 == 0 && child == 1 {
                                    return Err(Error::msg("child failed"));
                                }
                                if task % 11 == 0 {
                                    std::future::pending::<()>().await;
                                }
                                Ok(child)
                            })
                            .await
                        })
                    })
                    .collect();
                Ok(handles)
            })
            .await?
            .into_iter()
            .map(|handle| handle.into_value().unwrap_or_default())
            .sum::<usize>();
            // A dynamic number of probes (0 to 3) on a stack bound to
            // `Tokio`: closed inline, or by the runtime if the task is
            // aborted; counted with the others below.
            ExitStack::new()
                .scope(async |stack| {
                    for _ in 0..task % 4 {
                        stack.enter(journal.probe("D").exit_suspends(1)).await?;
                    }
                    suspend(1).await;
                    Ok(())
                })
                .await?;
            Ok(sum)
        })
        .await
    })
    .await
}

#[test]
fn ten_thousand_tasks_close_every_resource() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let journal = Journal::new();
    let (ok, failed, timed_out, aborted) = runtime.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|task| {
                let journal = journal.clone();
                tokio::spawn(timeout(Duration::from_millis(200), work(journal, task)))
            })
            .collect();
        // Every 13th task is aborted mid-way: its scopes' exits are spawned.
        for (task, handle) in tasks.iter().enumerate() {
            if task % 13 == 5 {
                handle.abort();
            }
        }
        let (mut ok, mut failed, mut timed_out, mut aborted) = (0, 0, 0, 0);
        for handle in tasks {
            match handle.await {
                Ok(Ok(sum)) => {
                    assert_eq!(sum, (0..CHILDREN).sum::<usize>());
                    ok += 1;
                }
                // A child may fail too as the group stops: both are kept.
                Ok(Err(error)) if error.errors().any(|e| e.is::<TimedOut>()) => timed_out += 1,
                Ok(Err(error)) => {
                    assert_eq!(error.to_string(), "child failed");
                    failed += 1;
                }
                Err(join) => {
                    assert!(join.is_cancelled());
                    aborted += 1;
                }
            }
        }
        // Spawned exits of aborted tasks finish on the blocking pool.
        for _ in 0..20_000 {
            if journal.live() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        (ok, failed, timed_out, aborted)
    });
    drop(runtime);

    assert_eq!(ok + failed + timed_out + aborted, TASKS);
    assert!(
        ok > 0 && failed > 0 && timed_out > 0,
        "{ok} {failed} {timed_out} {aborted}"
    );
    assert_eq!(journal.live(), 0, "resources left open");
    let events = journal.events();
    let enters = events.iter().filter(|e| e.starts_with("enter ")).count();
    let exits = events
        .iter()
        .filter(|e| e.starts_with("exit ") && !e.ends_with(" done"))
        .count();
    let dropped = events.iter().filter(|e| e.starts_with("dropped ")).count();
    assert!(enters >= TASKS, "{enters} enters");
    assert!(
        events.iter().any(|e| e == "exit D: success"),
        "stack probes closed"
    );
    assert_eq!(dropped, 0, "resources dropped without their exit");
    assert_eq!(exits, enters, "every enter has exactly one exit");
    // Aborted tasks' exits ran on the blocking pool, told so.
    assert!(events.iter().any(|e| e.ends_with(": cancelled")));
}
