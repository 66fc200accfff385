//! Generated `ExitStack` programs as tasks of a smol executor run by three
//! threads, half of them dropped after a random number of polls: every
//! completed one matches the model (so no error is lost), every dropped one
//! has its exits run on smol's blocking pool (none left alive), and every
//! error those exits raise reaches the diagnostics hook.
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
    Tally, count_diagnostics, peak_memory_kib, run_task, tasks, wait_reported,
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
    let reported = wait_reported(&total);
    drop(stop);
    for thread in threads {
        let run = thread.join().expect("an executor thread ends");
        run.expect_err("the stop channel closes");
    }

    assert_eq!(total.completed + total.cut, count);
    assert!(
        total.completed > 0 && total.cut > 0 && total.errors_after_cut > 0,
        "{total:?}"
    );
    assert_eq!(reported.skipped, 0, "exits skipped instead of run on smol");
    assert_eq!(
        (reported.errors_after_cancel, reported.panics_after_cancel),
        (total.errors_after_cut, total.panics_after_cut),
        "errors of exits run after a cut, reported vs raised"
    );
    println!(
        "smol, {THREADS} executor threads: {count} tasks ({} completed, {} cut, {} errors \
         after cuts) in {elapsed:.2?}: {:.0} tasks/s; peak memory {} KiB",
        total.completed,
        total.cut,
        total.errors_after_cut,
        count as f64 / elapsed.as_secs_f64(),
        peak_memory_kib().map_or("unknown".into(), |kib| kib.to_string()),
    );
}

#[test]
fn two_thousand_random_programs_lose_nothing() {
    stress(2_000);
}

#[test]
#[ignore = "the full run: 100,000 tasks, use --release"]
fn hundred_thousand_random_programs_lose_nothing() {
    stress(100_000);
}
