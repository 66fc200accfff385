//! Generated `ExitStack` programs as tasks of a smol executor run by three
//! threads, half of them dropped after a random number of polls: every
//! completed one matches the model (so no error is lost), every dropped one
//! has its exits run on smol (none left alive), and every error those
//! exits raise reaches the diagnostics hook.
//!
//! CI runs 2,000 tasks. The full run (100,000 tasks, prints tasks/s and
//! peak memory):
//!
//! ```text
//! cargo test -p async-with-smol --release --test model_stress -- --ignored --nocapture
//! ```

use std::sync::Arc;
use std::time::Instant;

use async_with_smol::Smol;
use async_with_testkit::model::quiet;
use async_with_testkit::model::stress::{
    Tally, assert_lost_nothing, count_diagnostics, run_task, tasks,
};

const THREADS: usize = 3;

fn stress(count: usize) {
    quiet();
    count_diagnostics();
    let tasks = Arc::new(tasks(count, 0x5eed));
    let executor = Arc::new(smol::Executor::new());
    let (stop, stopped) = smol::channel::unbounded::<()>();
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let executor = executor.clone();
            let stopped = stopped.clone();
            std::thread::spawn(move || smol::block_on(executor.run(stopped.recv())))
        })
        .collect();
    let started = Instant::now();
    let handles: Vec<_> = (0..count)
        .map(|index| {
            let tasks = tasks.clone();
            executor.spawn(async move { run_task(&tasks[index], Smol).await })
        })
        .collect();
    let total = smol::block_on(async {
        let mut total = Tally::default();
        for handle in handles {
            match handle.await {
                Ok(tally) => total.add(tally),
                Err(failure) => panic!("{failure}"),
            }
        }
        total
    });
    let elapsed = started.elapsed();
    let executor_threads = format!("smol, {THREADS} executor threads");
    assert_lost_nothing(&executor_threads, count, &total, elapsed);
    drop(stop);
    for thread in threads {
        let run = thread.join().expect("an executor thread ends");
        run.expect_err("the stop channel closes");
    }
}

async_with_testkit::stress_tests!(stress);
