//! Chains of jobs run as one task each, and the chain each task handed over
//! last, for a stack of the same task to join.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker, ready};

use pin_project_lite::pin_project;

use super::TaskKey;
use super::job::{CleanupJob, Job, Jobs};
use crate::Runtime;

/// The task a stack was first entered into by, noted for as long as the
/// stack holds exits: while any is noted, chains are listed by task.
pub(crate) struct NotedTask {
    pub(super) waker: Waker,
    pub(super) seq: u64,
}

/// How many [`NotedTask`]s exist: with none, no chain needs listing.
static NOTED: AtomicUsize = AtomicUsize::new(0);

impl NotedTask {
    pub(crate) fn new(waker: Waker) -> Self {
        NOTED.fetch_add(1, Ordering::SeqCst);
        Self {
            waker,
            seq: super::next_seq(),
        }
    }
}

impl Clone for NotedTask {
    fn clone(&self) -> Self {
        NOTED.fetch_add(1, Ordering::SeqCst);
        Self {
            waker: self.waker.clone(),
            seq: self.seq,
        }
    }
}

impl Drop for NotedTask {
    fn drop(&mut self) {
        NOTED.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The chain each task handed over last, while it runs and while some
/// stack may join it.
static BY_TASK: Mutex<BTreeMap<TaskKey, Arc<Chain>>> = Mutex::new(BTreeMap::new());

type ByTask = MutexGuard<'static, BTreeMap<TaskKey, Arc<Chain>>>;

fn by_task() -> ByTask {
    BY_TASK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `jobs` as one task on `runtime`. With the `task` that dropped them,
/// and a stack noted somewhere, it is listed as that task's latest chain
/// while it runs.
pub(super) fn submit<R: Runtime>(runtime: &R, jobs: Jobs, task: Option<TaskKey>) {
    spawn(runtime, CleanupJob::empty(), source(jobs, task));
}

/// Runs `job`, unboxed, as the first of a chain (as [`submit`]).
pub(super) fn submit_one<R, F>(runtime: &R, job: Job<F>, task: Option<TaskKey>)
where
    R: Runtime,
    F: Future<Output = ()> + Send + 'static,
{
    spawn(runtime, job, source(Jobs::default(), task));
}

/// Where a chain's runner takes `jobs` from: listed under `task` when a
/// stack could join it.
fn source(jobs: Jobs, task: Option<TaskKey>) -> Source {
    match task {
        Some(task) if NOTED.load(Ordering::SeqCst) > 0 => {
            let chain = Arc::new(Chain::new(jobs, task, None));
            by_task().insert(task, Arc::clone(&chain));
            Source::Listed(chain)
        }
        _ => Source::Own(jobs),
    }
}

/// Appends a dropped stack's `job` to its task's latest chain if that chain
/// still runs and was handed over after the stack was first entered into
/// (so by the same task: the stack's waker kept the address from being
/// reused since), else runs it as a chain of its own.
pub(super) fn append_or_submit<R: Runtime>(runtime: &R, job: CleanupJob, noted: NotedTask) {
    let Some(task) = TaskKey::of(&noted.waker) else {
        return submit(runtime, Jobs::one(job), None);
    };
    let mut jobs = Jobs::one(job);
    let mut chains = by_task();
    if let Some(latest) = chains.get(&task).filter(|chain| chain.seq > noted.seq) {
        match latest.append(jobs) {
            Ok(()) => return,
            Err(refused) => jobs = refused,
        }
    }
    let chain = Arc::new(Chain::new(jobs, task, Some(noted)));
    chains.insert(task, Arc::clone(&chain));
    drop(chains);
    spawn(runtime, CleanupJob::empty(), Source::Listed(chain));
}

fn spawn<R, F>(runtime: &R, first: Job<F>, source: Source)
where
    R: Runtime,
    F: Future<Output = ()> + Send + 'static,
{
    let runner = Runner {
        first,
        current: None,
        source,
    };
    // A runtime that cannot take the task drops it: the runner's `Drop`
    // reports the exits as skipped. Spawning runs inside `Drop`: a panic
    // (tokio cannot start a thread) must not leave it.
    let _ = catch_unwind(AssertUnwindSafe(|| runtime.spawn(runner)));
}

/// A listed chain: jobs waiting to run, in order, and whether its runner
/// still takes more.
struct Chain {
    state: Mutex<ChainState>,
    task: TaskKey,
    /// When it was handed over.
    seq: u64,
    /// Keeps the task's address from being reused while the chain is
    /// listed under it, when the task may have ended.
    _noted: Option<NotedTask>,
}

struct ChainState {
    jobs: Jobs,
    open: bool,
}

impl Chain {
    fn new(jobs: Jobs, task: TaskKey, noted: Option<NotedTask>) -> Self {
        Self {
            state: Mutex::new(ChainState { jobs, open: true }),
            task,
            seq: super::next_seq(),
            _noted: noted,
        }
    }

    fn lock(&self) -> MutexGuard<'_, ChainState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn append(&self, jobs: Jobs) -> Result<(), Jobs> {
        let mut state = self.lock();
        if state.open {
            state.jobs.append(jobs);
            Ok(())
        } else {
            Err(jobs)
        }
    }

    /// The next job, or `None` once the chain is done: then it is closed
    /// and unlisted, under the same locks as `append_or_submit`.
    fn next(self: &Arc<Self>) -> Option<CleanupJob> {
        if let Some(job) = self.lock().jobs.pop() {
            return Some(job);
        }
        // Empty: close it, taking the locks in `append_or_submit`'s order
        // (a job may have been appended in between).
        let chains = by_task();
        let mut state = self.lock();
        let job = state.jobs.pop();
        if job.is_none() {
            state.open = false;
            drop(state);
            self.unlist(chains);
        }
        job
    }

    /// Closes the chain and takes what is left, for a runner dropped early.
    fn abandon(self: &Arc<Self>) -> Jobs {
        let chains = by_task();
        let mut state = self.lock();
        state.open = false;
        let rest = std::mem::take(&mut state.jobs);
        drop(state);
        self.unlist(chains);
        rest
    }

    /// Removes the chain from its task's entry, if it is still there.
    fn unlist(self: &Arc<Self>, mut chains: ByTask) {
        if chains
            .get(&self.task)
            .is_some_and(|chain| Arc::ptr_eq(chain, self))
        {
            chains.remove(&self.task);
        }
    }
}

/// Where a runner takes its jobs from.
enum Source {
    /// Its own, when no stack can join: no lock.
    Own(Jobs),
    /// A listed chain, which a stack of the same task may join.
    Listed(Arc<Chain>),
}

pin_project! {
    /// The task that runs a chain: each job awaited before the next.
    struct Runner<F> {
        // The first job, unboxed when it was handed over alone.
        #[pin]
        first: Job<F>,
        current: Option<CleanupJob>,
        source: Source,
    }

    impl<F> PinnedDrop for Runner<F> {
        fn drop(this: Pin<&mut Self>) {
            // The job cut off mid-way reports its exits as interrupted; the
            // rest report theirs as skipped, innermost first.
            let this = this.project();
            this.first.cut_off();
            drop(this.current.take());
            let mut rest = match this.source {
                Source::Own(jobs) => std::mem::take(jobs),
                Source::Listed(chain) => chain.abandon(),
            };
            while let Some(job) = rest.pop() {
                drop(job);
            }
        }
    }
}

impl<F: Future<Output = ()>> Future for Runner<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        // Each job catches its exits' panics and reports their errors.
        ready!(this.first.poll(cx));
        loop {
            let job = match this.current {
                Some(job) => job,
                None => {
                    let next = match this.source {
                        Source::Own(jobs) => jobs.pop(),
                        Source::Listed(chain) => chain.next(),
                    };
                    match next {
                        Some(job) => this.current.insert(job),
                        None => return Poll::Ready(()),
                    }
                }
            };
            if Pin::new(job).poll(cx).is_pending() {
                return Poll::Pending;
            }
            *this.current = None;
        }
    }
}

impl<F> fmt::Debug for Runner<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runner").finish_non_exhaustive()
    }
}
