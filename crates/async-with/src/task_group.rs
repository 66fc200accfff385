//! Task groups: Python's `asyncio.TaskGroup`, anyio's `create_task_group`.

use std::error::Error as StdError;
use std::fmt;
use std::future::{Future, poll_fn};
use std::panic;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker, ready};

use pin_project_lite::pin_project;
use slab::Slab;

use crate::cancel_scope::{self, CancelScope, State};
use crate::diagnostics::{self, Diagnostic};
use crate::handover::{Always, HandOverTogether};
use crate::panic::{CatchUnwind, PanicPayload};
use crate::unwind::Ended;
use crate::{Error, Runtime};

/// Python's `async with asyncio.TaskGroup() as tg:`. Runs `body` with a
/// [`TaskGroup`] it can [`spawn`](TaskGroup::spawn) children into, then
/// waits for every child.
///
/// - **Waits for all**: the group ends when the body and every child ended.
/// - **First failure cancels the rest**: when a child (or the body) fails,
///   every other child and the body are cancelled as by a [`CancelScope`]:
///   each stops at its next suspension point and runs the exits of its
///   scopes inline, told the [`Cancelled`](crate::Cancelled) error.
/// - **Every error is kept**: the group fails with one [`Error`] holding
///   every child's and the body's error, in the order they happened; the
///   group's own cancellation signals are left out.
/// - **Panics**: a child's panic cancels the rest like a failure; once all
///   ended, the first panic resumes with its original payload.
/// - **Results**: each child's value is in its [`TaskHandle`] once it ended.
/// - **Cancellation**: when the group's future is dropped, the children
///   are cancelled (they still run their exits, on their own tasks).
///   The group never holds the runtime's task handles, so the runtimes'
///   differences (tokio's and async-std's handles detach on drop, smol's
///   cancels) do not show: every child reports to the group itself.
/// - **Cost**: one allocation per child beside the runtime's task (the
///   child's cancel scope, which also keeps its value for the handle). A
///   group that lives long, spawning a child per request, holds only as
///   much as it ever ran at once.
///
/// Runtime adapter crates offer it bound to their runtime
/// (`async_with_tokio::task_group(body)`).
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// # use async_with::Runtime;
/// # #[derive(Clone, Debug)]
/// # struct Threads;
/// # impl Runtime for Threads {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send + 'static + use<> { async move { std::thread::sleep(d) } }
/// # }
/// use async_with::{Error, task_group};
///
/// # futures_lite::future::block_on(async {
/// // `Threads`: a runtime that runs each task on a thread (see `Runtime`)
/// let (a, b) = task_group(Threads, async |group| {
///     let a = group.spawn(async { Ok(1) });
///     let b = group.spawn(async { Ok(2) });
///     Ok((a, b))
/// })
/// .await?;
/// assert_eq!((a.into_value(), b.into_value()), (Some(1), Some(2)));
///
/// let failed = task_group(Threads, async |group| {
///     group.spawn(async { Err::<(), _>(Error::msg("child failed")) });
///     Ok(())
/// })
/// .await;
/// assert_eq!(failed.unwrap_err().to_string(), "child failed");
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
#[doc(alias = "TaskGroup")]
#[doc(alias = "create_task_group")]
#[doc(alias = "nursery")]
pub fn task_group<R, B, T>(runtime: R, body: B) -> impl Future<Output = Result<T, Error>>
where
    R: Runtime,
    B: AsyncFnOnce(&TaskGroup<R>) -> Result<T, Error>,
{
    // Dropped mid-way, the scopes in the body hand their exits over as one
    // chain.
    HandOverTogether::<_, Always>::new(run_group(runtime, body))
}

async fn run_group<R, B, T>(runtime: R, body: B) -> Result<T, Error>
where
    R: Runtime,
    B: AsyncFnOnce(&TaskGroup<R>) -> Result<T, Error>,
{
    let group = TaskGroup {
        runtime,
        shared: Arc::new(Shared {
            state: Mutex::new(GroupState::default()),
            body: CancelScope::new(),
        }),
    };
    let cancel_on_drop = CancelOnDrop(Arc::clone(&group.shared));

    let block = group.shared.body.clone().run(body(&group));
    let ended = CatchUnwind::new(block).await;
    // The body's error when the group's own cancellation stopped it.
    let mut stopped = None;
    let value = match ended {
        Ok(Ok(value)) => Some(value),
        Ok(Err(error)) if group.shared.body.stopped(&error) => {
            stopped = Some(error);
            None
        }
        Ok(Err(error)) => {
            if let Some(error) = group.shared.body.strip(error) {
                group.shared.failed(Some(error), None);
            }
            None
        }
        Err(payload) => {
            group.shared.failed(None, Some(payload));
            None
        }
    };

    // Wait for the children like an exit: never stopped by a cancel scope,
    // but a cancelled scope around the group cancels the children, and the
    // group then ends with that scope's error, as Python's re-raises.
    let mut stopped_from_outside = false;
    poll_fn(|cx| {
        if group.shared.lock().idle(cx.waker()) {
            return Poll::Ready(());
        }
        if cancel_scope::hold() && !stopped_from_outside {
            stopped_from_outside = true;
            let stop = cancel_scope::cancellation().filter(|stop| {
                let state = group.shared.lock();
                !state
                    .errors
                    .as_ref()
                    .is_some_and(|errors| cancel_scope::holds_stop(errors, stop))
            });
            group.shared.failed(stop, None);
        }
        Poll::Pending
    })
    .await;
    drop(cancel_on_drop);

    let (errors, panic) = {
        let mut state = group.shared.lock();
        (state.errors.take(), state.panic.take())
    };
    if let Some(payload) = panic {
        if let Some(errors) = &errors {
            diagnostics::report(&Diagnostic::ErrorsDuringPanic { errors });
        }
        panic::resume_unwind(payload);
    }
    match (errors, value) {
        (Some(errors), _) => Err(errors),
        (None, Some(value)) => Ok(value),
        // `TaskGroup::cancel` stopped the body.
        (None, None) => Err(stopped.unwrap_or_else(|| Error::new(TaskDropped))),
    }
}

/// The group [`task_group`] lends its body: spawn children into it.
///
/// # Examples
///
/// See [`task_group`].
pub struct TaskGroup<R> {
    runtime: R,
    shared: Arc<Shared>,
}

impl<R> fmt::Debug for TaskGroup<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("TaskGroup")
            .field("running", &state.children.len())
            .field("cancelled", &state.cancelled)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> TaskGroup<R> {
    /// Spawns `task` as a child of the group (`tg.create_task(coro)`).
    ///
    /// The child runs in its own [`CancelScope`]: when the group cancels it,
    /// it stops at its next suspension point and runs its scopes' exits
    /// inline. Its value is in the returned handle once it ended; its error
    /// goes to the group's error. A child spawned after the group was
    /// cancelled starts cancelled.
    ///
    /// # Examples
    ///
    /// See [`task_group`].
    #[doc(alias = "create_task")]
    #[doc(alias = "start_soon")]
    pub fn spawn<F, U>(&self, task: F) -> TaskHandle<U>
    where
        F: Future<Output = Result<U, Error>> + Send + 'static,
        U: Send + 'static,
    {
        // One allocation for the child's scope and the value its handle
        // reads.
        let (scope, value) = CancelScope::attached(Mutex::new(None));
        let index = {
            let mut state = self.shared.lock();
            if state.cancelled {
                scope.cancel();
            }
            state.children.insert(scope.clone())
        };
        let child = Child {
            shared: Arc::clone(&self.shared),
            index,
            ended: false,
        };
        self.runtime.spawn(ChildTask {
            run: CatchUnwind::new(scope.run(task)),
            child,
            slot: Arc::clone(&value),
        });
        TaskHandle { value }
    }

    /// Cancels every child and the body, as a failure would, without an
    /// error. The group ends with the body's value if the body had already
    /// returned, or else with a [`Cancelled`](crate::Cancelled) error.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use async_with::Runtime;
    /// # #[derive(Clone, Debug)]
    /// # struct Threads;
    /// # impl Runtime for Threads {
    /// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
    /// #         std::thread::spawn(move || futures_lite::future::block_on(task));
    /// #     }
    /// #     fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send + 'static + use<> { async move { std::thread::sleep(d) } }
    /// # }
    /// # futures_lite::future::block_on(async {
    /// let server = async_with::task_group(Threads, async |group| {
    ///     let server = group.spawn(std::future::pending::<Result<(), _>>());
    ///     group.cancel(); // the server stops; the body has nothing to wait for
    ///     Ok(server)
    /// })
    /// .await?;
    /// assert!(server.into_value().is_none());
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn cancel(&self) {
        self.shared.lock().cancelled = true;
        self.shared.cancel_all();
    }
}

/// A child's value, once it ended: returned by [`TaskGroup::spawn`].
///
/// # Examples
///
/// See [`task_group`].
pub struct TaskHandle<U> {
    value: Slot<U>,
}

/// Where a child's value waits for its handle: attached to the child's
/// cancel scope.
type Slot<U> = Arc<State<Mutex<Option<U>>>>;

impl<U> fmt::Debug for TaskHandle<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle").finish_non_exhaustive()
    }
}

impl<U> TaskHandle<U> {
    /// The child's value: `Some` once it returned `Ok`, `None` while it runs
    /// or when it failed, panicked or was cancelled (its error is in the
    /// group's).
    ///
    /// # Examples
    ///
    /// See [`task_group`].
    pub fn into_value(self) -> Option<U> {
        lock(self.value.attachment()).take()
    }

    /// Whether the child returned a value that is waiting here.
    ///
    /// # Examples
    ///
    /// See [`task_group`].
    pub fn has_value(&self) -> bool {
        lock(self.value.attachment()).is_some()
    }
}

/// A child of a task group ended without running to completion: the
/// runtime dropped it (it shut down, or could not take the task).
///
/// # Examples
///
/// ```
/// assert_eq!(
///     async_with::TaskDropped.to_string(),
///     "task dropped before it finished"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDropped;

impl fmt::Display for TaskDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task dropped before it finished")
    }
}

impl StdError for TaskDropped {}

/// What the group, its body and its children share.
struct Shared {
    state: Mutex<GroupState>,
    body: CancelScope,
}

#[derive(Default)]
struct GroupState {
    cancelled: bool,
    errors: Option<Error>,
    panic: Option<PanicPayload>,
    /// The running children's scopes: how many run is its length. A
    /// child's slot is reused once it ended, so a group that lives long (a
    /// server's) holds only as much as it ever ran at once.
    children: Slab<CancelScope>,
    waker: Option<Waker>,
}

impl GroupState {
    fn idle(&mut self, waker: &Waker) -> bool {
        if self.children.is_empty() {
            return true;
        }
        if !self
            .waker
            .as_ref()
            .is_some_and(|held| held.will_wake(waker))
        {
            self.waker = Some(waker.clone());
        }
        false
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, GroupState> {
        lock(&self.state)
    }

    /// Records a failure and cancels the rest on the first one.
    fn failed(&self, error: Option<Error>, panic: Option<PanicPayload>) {
        let first = {
            let mut state = self.lock();
            Self::record(&mut state, error, panic);
            !std::mem::replace(&mut state.cancelled, true)
        };
        if first {
            self.cancel_all();
        }
    }

    fn record(state: &mut GroupState, error: Option<Error>, panic: Option<PanicPayload>) {
        if let Some(error) = error {
            match &mut state.errors {
                Some(errors) => errors.push(error),
                None => state.errors = Some(error),
            }
        }
        if let Some(payload) = panic {
            if state.panic.is_none() {
                state.panic = Some(payload);
            } else {
                diagnostics::report(&Diagnostic::SecondPanic);
            }
        }
    }

    /// Cancels the body and every running child; wakers run outside the lock.
    fn cancel_all(&self) {
        let children: Vec<CancelScope> = {
            let mut state = self.lock();
            state.cancelled = true;
            state
                .children
                .iter()
                .map(|(_, scope)| scope.clone())
                .collect()
        };
        self.body.cancel();
        for child in children {
            child.cancel();
        }
    }
}

pin_project! {
    /// What a child's task runs: the child's future in its cancel scope,
    /// then its value stored for its handle and its end reported to the
    /// group.
    ///
    /// A named future rather than an `async` block, which would hold the
    /// child's future twice (once as captured, once being awaited) and make
    /// every spawn copy the larger task.
    struct ChildTask<Run, U> {
        #[pin]
        run: Run,
        child: Child,
        slot: Slot<U>,
    }
}

impl<Run, U> Future for ChildTask<Run, U>
where
    Run: Future<Output = Ended<U>>,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        match ready!(this.run.poll(cx)) {
            Ok(Ok(output)) => {
                *lock(this.slot.attachment()) = Some(output);
                this.child.end(None, None);
            }
            // Its own scope's stop signal is not a failure: the group
            // cancelled it.
            Ok(Err(error)) => this.child.end(this.slot.strip(error), None),
            Err(payload) => this.child.end(None, Some(payload)),
        }
        Poll::Ready(())
    }
}

/// A running child's link to its group; reports a child the runtime
/// dropped before it ended.
struct Child {
    shared: Arc<Shared>,
    index: usize,
    ended: bool,
}

impl Child {
    fn end(&mut self, error: Option<Error>, panic: Option<PanicPayload>) {
        self.ended = true;
        let failed = error.is_some() || panic.is_some();
        let (waker, first) = {
            let mut state = self.shared.lock();
            // Ends once: `ended` keeps `Drop` from ending it again.
            state.children.try_remove(self.index);
            let mut first = false;
            if failed {
                Shared::record(&mut state, error, panic);
                first = !std::mem::replace(&mut state.cancelled, true);
            }
            // The group waits for the last child only: a failure cancels
            // the others from here, and the group has nothing to do until
            // they have ended too.
            let last = state.children.is_empty();
            (if last { state.waker.take() } else { None }, first)
        };
        if first {
            self.shared.cancel_all();
        }
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if !self.ended {
            let cancelled = self.shared.lock().cancelled;
            // A child dropped after the group cancelled it is not a failure.
            let error = (!cancelled).then(|| Error::new(TaskDropped));
            self.end(error, None);
        }
    }
}

/// Cancels the children when the group's future is dropped mid-way.
struct CancelOnDrop(Arc<Shared>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if !self.0.lock().children.is_empty() {
            self.0.cancel_all();
        }
    }
}

fn lock<S>(mutex: &Mutex<S>) -> MutexGuard<'_, S> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
