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
//! - **A join point.** [`join`] waits until no handed-over exit is left,
//!   for a graceful shutdown; [`pending`] counts them.
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

mod chain;
mod job;
mod tracker;

use std::any::TypeId;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::marker::PhantomData;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

pub(crate) use chain::NotedTask;
use job::Jobs;
pub(crate) use job::{CleanupJob, Job};
pub use tracker::{join, pending};

use crate::stack::{Flavor, StackPolicy};
use crate::{CancelPolicy, LocalAsyncContext, Runtime};

/// Where handed-over exits come from, to chain them after what the same
/// task handed over before.
pub(crate) enum Origin {
    /// Unknown: the exits get a chain of their own.
    Unknown,
    /// A stack, first entered into by the noted task.
    Stack(NotedTask),
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

/// Orders chains handed over against stacks first entered into.
static SEQ: AtomicU64 = AtomicU64::new(1);

fn next_seq() -> u64 {
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
            Some(chain) => chain.jobs.push(job.take().expect("taken once")),
            None => {
                let runtime = runtime.clone();
                *collected = Some(Collected {
                    runtime: TypeId::of::<R>(),
                    jobs: Jobs::one(job.take().expect("taken once")),
                    // The adapters' runtimes are zero-sized: no allocation.
                    submit: Box::new(move |jobs, root| chain::submit(&runtime, jobs, root)),
                });
            }
        }
    });
    if let Some(job) = job {
        match origin {
            Origin::Unknown => chain::submit(runtime, Jobs::one(job), None),
            Origin::Stack(noted) => chain::append_or_submit(runtime, job, noted),
        }
    }
}

/// Hands over the exit of a `with` scope being dropped: as [`hand_over`],
/// but when it is the only exit its cancellation hands over (the outermost
/// runtime-bound scope being dropped, with nothing inside it handed over
/// first), it becomes its chain's task as it is, without being boxed.
///
/// A scope's own exit is the last thing its drop hands over: if the episode
/// is this scope's (depth 1) and has collected nothing, nothing else comes.
pub(crate) fn hand_over_scope<R, F>(runtime: &R, job: Job<F>)
where
    R: Runtime,
    F: Future<Output = ()> + Send + 'static,
{
    let alone = EPISODE.try_with(|episode| {
        let alone = episode.depth.get() == 1 && episode.collected.borrow().is_none();
        alone.then(|| episode.root.take())
    });
    match alone {
        Ok(Some(root)) => chain::submit_one(runtime, job, root),
        _ => hand_over(runtime, job.erase(), Origin::Unknown),
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
    jobs: Jobs,
    submit: Box<dyn FnOnce(Jobs, Option<TaskKey>)>,
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

/// Whether a scope's policy hands exits over, known at compile time: a
/// scope with no runtime pays nothing for the episode bookkeeping.
pub(crate) trait HandsOver {
    const ON: bool;
}

/// A scope bound to a runtime: it always hands exits over.
pub(crate) struct Always;

impl HandsOver for Always {
    const ON: bool = true;
}

/// A `with` scope under policy `P` for context `C`.
pub(crate) struct CancelPolicyOf<P, C>(PhantomData<fn() -> (P, C)>);

impl<P: CancelPolicy<C>, C: LocalAsyncContext> HandsOver for CancelPolicyOf<P, C> {
    const ON: bool = P::HANDS_OVER;
}

/// A stack's scope under policy `P` for flavor `K`.
pub(crate) struct StackPolicyOf<P, K>(PhantomData<fn() -> (P, K)>);

impl<P: StackPolicy<K>, K: Flavor> HandsOver for StackPolicyOf<P, K> {
    const ON: bool = P::HANDS_OVER;
}

pin_project! {
    /// A runtime-bound scope's future: dropped mid-way, everything it hands
    /// over while it drops (its own exit and those of the scopes inside it)
    /// goes to the runtime as one chain. With `S::ON` false, a plain
    /// wrapper.
    #[must_use = "futures do nothing unless polled"]
    pub(crate) struct HandOverTogether<F, S: HandsOver> {
        #[pin]
        future: F,
        // Dropped after `future`: ends the episode the drop below began.
        episode: EpisodeEnd<S>,
        // The task that first polled the scope.
        task: Option<TaskKey>,
    }

    impl<F, S: HandsOver> PinnedDrop for HandOverTogether<F, S> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if S::ON && this.episode.state == EpisodeState::Running {
                open_episode(*this.task);
                this.episode.state = EpisodeState::Dropping;
            }
        }
    }
}

impl<F, S: HandsOver> HandOverTogether<F, S> {
    /// Wraps `future`.
    #[inline]
    pub(crate) fn new(future: F) -> Self {
        Self {
            future,
            episode: EpisodeEnd {
                state: EpisodeState::Running,
                policy: PhantomData,
            },
            task: None,
        }
    }
}

impl<F: Future, S: HandsOver> Future for HandOverTogether<F, S> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if !S::ON {
            return this.future.poll(cx);
        }
        if this.task.is_none() && this.episode.state == EpisodeState::Running {
            *this.task = TaskKey::of(cx.waker());
        }
        let polled = this.future.poll(cx);
        if polled.is_ready() {
            this.episode.state = EpisodeState::Finished;
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

struct EpisodeEnd<S: HandsOver> {
    state: EpisodeState,
    policy: PhantomData<S>,
}

impl<S: HandsOver> Drop for EpisodeEnd<S> {
    #[inline]
    fn drop(&mut self) {
        if S::ON && self.state == EpisodeState::Dropping {
            close_episode();
        }
    }
}
