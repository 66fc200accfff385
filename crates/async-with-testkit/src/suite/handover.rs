//! Exits handed to the runtime by dropped scopes, attacked the way
//! production does: tasks whose exits depend on each other, thousands of
//! tasks aborted at once, a join point, a runtime shut down under exits
//! that await its timer or never finish.
//!
//! These checks run one at a time ([`handover!`](crate::handover)): one of
//! them counts the process's threads.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use async_lock::{Mutex as AsyncMutex, MutexGuardArc};
use async_with::diagnostics;
use async_with::{AsyncContext, Error, Exit, Outcome, Runtime, defer, handover, with_runtime};
use futures_lite::future::{or, poll_once};

use super::{PATIENCE, eventually, eventually_blocking};
use crate::{Harness, NotRun};

/// One handover check at a time in a process: the storm counts threads.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Lets a test abort a task it spawned: the task's future is dropped inside
/// the task at its next poll, as a runtime's abort does.
#[derive(Clone, Default)]
struct AbortHandle(Arc<AbortState>);

#[derive(Default)]
struct AbortState {
    aborted: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl AbortHandle {
    fn abort(&self) {
        self.0.aborted.store(true, Ordering::SeqCst);
        let waker = self
            .0
            .waker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

struct Abortable<F> {
    future: Option<Pin<Box<F>>>,
    handle: AbortHandle,
}

impl<F: Future<Output = ()>> Future for Abortable<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self
            .handle
            .0
            .waker
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
        if self.handle.0.aborted.load(Ordering::SeqCst) {
            self.future = None; // dropped here, inside the task
            return Poll::Ready(());
        }
        match self.future.as_mut() {
            Some(future) => future.as_mut().poll(cx),
            None => Poll::Ready(()),
        }
    }
}

/// Spawns `future` on the harness's runtime; the handle aborts it.
fn spawn_abortable<H: Harness>(future: impl Future<Output = ()> + Send + 'static) -> AbortHandle {
    let handle = AbortHandle::default();
    H::runtime().spawn(Abortable {
        future: Some(Box::pin(future)),
        handle: handle.clone(),
    });
    handle
}

/// A lock held through a context: the enter locks, the exit awaits the
/// runtime's timer (a flush, say) and then unlocks.
struct HoldsLock<R> {
    mutex: Arc<AsyncMutex<()>>,
    runtime: R,
    released: Arc<AtomicBool>,
}

impl<R: Runtime> AsyncContext for HoldsLock<R> {
    type Resource = MutexGuardArc<()>;

    async fn enter(&mut self) -> Result<MutexGuardArc<()>, Error> {
        Ok(self.mutex.lock_arc().await)
    }

    async fn exit(self, guard: MutexGuardArc<()>, _: Outcome) -> Result<Exit, Error> {
        self.runtime.sleep(Duration::from_millis(1)).await;
        drop(guard);
        self.released.store(true, Ordering::SeqCst);
        Ok(Exit::Propagate)
    }
}

/// Whether the body of a spawned scope has started.
fn entered_flag() -> (Arc<AtomicBool>, Arc<AtomicBool>) {
    let flag = Arc::new(AtomicBool::new(false));
    (Arc::clone(&flag), flag)
}

/// Two tasks, each suspended in a scope; task 1's scope holds a lock, task
/// 2's exit needs it. Both are aborted, task 2 first, so its exit is handed
/// over first and waits for the lock that only task 1's exit releases.
/// Both exits must run: an exit never waits for an unrelated task's. 30
/// rounds.
pub fn exits_of_unrelated_tasks_never_wait_for_each_other<H: Harness>() {
    let _one = one_at_a_time();
    H::block_on(async {
        for round in 0..30 {
            let mutex = Arc::new(AsyncMutex::new(()));
            let released = Arc::new(AtomicBool::new(false));
            let acquired = Arc::new(AtomicBool::new(false));

            let holder = HoldsLock {
                mutex: Arc::clone(&mutex),
                runtime: H::runtime(),
                released: Arc::clone(&released),
            };
            let (holding, held) = entered_flag();
            let rt = H::runtime();
            let task_1 = spawn_abortable::<H>(async move {
                let _ = with_runtime(rt, holder, async |_guard| {
                    holding.store(true, Ordering::SeqCst);
                    std::future::pending::<Result<(), Error>>().await
                })
                .await;
            });
            assert!(eventually::<H>(|| held.load(Ordering::SeqCst)).await);

            let needs_lock = {
                let (mutex, acquired) = (Arc::clone(&mutex), Arc::clone(&acquired));
                defer(async move || {
                    let _guard = mutex.lock().await;
                    acquired.store(true, Ordering::SeqCst);
                    Ok(())
                })
            };
            let (waiting, waits) = entered_flag();
            let rt = H::runtime();
            let task_2 = spawn_abortable::<H>(async move {
                let _ = with_runtime(rt, needs_lock, async |()| {
                    waiting.store(true, Ordering::SeqCst);
                    std::future::pending::<Result<(), Error>>().await
                })
                .await;
            });
            assert!(eventually::<H>(|| waits.load(Ordering::SeqCst)).await);

            task_2.abort();
            task_1.abort();
            let both = eventually::<H>(|| {
                released.load(Ordering::SeqCst) && acquired.load(Ordering::SeqCst)
            })
            .await;
            assert!(
                both,
                "round {round}: released {}, acquired {}",
                released.load(Ordering::SeqCst),
                acquired.load(Ordering::SeqCst)
            );
        }
    });
}

/// Whether [`handover::join`] returned within [`PATIENCE`].
async fn joined_within_patience<H: Harness>() -> bool {
    or(
        async {
            handover::join().await;
            true
        },
        async {
            H::runtime().sleep(PATIENCE).await;
            false
        },
    )
    .await
}

/// How many tasks the storm aborts.
const STORM: usize = 10_000;

/// The process's OS threads, where the platform tells.
fn threads() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("Threads:"))?;
    line["Threads:".len()..].trim().parse().ok()
}

/// 10,000 tasks, each suspended in two nested scopes whose inner exit awaits
/// the runtime's timer, all aborted at once: every exit runs once, the
/// inner before the outer in each task, the join point sees them all, and
/// the process starts no OS thread for them (on Linux, where it can count).
pub fn a_storm_of_aborted_tasks_runs_every_exit_once_innermost_first<H: Harness>() {
    let _one = one_at_a_time();
    let inner_done = Arc::new(AtomicUsize::new(0));
    let outer_done = Arc::new(AtomicUsize::new(0));
    let out_of_order = Arc::new(AtomicUsize::new(0));
    let entered = Arc::new(AtomicUsize::new(0));
    let (threads_before, threads_peak) = H::block_on(async {
        // Warm up: whatever threads the runtime starts for tasks and timers.
        let warm = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&warm);
        let rt = H::runtime();
        H::runtime().spawn(async move {
            rt.sleep(Duration::from_millis(1)).await;
            flag.store(true, Ordering::SeqCst);
        });
        assert!(eventually::<H>(|| warm.load(Ordering::SeqCst)).await);
        let before = threads();
        let mut peak = before;
        let mut note = || {
            if let (Some(now), Some(peak)) = (threads(), peak.as_mut()) {
                *peak = (*peak).max(now);
            }
        };

        let mut tasks = Vec::with_capacity(STORM);
        for _ in 0..STORM {
            let state = Arc::new(AtomicU8::new(0));
            let (rt, entered) = (H::runtime(), Arc::clone(&entered));
            let outer = {
                let (state, done, wrong) = (
                    Arc::clone(&state),
                    Arc::clone(&outer_done),
                    Arc::clone(&out_of_order),
                );
                defer(async move || {
                    if state.load(Ordering::SeqCst) != 1 {
                        wrong.fetch_add(1, Ordering::SeqCst);
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
            };
            let inner = {
                let (rt, done) = (H::runtime(), Arc::clone(&inner_done));
                defer(async move || {
                    rt.sleep(Duration::from_millis(1)).await;
                    state.store(1, Ordering::SeqCst);
                    done.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
            };
            tasks.push(spawn_abortable::<H>(async move {
                let _ = with_runtime(rt.clone(), outer, async |()| {
                    with_runtime(rt, inner, async |()| {
                        entered.fetch_add(1, Ordering::SeqCst);
                        std::future::pending::<Result<(), Error>>().await
                    })
                    .await
                })
                .await;
            }));
        }
        assert!(
            eventually::<H>(|| {
                note();
                entered.load(Ordering::SeqCst) == STORM
            })
            .await,
            "only {} of {STORM} tasks entered",
            entered.load(Ordering::SeqCst)
        );
        for task in &tasks {
            task.abort();
        }
        note();
        let joined = joined_within_patience::<H>().await;
        note();
        assert!(
            eventually::<H>(|| {
                note();
                outer_done.load(Ordering::SeqCst) == STORM
            })
            .await,
            "exits run: {} inner, {} outer of {STORM}",
            inner_done.load(Ordering::SeqCst),
            outer_done.load(Ordering::SeqCst)
        );
        assert!(joined, "handover::join did not return");
        (before, peak)
    });
    assert_eq!(inner_done.load(Ordering::SeqCst), STORM);
    assert_eq!(outer_done.load(Ordering::SeqCst), STORM);
    assert_eq!(
        out_of_order.load(Ordering::SeqCst),
        0,
        "outer exits ran before inner ones"
    );
    if let (Some(before), Some(peak)) = (threads_before, threads_peak) {
        assert!(
            peak <= before,
            "the storm started OS threads: {before} before, {peak} at the peak"
        );
    }
}

/// Tasks aborted while suspended in scopes whose exits take a while:
/// [`handover::join`] returns only once every exit has finished.
pub fn join_waits_for_the_exits_of_aborted_tasks<H: Harness>() {
    let _one = one_at_a_time();
    H::block_on(async {
        let finished = Arc::new(AtomicUsize::new(0));
        let entered = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<AbortHandle> = (0..20)
            .map(|_| {
                let (rt, finished, entered) =
                    (H::runtime(), Arc::clone(&finished), Arc::clone(&entered));
                let slow_close = {
                    let rt = rt.clone();
                    defer(async move || {
                        rt.sleep(Duration::from_millis(20)).await;
                        finished.fetch_add(1, Ordering::SeqCst);
                        Ok(())
                    })
                };
                spawn_abortable::<H>(async move {
                    let _ = with_runtime(rt, slow_close, async |()| {
                        entered.fetch_add(1, Ordering::SeqCst);
                        std::future::pending::<Result<(), Error>>().await
                    })
                    .await;
                })
            })
            .collect();
        assert!(eventually::<H>(|| entered.load(Ordering::SeqCst) == 20).await);
        for task in &tasks {
            task.abort();
        }
        // Aborting is asynchronous: wait until every exit was handed over.
        assert!(
            eventually::<H>(|| handover::pending() + finished.load(Ordering::SeqCst) >= 20).await
        );
        let joined = joined_within_patience::<H>().await;
        assert!(joined, "handover::join did not return");
        assert_eq!(
            finished.load(Ordering::SeqCst),
            20,
            "join returned before the exits ended"
        );
    });
}

/// A task that entered a context into a runtime-bound stack, then awaits a
/// scope beside it, is aborted: the scope's exit (which awaits the
/// runtime's timer) finishes before the stack's exit starts, as Python's
/// `async with` inside `async with AsyncExitStack()` would have it. 30
/// rounds.
pub fn a_stack_beside_a_scope_in_one_task_exits_after_it<H: Harness>() {
    let _one = one_at_a_time();
    H::block_on(async {
        for round in 0..30 {
            let log = Arc::new(Mutex::new(Vec::new()));
            let (suspended, is_suspended) = entered_flag();
            let rt = H::runtime();
            let stack_exit = {
                let log = Arc::clone(&log);
                defer(async move || {
                    log.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push("stack exit");
                    Ok(())
                })
            };
            let scope_exit = {
                let (log, rt) = (Arc::clone(&log), H::runtime());
                defer(async move || {
                    rt.sleep(Duration::from_millis(2)).await;
                    log.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push("scope exit");
                    Ok(())
                })
            };
            let task = spawn_abortable::<H>(async move {
                let stack = async_with::stack::ExitStack::with_policy(rt.clone());
                if stack.enter(stack_exit).await.is_err() {
                    return;
                }
                let _ = with_runtime(rt, scope_exit, async |()| {
                    suspended.store(true, Ordering::SeqCst);
                    std::future::pending::<Result<(), Error>>().await
                })
                .await;
            });
            assert!(eventually::<H>(|| is_suspended.load(Ordering::SeqCst)).await);
            task.abort();
            assert!(
                eventually::<H>(|| log.lock().unwrap_or_else(|p| p.into_inner()).len() == 2).await
            );
            assert_eq!(
                *log.lock().unwrap_or_else(|p| p.into_inner()),
                ["scope exit", "stack exit"],
                "round {round}"
            );
        }
    });
}

/// A runtime shut down while tasks are suspended in scopes whose exits
/// await the runtime's timer, and while an exit handed over earlier never
/// finishes: shutting down returns, nothing panics, and every exit either
/// ran or was reported (skipped or interrupted). On a runtime that cannot
/// be shut down ([`Harness::SHUTS_DOWN`] false) the tasks are dropped
/// instead and every exit runs.
pub fn shutdown_under_exits_that_await_the_runtime_returns_and_loses_nothing<H: Harness>() {
    let _one = one_at_a_time();
    let not_run = NotRun::default();
    let ran = Arc::new(AtomicUsize::new(0));
    let suspended = Arc::new(AtomicUsize::new(0));
    let never_started = Arc::new(AtomicBool::new(false));

    let task = {
        let (ran, suspended, never_started) = (
            Arc::clone(&ran),
            Arc::clone(&suspended),
            Arc::clone(&never_started),
        );
        let rt = H::runtime();
        diagnostics::scoped(not_run.hook(), async move {
            // An exit that never finishes, handed over now: it is running
            // on the runtime when the runtime shuts down.
            let never = defer(async move || {
                never_started.store(true, Ordering::SeqCst);
                std::future::pending::<Result<(), Error>>().await
            });
            let scope = with_runtime(rt.clone(), never, async |()| {
                std::future::pending::<Result<(), Error>>().await
            });
            let _ = poll_once(Box::pin(scope)).await; // entered, then dropped

            // Scopes suspended when the runtime shuts down, whose exits
            // await the runtime's timer: two nested, beside two nested.
            let flush = || {
                let (rt, ran) = (rt.clone(), Arc::clone(&ran));
                defer(async move || {
                    rt.sleep(Duration::from_millis(5)).await;
                    ran.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
            };
            let nested = || {
                let (rt, suspended) = (rt.clone(), Arc::clone(&suspended));
                let (outer, inner) = (flush(), flush());
                async move {
                    with_runtime(rt.clone(), outer, async |()| {
                        with_runtime(rt, inner, async |()| {
                            suspended.fetch_add(1, Ordering::SeqCst);
                            std::future::pending::<Result<(), Error>>().await
                        })
                        .await
                    })
                    .await
                }
            };
            let _ = futures_lite::future::zip(nested(), nested()).await;
        })
    };

    let watched = (Arc::clone(&suspended), Arc::clone(&never_started));
    let (returned, returns) = std::sync::mpsc::channel();
    let shut_down = std::thread::spawn(move || {
        H::shutdown_while_suspended(task, async move {
            let rt = H::runtime();
            while watched.0.load(Ordering::SeqCst) < 2 || !watched.1.load(Ordering::SeqCst) {
                rt.sleep(Duration::from_millis(1)).await;
            }
        });
        let _ = returned.send(());
    });
    assert!(
        returns.recv_timeout(PATIENCE).is_ok(),
        "shutting the runtime down hung on an exit that never finishes"
    );
    shut_down.join().expect("shutting down panicked");
    let entered = 2 * suspended.load(Ordering::SeqCst);
    assert_eq!(entered, 2 * 2, "both pairs of scopes were suspended");
    if H::SHUTS_DOWN {
        assert!(
            eventually_blocking(|| ran.load(Ordering::SeqCst) + not_run.total() == entered + 1),
            "{} exits entered: {} ran, {} skipped, {} interrupted",
            entered + 1,
            ran.load(Ordering::SeqCst),
            not_run.skipped(),
            not_run.interrupted()
        );
        assert_eq!(
            not_run.interrupted(),
            1,
            "the never-ending exit is reported as interrupted"
        );
    } else {
        // The tasks were dropped, the runtime runs on: every exit ran but
        // the one that never finishes.
        assert!(
            eventually_blocking(|| ran.load(Ordering::SeqCst) == entered),
            "{entered} exits entered, {} ran",
            ran.load(Ordering::SeqCst)
        );
        assert_eq!(not_run.total(), 0);
    }
}
