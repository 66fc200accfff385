//! Many generated programs, each cut after a random number of polls, run as
//! tasks of a multi-threaded runtime: every completed one must match the
//! model, every cut one must hand its exits to the runtime, and every error
//! an exit raised after a cut must reach the diagnostics hook.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_with::Runtime;
use async_with::diagnostics::{self, Diagnostic};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::cancel::{Cut, MARK, check, cut_after, faults_after_cut, settle};
use super::{Program, expected, program};
use crate::Journal;

/// One stress task: a program, and after how many polls it is dropped
/// (`None`: never).
#[derive(Clone, Debug)]
pub struct Task {
    /// The program.
    pub program: Program,
    /// How many polls before the task drops it.
    pub cut: Option<usize>,
}

/// `count` tasks drawn from [`super::program`] with a fixed
/// `seed`; half of them are cut after 0 to 39 polls.
///
/// # Examples
///
/// ```
/// let tasks = async_with_testkit::model::stress::tasks(3, 1);
/// assert_eq!(tasks.len(), 3);
/// ```
pub fn tasks(count: usize, seed: u64) -> Vec<Task> {
    let mut bytes = [0; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = (program(), prop::option::of(0..40_usize));
    (0..count)
        .map(|_| {
            let (program, cut) = strategy
                .new_tree(&mut runner)
                .expect("programs are always generated")
                .current();
            Task { program, cut }
        })
        .collect()
}

/// What one task did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Tasks that completed (and matched the model).
    pub completed: usize,
    /// Tasks dropped mid-way (and checked).
    pub cut: usize,
    /// Errors raised by exits that ran on the runtime after a cut.
    pub errors_after_cut: usize,
    /// Panics raised by exits that ran on the runtime after a cut.
    pub panics_after_cut: usize,
}

impl Tally {
    /// Adds `other` to this tally.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_testkit::model::stress::Tally;
    /// let mut total = Tally::default();
    /// total.add(Tally { completed: 1, ..Tally::default() });
    /// assert_eq!(total.completed, 1);
    /// ```
    pub fn add(&mut self, other: Tally) {
        self.completed += other.completed;
        self.cut += other.cut;
        self.errors_after_cut += other.errors_after_cut;
        self.panics_after_cut += other.panics_after_cut;
    }
}

/// Runs one task on the current task of `runtime`'s executor (its stacks
/// and nested `with`s bound to `runtime`), then checks it: a completed
/// program against the model (log, value, every error, panic payload), a
/// cut one with [`check`] once its exits ran on the runtime.
///
/// # Examples
///
/// See the adapters' `tests/model_stress.rs`.
pub async fn run_task<R: Runtime>(task: &Task, runtime: R) -> Result<Tally, String> {
    let journal = Journal::new();
    let polls = task.cut.unwrap_or(usize::MAX);
    let program = &task.program;
    match cut_after(program, &journal, runtime.clone(), polls).await {
        Cut::Completed(ending) => {
            let model = expected(program);
            let events = journal.events();
            if events != model.log || ending != model.ending || journal.live() != 0 {
                return Err(format!(
                    "completed task differs from the model\nprogram: {program:?}\n\
                     events: {events:#?}\nexpected: {:#?}\nending: {ending:?}\nexpected: {:?}",
                    model.log, model.ending
                ));
            }
            Ok(Tally {
                completed: 1,
                ..Tally::default()
            })
        }
        Cut::Dropped => {
            let sleep = |duration| runtime.sleep(duration);
            if !settle(program, &journal, &sleep).await {
                check(program, &journal, true)?;
                return Err(format!(
                    "exits handed to the runtime never ran\nprogram: {program:?}\nevents: {:#?}",
                    journal.events()
                ));
            }
            check(program, &journal, true)?;
            // What the exits run after the cut raised: the caller waits for
            // the diagnostics hook to see as many (`wait_reported`).
            let (errors, panics) = faults_after_cut(program, &journal);
            debug_assert!(journal.events().iter().any(|e| e == MARK));
            Ok(Tally {
                cut: 1,
                errors_after_cut: errors,
                panics_after_cut: panics,
                ..Tally::default()
            })
        }
    }
}

static ERRORS_AFTER_CANCEL: AtomicUsize = AtomicUsize::new(0);
static PANICS_AFTER_CANCEL: AtomicUsize = AtomicUsize::new(0);
static SKIPPED: AtomicUsize = AtomicUsize::new(0);

fn count(diagnostic: &Diagnostic<'_>) {
    match diagnostic {
        Diagnostic::ErrorsAfterCancel { errors } => {
            ERRORS_AFTER_CANCEL.fetch_add(errors.len(), Ordering::SeqCst);
        }
        Diagnostic::PanicAfterCancel => {
            PANICS_AFTER_CANCEL.fetch_add(1, Ordering::SeqCst);
        }
        Diagnostic::SkippedExits { count } => {
            SKIPPED.fetch_add(*count, Ordering::SeqCst);
        }
        _ => {}
    }
}

/// What the diagnostics hook received since [`count_diagnostics`]:
/// errors and panics of exits run after a cancellation, and exits skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reported {
    /// Errors reported by exits run after their scope was cancelled.
    pub errors_after_cancel: usize,
    /// Panics of exits run after their scope was cancelled.
    pub panics_after_cancel: usize,
    /// Exits skipped (dropped without running).
    pub skipped: usize,
}

/// Installs a diagnostics hook that counts what it receives (for the whole
/// process) and resets the counts.
///
/// # Examples
///
/// ```
/// use async_with_testkit::model::stress::{count_diagnostics, reported};
/// count_diagnostics();
/// assert_eq!(reported().skipped, 0);
/// ```
pub fn count_diagnostics() {
    ERRORS_AFTER_CANCEL.store(0, Ordering::SeqCst);
    PANICS_AFTER_CANCEL.store(0, Ordering::SeqCst);
    SKIPPED.store(0, Ordering::SeqCst);
    diagnostics::set_hook(count);
}

/// The counts since [`count_diagnostics`].
///
/// # Examples
///
/// See [`count_diagnostics`].
pub fn reported() -> Reported {
    Reported {
        errors_after_cancel: ERRORS_AFTER_CANCEL.load(Ordering::SeqCst),
        panics_after_cancel: PANICS_AFTER_CANCEL.load(Ordering::SeqCst),
        skipped: SKIPPED.load(Ordering::SeqCst),
    }
}

/// Waits (up to ten seconds) until the diagnostics hook has received at
/// least `tally`'s errors and panics after cancellation: the last exits run
/// on the runtime may still be finishing when their tasks are checked.
///
/// # Examples
///
/// ```
/// use async_with_testkit::model::stress::{Tally, count_diagnostics, wait_reported};
/// count_diagnostics();
/// assert!(wait_reported(&Tally::default()).errors_after_cancel == 0);
/// ```
pub fn wait_reported(tally: &Tally) -> Reported {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = reported();
        let done = now.errors_after_cancel >= tally.errors_after_cut
            && now.panics_after_cancel >= tally.panics_after_cut;
        if done || std::time::Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The process's peak resident memory in KiB (`VmHWM` in
/// `/proc/self/status`), where Linux reports it.
///
/// # Examples
///
/// ```
/// let _kib: Option<u64> = async_with_testkit::model::stress::peak_memory_kib();
/// ```
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The checks of a stress run, once its `count` tasks ended (`total`, in
/// `elapsed`) on the runtime `label` names: every task was either
/// completed or cut, some of each, no exit was skipped instead of run on
/// the runtime, and every error or panic raised by an exit run after a cut
/// reached the diagnostics hook. Prints the run's throughput and peak
/// memory.
///
/// # Panics
///
/// When a check fails, with what was counted.
///
/// # Examples
///
/// ```should_panic
/// use async_with_testkit::model::stress::{Tally, assert_lost_nothing};
/// // No task ran: nothing was completed or cut.
/// assert_lost_nothing("nothing", 0, &Tally::default(), std::time::Duration::ZERO);
/// ```
pub fn assert_lost_nothing(label: &str, count: usize, total: &Tally, elapsed: Duration) {
    let reported = wait_reported(total);
    assert_eq!(total.completed + total.cut, count);
    assert!(
        total.completed > 0 && total.cut > 0 && total.errors_after_cut > 0,
        "{total:?}"
    );
    assert_eq!(
        reported.skipped, 0,
        "exits skipped instead of run on {label}"
    );
    assert_eq!(
        (reported.errors_after_cancel, reported.panics_after_cancel),
        (total.errors_after_cut, total.panics_after_cut),
        "errors of exits run after a cut, reported vs raised"
    );
    println!(
        "{label}: {count} tasks ({} completed, {} cut, {} errors after cuts) in \
         {elapsed:.2?}: {:.0} tasks/s; peak memory {} KiB",
        total.completed,
        total.cut,
        total.errors_after_cut,
        count as f64 / elapsed.as_secs_f64(),
        peak_memory_kib().map_or("unknown".into(), |kib| kib.to_string()),
    );
}
