//! Exits handed to a runtime after their scope was dropped, and the join
//! point that awaits them.
//!
//! Rust cannot await in `Drop`. When a future holding runtime-bound scopes
//! is dropped mid-way (an aborted task, a lost `select!` branch), each scope
//! hands its exit over here instead, and the runtime runs it as a task:
//!
//! - **One task per cancellation.** Everything dropped together is handed
//!   over as one chain: the exits of the scopes nested in the outermost
//!   runtime-bound scope being dropped (`with`, generator-style contexts,
//!   stacks, task groups inside it), and after them those of a stack the
//!   same task had entered into beside it. A chain runs as one task,
//!   innermost exit first, each awaited before the next, as Python would
//!   have awaited them inline. (A stack is told its task when a context is
//!   [`enter`](crate::stack::ExitStack::enter)ed into it; one filled only
//!   through its `push_` methods hands its exits over as a chain of its
//!   own, like scopes polled through a combinator that gives each branch
//!   its own waker, such as `FuturesUnordered`.)
//! - **Chains of different tasks run concurrently.** No exit waits for an
//!   exit of an unrelated task, and no OS thread is started for cleanup.
//! - **Nothing is lost without a report.** An exit whose chain is dropped
//!   before it started (the runtime shut down, or there is no runtime) is
//!   skipped; one cut off mid-way is interrupted. Either way its resource is
//!   dropped synchronously and a [`Diagnostic`](crate::diagnostics::Diagnostic) says how many exits did not
//!   run.
//! - **A join point.** [`join`] waits for every exit handed over before it
//!   was called, for a graceful shutdown; [`pending`] counts them.
//!
//! # Examples
//!
//! ```
//! # futures_lite::future::block_on(async {
//! // At the end of `main`, after the tasks were stopped:
//! async_with::handover::join().await;
//! assert_eq!(async_with::handover::pending(), 0);
//! # });
//! ```

use std::any::TypeId;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use event_listener::Event;
use pin_project_lite::pin_project;

use crate::Runtime;
use crate::diagnostics::{self, Hook};

/// How many handed-over exits have not finished yet (nor been reported as
/// skipped or interrupted), over every runtime in the process.
///
/// # Examples
///
/// ```
/// assert_eq!(async_with::handover::pending(), 0);
/// ```
pub fn pending() -> usize {
    TRACKER.exits.load(Ordering::Acquire)
}

/// Waits until every exit handed to a runtime before this call has finished,
/// or been reported as skipped or interrupted: the join point of a graceful
/// shutdown. Exits handed over later are not waited for.
///
/// The exits run on their runtime: await this on a runtime that is still
/// running (on a current-thread runtime, inside its `block_on`).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use async_with::{Runtime, defer, with_runtime};
/// # #[derive(Clone, Debug)]
/// # struct Threads;
/// # impl Runtime for Threads {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, d: std::time::Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
/// #         async move { std::thread::sleep(d) }
/// #     }
/// # }
///
/// # futures_lite::future::block_on(async {
/// let closed = Arc::new(AtomicBool::new(false));
/// let flag = Arc::clone(&closed);
/// let close = defer(async move || {
///     std::thread::sleep(std::time::Duration::from_millis(10));
///     flag.store(true, Ordering::SeqCst);
///     Ok(())
/// });
/// let scope = with_runtime(Threads, close, async |()| std::future::pending::<Result<(), _>>().await);
/// let _ = futures_lite::future::poll_once(Box::pin(scope)).await; // entered, then dropped
/// async_with::handover::join().await;
/// assert!(closed.load(Ordering::SeqCst));
/// # });
/// ```
#[doc(alias = "shutdown_asyncgens")]
pub async fn join() {
    let target = TRACKER.next.load(Ordering::Acquire);
    loop {
        if TRACKER.settled_before(target) {
            return;
        }
        let listener = TRACKER.changed.listen();
        if TRACKER.settled_before(target) {
            return;
        }
        listener.await;
    }
}

/// Every handed-over job that has not ended, by ticket.
struct Tracker {
    next: AtomicU64,
    exits: AtomicUsize,
    open: Mutex<BTreeSet<u64>>,
    changed: Event,
}

static TRACKER: Tracker = Tracker {
    next: AtomicU64::new(0),
    exits: AtomicUsize::new(0),
    open: Mutex::new(BTreeSet::new()),
    changed: Event::new(),
};

impl Tracker {
    fn open(&self) -> MutexGuard<'_, BTreeSet<u64>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn settled_before(&self, target: u64) -> bool {
        self.open().first().is_none_or(|&oldest| oldest >= target)
    }
}

/// A job's place in the tracker, given back when the job ends.
struct Ticket {
    number: u64,
    exits: usize,
}

impl Ticket {
    fn take(exits: usize) -> Self {
        let mut open = TRACKER.open();
        let number = TRACKER.next.fetch_add(1, Ordering::AcqRel);
        open.insert(number);
        TRACKER.exits.fetch_add(exits, Ordering::AcqRel);
        Self { number, exits }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        TRACKER.open().remove(&self.number);
        TRACKER.exits.fetch_sub(self.exits, Ordering::AcqRel);
        TRACKER.changed.notify(usize::MAX);
    }
}

/// The exits of one dropped scope or stack, as a future that runs them.
///
/// The future reports what it could not run when it is dropped unfinished;
/// the job runs it, and drops it, with the diagnostics hook that was in
/// scope where the exits were handed over.
pub(crate) struct CleanupJob {
    future: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    hook: Option<Hook>,
    _ticket: Ticket,
}

impl CleanupJob {
    /// A job of `exits` exits that `future` runs.
    pub(crate) fn new(exits: usize, future: impl Future<Output = ()> + Send + 'static) -> Self {
        Self {
            future: Some(Box::pin(future)),
            hook: diagnostics::current_hook(),
            _ticket: Ticket::take(exits),
        }
    }
}

impl Future for CleanupJob {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let Some(future) = this.future.as_mut() else {
            return Poll::Ready(());
        };
        let polled = diagnostics::with_hook(this.hook.clone(), || future.as_mut().poll(cx));
        if polled.is_ready() {
            this.future = None;
        }
        polled
    }
}

impl Drop for CleanupJob {
    fn drop(&mut self) {
        if let Some(future) = self.future.take() {
            // The future reports its own losses as it drops: under the hook
            // of the place the exits came from. A resource whose `Drop`
            // panics stops here, not in the runtime or in another job.
            diagnostics::with_hook(self.hook.take(), || {
                let _ = catch_unwind(AssertUnwindSafe(move || drop(future)));
            });
        }
    }
}

/// Where handed-over exits come from, to chain them after what the same
/// task handed over before.
pub(crate) enum Origin {
    /// Unknown: the exits get a chain of their own.
    Unknown,
    /// A stack that was entered into while polled with `waker` (a clone,
    /// which keeps the task's memory, so its address, from being reused),
    /// first at `seq`.
    Stack { waker: Waker, seq: u64 },
}

/// The task a waker wakes, named by the address of the waker's data (the
/// task itself, for every executor that wakes tasks one by one). Two live
/// tasks never share it. A waker with no data (`Waker::noop`) names none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TaskKey(NonZeroUsize);

impl TaskKey {
    #[inline]
    pub(crate) fn of(waker: &Waker) -> Option<Self> {
        NonZeroUsize::new(waker.data() as usize).map(Self)
    }
}

/// Orders chain registrations against the first entry into a stack.
static SEQ: AtomicU64 = AtomicU64::new(1);

/// The next number in [`SEQ`].
pub(crate) fn next_seq() -> u64 {
    SEQ.fetch_add(1, Ordering::AcqRel)
}

/// Hands `job` to `runtime`: into the chain of the cancellation being
/// dropped on this thread, if there is one, else as a chain of its own,
/// after what the same task handed over before (see [`Origin`]).
pub(crate) fn hand_over<R: Runtime>(runtime: &R, job: CleanupJob, origin: Origin) {
    let mut job = Some(job);
    let _ = EPISODE.try_with(|episode| {
        if episode.depth.get() == 0 {
            return;
        }
        let mut collected = episode.collected.borrow_mut();
        match &mut *collected {
            Some(chain) if chain.runtime != TypeId::of::<R>() => {}
            Some(chain) => chain.jobs.extend(job.take()),
            None => {
                let runtime = runtime.clone();
                *collected = Some(Collected {
                    runtime: TypeId::of::<R>(),
                    jobs: job.take().into_iter().collect(),
                    submit: Box::new(move |jobs, root| submit(&runtime, jobs, root)),
                });
            }
        }
    });
    if let Some(job) = job {
        match origin {
            Origin::Unknown => submit(runtime, VecDeque::from([job]), None),
            Origin::Stack { waker, seq } => append_or_submit(runtime, job, waker, seq),
        }
    }
}

thread_local! {
    /// The cancellation being dropped on this thread.
    static EPISODE: Episode = const {
        Episode { depth: Cell::new(0), root: Cell::new(None), collected: RefCell::new(None) }
    };
}

/// How deep this thread is in dropping runtime-bound scopes, the task the
/// outermost was polled by, and the exits handed over so far.
struct Episode {
    depth: Cell<usize>,
    root: Cell<Option<TaskKey>>,
    collected: RefCell<Option<Collected>>,
}

struct Collected {
    /// The runtime the chain goes to: a scope bound to another runtime
    /// hands its exit over on its own.
    runtime: TypeId,
    jobs: VecDeque<CleanupJob>,
    submit: Box<dyn FnOnce(VecDeque<CleanupJob>, Option<TaskKey>)>,
}

/// Marks the start of a runtime-bound scope's drop: exits handed over until
/// the matching [`close_episode`] form one chain. `task` is the task that
/// polled the scope.
fn open_episode(task: Option<TaskKey>) {
    let _ = EPISODE.try_with(|episode| {
        let depth = episode.depth.get();
        if depth == 0 {
            episode.root.set(task);
        }
        episode.depth.set(depth + 1);
    });
}

/// Marks the end of a runtime-bound scope's drop; the outermost submits the
/// chain.
fn close_episode() {
    let done = EPISODE.try_with(|episode| {
        let depth = episode.depth.get().saturating_sub(1);
        episode.depth.set(depth);
        if depth == 0 {
            let root = episode.root.take();
            episode
                .collected
                .borrow_mut()
                .take()
                .map(|chain| (chain, root))
        } else {
            None
        }
    });
    if let Ok(Some((collected, root))) = done {
        (collected.submit)(collected.jobs, root);
    }
}

pin_project! {
    /// A runtime-bound scope's future: dropped mid-way, everything it hands
    /// over while it drops (its own exit and those of the scopes inside it)
    /// goes to the runtime as one chain.
    #[must_use = "futures do nothing unless polled"]
    pub(crate) struct HandOverTogether<F> {
        #[pin]
        future: F,
        // Dropped after `future`: ends the episode the drop below began.
        episode: EpisodeEnd,
        // The task that first polled the scope.
        task: Option<TaskKey>,
    }

    impl<F> PinnedDrop for HandOverTogether<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.episode.0 == EpisodeState::Running {
                open_episode(*this.task);
                this.episode.0 = EpisodeState::Dropping;
            }
        }
    }
}

impl<F> HandOverTogether<F> {
    /// Wraps `future`; a no-op unless `hands_over`.
    #[inline]
    pub(crate) fn new(hands_over: bool, future: F) -> Self {
        let state = if hands_over {
            EpisodeState::Running
        } else {
            EpisodeState::Finished
        };
        Self {
            future,
            episode: EpisodeEnd(state),
            task: None,
        }
    }
}

impl<F: Future> Future for HandOverTogether<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if this.task.is_none() && this.episode.0 == EpisodeState::Running {
            *this.task = TaskKey::of(cx.waker());
        }
        let polled = this.future.poll(cx);
        if polled.is_ready() {
            this.episode.0 = EpisodeState::Finished;
        }
        polled
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EpisodeState {
    Running,
    Finished,
    Dropping,
}

struct EpisodeEnd(EpisodeState);

impl Drop for EpisodeEnd {
    #[inline]
    fn drop(&mut self) {
        if self.0 == EpisodeState::Dropping {
            close_episode();
        }
    }
}

/// The chain each task handed over last, while it runs: a stack of that
/// task dropped after it chains its exits behind it.
static BY_TASK: Mutex<BTreeMap<TaskKey, Arc<Chain>>> = Mutex::new(BTreeMap::new());

fn by_task() -> MutexGuard<'static, BTreeMap<TaskKey, Arc<Chain>>> {
    BY_TASK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `jobs` as one task on `runtime`; with the `task` that dropped them,
/// remembered as that task's latest chain while it runs.
fn submit<R: Runtime>(runtime: &R, jobs: VecDeque<CleanupJob>, task: Option<TaskKey>) {
    let chain = Arc::new(Chain::new(jobs, task, None));
    if let Some(task) = task {
        by_task().insert(task, Arc::clone(&chain));
    }
    spawn(runtime, chain);
}

/// Appends a dropped stack's `job` to its task's latest chain if that chain
/// still runs and was handed over after the stack was first entered into
/// (so by the same task: the stack's waker kept the address from being
/// reused since), else runs it as a chain of its own.
fn append_or_submit<R: Runtime>(runtime: &R, job: CleanupJob, waker: Waker, seq: u64) {
    let Some(task) = TaskKey::of(&waker) else {
        return submit(runtime, VecDeque::from([job]), None);
    };
    let mut jobs = VecDeque::from([job]);
    let mut chains = by_task();
    if let Some(latest) = chains.get(&task).filter(|chain| chain.seq > seq) {
        match latest.append(jobs) {
            Ok(()) => return,
            Err(refused) => jobs = refused,
        }
    }
    let chain = Arc::new(Chain::new(jobs, Some(task), Some(waker)));
    chains.insert(task, Arc::clone(&chain));
    drop(chains);
    spawn(runtime, chain);
}

fn spawn<R: Runtime>(runtime: &R, chain: Arc<Chain>) {
    let runner = Runner {
        chain,
        current: None,
    };
    // A runtime that cannot take the task drops it: the runner's `Drop`
    // reports the exits as skipped. Spawning runs inside `Drop`: a panic
    // (tokio cannot start a thread) must not leave it.
    let _ = catch_unwind(AssertUnwindSafe(|| runtime.spawn(runner)));
}

/// Exits waiting to run, in order, and whether a runner still takes them.
struct Chain {
    state: Mutex<ChainState>,
    task: Option<TaskKey>,
    /// When it was handed over.
    seq: u64,
    /// Keeps the task's address from being reused while the chain is
    /// listed under it, when the task may have ended.
    _waker: Option<Waker>,
}

struct ChainState {
    jobs: VecDeque<CleanupJob>,
    open: bool,
}

impl Chain {
    fn new(jobs: VecDeque<CleanupJob>, task: Option<TaskKey>, waker: Option<Waker>) -> Self {
        Self {
            state: Mutex::new(ChainState { jobs, open: true }),
            task,
            seq: next_seq(),
            _waker: waker,
        }
    }

    fn lock(&self) -> MutexGuard<'_, ChainState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn append(&self, jobs: VecDeque<CleanupJob>) -> Result<(), VecDeque<CleanupJob>> {
        let mut state = self.lock();
        if state.open {
            state.jobs.extend(jobs);
            Ok(())
        } else {
            Err(jobs)
        }
    }

    /// The next job, or `None` once the chain is done: then it is closed
    /// and forgotten by its task, under the same locks as `append`.
    fn next(self: &Arc<Self>) -> Option<CleanupJob> {
        if let Some(job) = self.lock().jobs.pop_front() {
            return Some(job);
        }
        // Empty: close it, taking the locks in `submit`'s order (a job may
        // have been appended in between).
        let chains = self.task.map(|_| by_task());
        let mut state = self.lock();
        let job = state.jobs.pop_front();
        if job.is_none() {
            state.open = false;
            drop(state);
            self.forget(chains);
        }
        job
    }

    /// Closes the chain and takes what is left, for a runner dropped early.
    fn abandon(self: &Arc<Self>) -> VecDeque<CleanupJob> {
        let chains = self.task.map(|_| by_task());
        let mut state = self.lock();
        state.open = false;
        let rest = std::mem::take(&mut state.jobs);
        drop(state);
        self.forget(chains);
        rest
    }

    /// Removes the chain from its task's entry, if it is still there.
    fn forget(self: &Arc<Self>, chains: Option<MutexGuard<'_, BTreeMap<TaskKey, Arc<Chain>>>>) {
        if let (Some(mut chains), Some(task)) = (chains, self.task) {
            if chains
                .get(&task)
                .is_some_and(|chain| Arc::ptr_eq(chain, self))
            {
                chains.remove(&task);
            }
        }
    }
}

/// The task that runs a chain: each job awaited before the next.
struct Runner {
    chain: Arc<Chain>,
    current: Option<CleanupJob>,
}

impl Future for Runner {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            let job = match &mut this.current {
                Some(job) => job,
                None => match this.chain.next() {
                    Some(job) => this.current.insert(job),
                    None => return Poll::Ready(()),
                },
            };
            // Each job catches its exits' panics and reports their errors.
            if Pin::new(job).poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.current = None;
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        // The job cut off mid-way reports its exits as interrupted; the rest
        // report theirs as skipped, innermost first.
        drop(self.current.take());
        for job in self.chain.abandon() {
            drop(job);
        }
    }
}

impl fmt::Debug for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runner").finish_non_exhaustive()
    }
}
