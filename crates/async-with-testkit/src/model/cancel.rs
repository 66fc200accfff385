//! Cancellation at every poll point: a program is polled `k` times with a
//! waker that counts wake-ups, then dropped, and what its exits did is
//! checked against the rules every scope must keep.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use super::run::{ModelPolicy, ending};
use super::{Ending, ExitAct, Op, Program, expected, name, run};
use async_with::Runtime;

use crate::{Harness, Journal};

/// The journal event written just before a cut program is dropped.
pub const MARK: &str = "cancelled here";

/// How a cut run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Cut {
    /// The program finished within its polls.
    Completed(Ending),
    /// The program was still pending after its polls and was dropped
    /// ([`MARK`] is in the journal just before what the drop did).
    Dropped,
}

#[derive(Debug, Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `program` at most `polls` times with a counting waker, then drops
/// it. Call it inside the runtime whose marker `policy` is (the drop hands
/// the skipped exits to it).
///
/// Every suspension of a program wakes itself, so a `Pending` without a
/// wake-up is a lost wake-up: an `Err`.
///
/// # Examples
///
/// ```
/// use async_with::NoRuntime;
/// use async_with_testkit::Journal;
/// use async_with_testkit::model::cancel::{Cut, check, cut};
/// use async_with_testkit::model::{End, ExitAct, Op, Program};
///
/// let program = Program {
///     ops: vec![Op::Enter { fails: false, exit: ExitAct::Ok, suspends: 0 }],
///     end: End::Ok,
/// };
/// let journal = Journal::new();
/// // enter, then the body suspends once: the second poll never comes
/// assert_eq!(cut(&program, &journal, NoRuntime, 1), Ok(Cut::Dropped));
/// assert_eq!(journal.events(), ["enter o0", "body", "cancelled here", "dropped o0"]);
/// check(&program, &journal, false).unwrap();
/// ```
pub fn cut<P: ModelPolicy>(
    program: &Program,
    journal: &Journal,
    policy: P,
    polls: usize,
) -> Result<Cut, String> {
    let waker = Arc::new(CountingWaker::default());
    let counter = waker.clone();
    let waker = Waker::from(waker);
    let mut cx = Context::from_waker(&waker);
    let mut future = Box::pin(run(program, journal, policy));
    for poll in 0..polls {
        let woken = counter.0.load(Ordering::SeqCst);
        match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx))) {
            Ok(Poll::Ready(result)) => return Ok(Cut::Completed(ending(Ok(result)))),
            Err(payload) => return Ok(Cut::Completed(ending(Err(payload)))),
            Ok(Poll::Pending) if counter.0.load(Ordering::SeqCst) == woken => {
                return Err(format!("poll {poll} returned Pending without a wake-up"));
            }
            Ok(Poll::Pending) => {}
        }
    }
    journal.record(MARK);
    drop(future);
    Ok(Cut::Dropped)
}

/// What each op of a program registered, by journal name.
fn kinds(program: &Program) -> HashMap<&'static str, (usize, Op)> {
    program
        .ops
        .iter()
        .enumerate()
        .map(|(index, op)| (name(index), (index, *op)))
        .collect()
}

fn subject<'e>(event: &'e str, prefix: &str) -> Option<&'e str> {
    let rest = event.strip_prefix(prefix)?;
    Some(rest.split(':').next().unwrap_or(rest))
}

/// Whether every exit that must run on a runtime has started (every entered
/// or pushed one), and no probe resource is alive.
///
/// # Examples
///
/// See [`settle`].
pub fn settled(program: &Program, journal: &Journal) -> bool {
    debug_assert!(program.is_valid());
    let events = journal.events();
    let started: HashSet<&str> = events
        .iter()
        .filter_map(|e| subject(e, "exit ").or_else(|| subject(e, "callback ")))
        .collect();
    let waiting = events
        .iter()
        .filter_map(|e| subject(e, "enter ").or_else(|| subject(e, "push ")))
        .any(|n| !started.contains(n));
    !waiting && journal.live() == 0
}

/// Waits (up to ten seconds, sleeping through `sleep`) until the exits a
/// cut program handed to its runtime have run; returns whether they did.
///
/// # Examples
///
/// ```
/// use async_with_testkit::Journal;
/// use async_with_testkit::model::cancel::settle;
/// use async_with_testkit::model::{End, Program};
///
/// # futures_lite::future::block_on(async {
/// let program = Program { ops: vec![], end: End::Ok };
/// assert!(settle(&program, &Journal::new(), &|_| async {}).await);
/// # });
/// ```
pub async fn settle<S, F>(program: &Program, journal: &Journal, sleep: &S) -> bool
where
    S: Fn(Duration) -> F,
    F: Future<Output = ()>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !settled(program, journal) {
        if Instant::now() > deadline {
            return false;
        }
        sleep(Duration::from_millis(1)).await;
    }
    true
}

/// Checks the journal of a cut (or completed) run of `program`:
///
/// - no enter, push, exit, callback or drop happened twice;
/// - no exit or callback ran without its enter or push before it;
/// - every entered resource was exited or dropped, never both, and none is
///   alive;
/// - after [`MARK`], exits are told `cancelled`;
/// - with `on_runtime`, every entered or pushed exit ran, and those run
///   after the cut ran in Python's order: the nested scopes' exits
///   innermost first, then the stack's, newest first (the runtime adapters
///   keep the order of exits handed over from one thread).
///
/// # Examples
///
/// See [`cut`].
pub fn check(program: &Program, journal: &Journal, on_runtime: bool) -> Result<(), String> {
    let kinds = kinds(program);
    let events = journal.events();
    let fail = |why: String| Err(format!("{why}\nprogram: {program:?}\nevents: {events:#?}"));
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut registered: HashSet<&str> = HashSet::new();
    let mut exited: HashSet<&str> = HashSet::new();
    let mut dropped: HashSet<&str> = HashSet::new();
    let mut after_mark = false;
    let mut cancelled_order = Vec::new();
    for event in &events {
        if event == MARK {
            after_mark = true;
            continue;
        }
        if event == "body" || event.ends_with(" done") {
            continue;
        }
        let (stage, who) = ["enter ", "push ", "exit ", "callback ", "dropped "]
            .iter()
            .find_map(|stage| subject(event, stage).map(|who| (stage.trim_end(), who)))
            .ok_or_else(|| format!("unknown event {event:?}"))?;
        if !seen.insert((stage, who)) {
            return fail(format!("{event:?} happened twice"));
        }
        match stage {
            "enter" | "push" => {
                registered.insert(who);
            }
            "exit" | "callback" => {
                if !registered.contains(who) {
                    return fail(format!("{event:?} without its enter or push"));
                }
                exited.insert(who);
                if after_mark {
                    let told_cancelled = stage == "callback" || event.ends_with(": cancelled");
                    if !told_cancelled {
                        return fail(format!("{event:?} ran after the cut, not told cancelled"));
                    }
                    if let Some((index, op)) = kinds.get(who) {
                        // Nested scopes first, innermost first, then the
                        // stack's exits, newest first.
                        let on_stack = !matches!(op, Op::Nest { .. });
                        cancelled_order.push((on_stack, std::cmp::Reverse(*index)));
                    }
                }
            }
            _ => {
                if !registered.contains(who) {
                    return fail(format!("{event:?} without its enter"));
                }
                if exited.contains(who) {
                    return fail(format!("{event:?} after its exit"));
                }
                dropped.insert(who);
            }
        }
    }
    if journal.live() != 0 {
        return fail(format!("{} probe resources alive", journal.live()));
    }
    for who in &registered {
        let entered = matches!(
            kinds.get(who),
            Some((_, Op::Enter { .. } | Op::Nest { .. }))
        );
        if entered && !exited.contains(who) && !dropped.contains(who) {
            return fail(format!("{who} was entered, neither exited nor dropped"));
        }
        if on_runtime && !exited.contains(who) {
            return fail(format!("{who}'s exit never ran on the runtime"));
        }
    }
    if on_runtime && cancelled_order.windows(2).any(|pair| pair[0] >= pair[1]) {
        return fail(format!(
            "exits run after the cut out of order: {cancelled_order:?}"
        ));
    }
    Ok(())
}

/// Runs `program` cut after 0, 1, 2, ... polls until it completes, each
/// time with a fresh journal, bound to `policy`; checks each cut run (with
/// [`check`], waiting for the runtime's exits with [`settle`] when
/// `on_runtime`) and the completed run against the model. Returns how many
/// cuts were checked.
///
/// # Examples
///
/// ```
/// use async_with::NoRuntime;
/// use async_with_testkit::model::cancel::every_poll;
/// use async_with_testkit::model::{End, ExitAct, Op, Program};
///
/// # futures_lite::future::block_on(async {
/// let program = Program {
///     ops: vec![Op::PushExit { exit: ExitAct::Fail, suspends: 2 }],
///     end: End::Fail,
/// };
/// // cut after 0, 1, 2 and 3 polls, then completed on the fifth
/// assert_eq!(every_poll(&program, NoRuntime, false, &|_| async {}).await, Ok(4));
/// # });
/// ```
pub async fn every_poll<P, S, F>(
    program: &Program,
    policy: P,
    on_runtime: bool,
    sleep: &S,
) -> Result<usize, String>
where
    P: ModelPolicy,
    S: Fn(Duration) -> F,
    F: Future<Output = ()>,
{
    let model = expected(program);
    for polls in 0.. {
        let journal = Journal::new();
        match cut(program, &journal, policy.clone(), polls)? {
            Cut::Completed(ending) => {
                let events = journal.events();
                if events != model.log || ending != model.ending {
                    return Err(format!(
                        "completed run differs from the model\nprogram: {program:?}\n\
                         events: {events:#?}\nexpected: {:#?}\nending: {ending:?}\nexpected: {:?}",
                        model.log, model.ending
                    ));
                }
                return Ok(polls);
            }
            Cut::Dropped => {
                if on_runtime && !settle(program, &journal, sleep).await {
                    check(program, &journal, on_runtime)?;
                    return Err(format!(
                        "exits handed to the runtime never ran\nprogram: {program:?}\n\
                         events: {:#?}",
                        journal.events()
                    ));
                }
                check(program, &journal, on_runtime)?;
            }
        }
    }
    unreachable!("a program completes after finitely many polls")
}

/// [`every_poll`] on a runtime adapter's [`Harness`]: the program is cut
/// inside `H::block_on`, and the skipped exits go to `H::runtime()`.
///
/// # Examples
///
/// With a [`Harness`] (see there), in an adapter's test:
/// `every_poll_on::<TokioHarness>(&program).unwrap()`; see
/// [`every_poll`] for what is checked.
pub fn every_poll_on<H: Harness>(program: &Program) -> Result<usize, String> {
    let runtime = H::runtime();
    let sleep = |duration| runtime.sleep(duration);
    H::block_on(every_poll(program, H::runtime(), true, &sleep))
}

/// Runs `program` on the current task's executor (polled with the task's
/// own waker, so it really suspends), dropping it once it has been polled
/// `polls` times without completing: random cancellation for stress tests.
///
/// # Examples
///
/// ```
/// use async_with::NoRuntime;
/// use async_with_testkit::Journal;
/// use async_with_testkit::model::cancel::{Cut, cut_after};
/// use async_with_testkit::model::{End, Program};
///
/// let program = Program { ops: vec![], end: End::Ok };
/// let cut = futures_lite::future::block_on(cut_after(&program, &Journal::new(), NoRuntime, 1));
/// assert_eq!(cut, Cut::Dropped); // the body suspends once
/// ```
pub async fn cut_after<P: ModelPolicy>(
    program: &Program,
    journal: &Journal,
    policy: P,
    polls: usize,
) -> Cut {
    let mut future = Some(Box::pin(run(program, journal, policy)));
    let mut count = 0;
    std::future::poll_fn(|cx| {
        let Some(running) = future.as_mut() else {
            return Poll::Ready(Cut::Dropped);
        };
        if count == polls {
            journal.record(MARK);
            future = None;
            return Poll::Ready(Cut::Dropped);
        }
        count += 1;
        match catch_unwind(AssertUnwindSafe(|| running.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(Cut::Completed(ending(Ok(result)))),
            Err(payload) => Poll::Ready(Cut::Completed(ending(Err(payload)))),
        }
    })
    .await
}

/// How many errors and panics the exits run after the cut raised (they go
/// to [`diagnostics`](async_with::diagnostics), as no caller is left):
/// `(errors, panics)`, from the journal of a cut run.
///
/// # Examples
///
/// ```
/// use async_with_testkit::Journal;
/// use async_with_testkit::model::cancel::faults_after_cut;
/// use async_with_testkit::model::{End, Program};
///
/// let program = Program { ops: vec![], end: End::Ok };
/// assert_eq!(faults_after_cut(&program, &Journal::new()), (0, 0));
/// ```
pub fn faults_after_cut(program: &Program, journal: &Journal) -> (usize, usize) {
    let kinds = kinds(program);
    let events = journal.events();
    let Some(mark) = events.iter().position(|e| e == MARK) else {
        return (0, 0);
    };
    let (mut errors, mut panics) = (0, 0);
    for event in &events[mark + 1..] {
        let callback = subject(event, "callback ");
        let Some(who) = subject(event, "exit ").or(callback) else {
            continue;
        };
        if event.ends_with(" done") {
            continue;
        }
        match kinds.get(who).map(|(_, op)| *op) {
            Some(Op::PushCallback { fails: true }) if callback.is_some() => errors += 1,
            Some(Op::Enter { exit, .. } | Op::PushExit { exit, .. } | Op::Nest { exit, .. })
                if callback.is_none() =>
            {
                match exit {
                    ExitAct::Fail => errors += 1,
                    ExitAct::Panic => panics += 1,
                    ExitAct::Ok | ExitAct::Suppress => {}
                }
            }
            _ => {}
        }
    }
    (errors, panics)
}

/// Runs [`every_poll_on`] for `cases` generated programs of up to
/// `max_ops` operations (proptest, with shrinking; failing seeds are saved
/// to `regressions`, relative to the crate being tested, and replayed
/// first). Panics with the minimal failing program.
///
/// # Examples
///
/// With a [`Harness`] (see there), in an adapter's test:
/// `every_poll_cases::<TokioHarness>(300, 16, "proptest-regressions/cancel.txt")`.
pub fn every_poll_cases<H: Harness>(cases: u32, max_ops: usize, regressions: &'static str) {
    use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};

    let config = Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        source_file: Some(regressions),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&super::program_up_to(max_ops), |program| {
        every_poll_on::<H>(&program)
            .map(drop)
            .map_err(TestCaseError::fail)
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
