//! Generated `ExitStack` programs as tasks of a multi-thread tokio runtime,
//! half of them dropped after a random number of polls: every completed one
//! matches the model (so no error is lost), every dropped one has its exits
//! run on the runtime (none left alive), and every error those exits raise
//! reaches the diagnostics hook.
//!
//! CI runs 2,000 tasks. The full run (100,000 tasks, prints tasks/s and
//! peak memory):
//!
//! ```text
//! cargo test -p async-with-tokio --release --test model_stress -- --ignored --nocapture
//! ```

use std::sync::Arc;
use std::time::Instant;

use async_with_testkit::model::quiet;
use async_with_testkit::model::stress::{
    Tally, assert_lost_nothing, count_diagnostics, run_task, tasks,
};
use async_with_tokio::Tokio;

fn stress(count: usize) {
    quiet();
    count_diagnostics();
    let tasks = Arc::new(tasks(count, 0x5eed));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    let total = runtime.block_on(async {
        let handles: Vec<_> = (0..count)
            .map(|index| {
                let tasks = tasks.clone();
                tokio::spawn(async move { run_task(&tasks[index], Tokio).await })
            })
            .collect();
        let mut total = Tally::default();
        for handle in handles {
            match handle.await.expect("a task ends without panicking") {
                Ok(tally) => total.add(tally),
                Err(failure) => panic!("{failure}"),
            }
        }
        total
    });
    let elapsed = started.elapsed();
    // Checked while the runtime still runs the last exits after cuts.
    assert_lost_nothing("tokio, 2 workers", count, &total, elapsed);
    drop(runtime);
}

async_with_testkit::stress_tests!(stress);
