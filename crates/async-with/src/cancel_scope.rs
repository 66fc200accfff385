//! Cancel scopes: stop a block at a deadline or on a signal, then await its
//! exits inline, as Python's `asyncio.timeout` and anyio's `move_on_after` do.
//!
//! # How a block is stopped without skipping its exits
//!
//! Dropping the block's future would skip the exits of the scopes nested in
//! it (they could only be spawned or dropped). Instead, while a scope's
//! future is polled it is the thread's *current* cancel scope. Every `with`
//! and generator-style scope, after its body's poll returned `Pending`,
//! asks whether a current scope is cancelled. The innermost one asks first
//! and stops: it drops its body (which holds no entered scope: those would
//! have stopped first), runs its exits inline, told
//! [`Outcome::Failed`](crate::Outcome::Failed) with the [`TimedOut`] or
//! [`Cancelled`] error, and returns that error, which the outer bodies pass
//! on with `?`, each outer scope running its exits in turn. A body that
//! keeps going after the error (it caught it, or an exit suppressed it) is
//! stopped at its next suspension point: cancellation is level-triggered,
//! as in anyio. Sibling scopes (in a `join`) each stop the same way.
//!
//! Exits are never interrupted. An exit is polled with no current scope
//! whenever some scope in the process is cancelled, so a `with` inside the
//! exit is not stopped; and a suspended exit holds the cancellation back
//! from the scopes around it for that poll, so they do not drop it.
//!
//! The cost on the hot path: one thread-local read after a body's poll
//! returned `Pending`, one after an exit's poll returned `Pending`, and one
//! relaxed load of a process-wide count of cancelled scopes per exit poll.
//! A body or an exit that completes at once touches no thread-local. The
//! checks share the `match` that catches panics; measured with valgrind on
//! four nested `with(nullcontext(..))`, they add about 3% of instructions.

use std::cell::RefCell;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::panic::PanicPayload;

use crate::{Error, Runtime};

thread_local! {
    /// The cancel scopes being polled on this thread, outermost first.
    static ACTIVE: RefCell<Vec<Arc<State>>> = const { RefCell::new(Vec::new()) };
}

const RUNNING: u8 = 0;
const CANCELLED: u8 = 1;
const TIMED_OUT: u8 = 2;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// How many cancelled scopes are alive, process-wide: while there are
/// none, exits need not hide the current scopes.
static CANCELLED_SCOPES: AtomicUsize = AtomicUsize::new(0);

/// What a scope's future and its handles share, followed by whatever its
/// owner attached to it (see [`CancelScope::attached`]).
///
/// Every scope is handled as `State` with the attachment's type erased; the
/// fields before it are read directly, without the erased type's vtable.
pub(crate) struct State<Attachment: ?Sized = dyn Send + Sync> {
    /// The number its stop errors carry, taken from [`NEXT_ID`] when the
    /// first one is made (0 until then): most scopes are never stopped, and
    /// a process-wide counter touched by every scope made is a cache line
    /// every thread fights over.
    id: AtomicU64,
    reason: AtomicU8,
    /// Whether a suspended exit holds the cancellation back in the current
    /// poll. Only the polling thread touches it.
    held: AtomicBool,
    deadline: Option<Duration>,
    waker: Mutex<Option<Waker>>,
    attachment: Attachment,
}

impl<Attachment> State<Attachment> {
    fn with_attachment(deadline: Option<Duration>, attachment: Attachment) -> Arc<Self> {
        Arc::new(Self {
            id: AtomicU64::new(0),
            reason: AtomicU8::new(RUNNING),
            held: AtomicBool::new(false),
            deadline,
            waker: Mutex::new(None),
            attachment,
        })
    }
}

impl<Attachment: ?Sized> State<Attachment> {
    /// What the scope's owner attached to it.
    pub(crate) fn attachment(&self) -> &Attachment {
        &self.attachment
    }

    /// Whether `error` is this scope's own stop signal.
    fn owns(&self, error: &(dyn StdError + Send + Sync + 'static)) -> bool {
        error
            .downcast_ref::<TimedOut>()
            .map(|timed_out| timed_out.scope)
            .or_else(|| error.downcast_ref::<Cancelled>().map(|c| c.scope))
            // Without a number yet, no error is this scope's.
            .is_some_and(|scope| scope == self.id.load(Ordering::Acquire))
    }

    /// The number of this scope's stop errors, taken on first use.
    fn id(&self) -> u64 {
        let id = self.id.load(Ordering::Acquire);
        if id != 0 {
            return id;
        }
        let fresh = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        match self
            .id
            .compare_exchange(0, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => fresh,
            Err(taken) => taken,
        }
    }

    /// `error` without this scope's stop signals; `None` when nothing else
    /// was in it.
    pub(crate) fn strip(&self, error: Error) -> Option<Error> {
        if !error.any(|e| self.owns(e)) {
            return Some(error);
        }
        error.without(|e| self.owns(e))
    }
}

impl State {
    fn new(deadline: Option<Duration>) -> Arc<Self> {
        State::with_attachment(deadline, ())
    }

    fn is_cancelled(&self) -> bool {
        self.reason.load(Ordering::Acquire) != RUNNING
    }

    fn stop(&self, reason: u8) {
        if self
            .reason
            .compare_exchange(RUNNING, reason, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            CANCELLED_SCOPES.fetch_add(1, Ordering::Relaxed);
            let waker = self
                .waker
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    fn register(&self, waker: &Waker) {
        let mut slot = self
            .waker
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !slot.as_ref().is_some_and(|held| held.will_wake(waker)) {
            *slot = Some(waker.clone());
        }
    }

    fn error(&self) -> Error {
        match (self.reason.load(Ordering::Acquire), self.deadline) {
            (TIMED_OUT, Some(after)) => Error::new(TimedOut {
                scope: self.id(),
                after,
            }),
            _ => Error::new(Cancelled { scope: self.id() }),
        }
    }
}

impl<Attachment: ?Sized> Drop for State<Attachment> {
    fn drop(&mut self) {
        if *self.reason.get_mut() != RUNNING {
            CANCELLED_SCOPES.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// For a body whose poll returned `Pending`: the cancellation it must stop
/// for, if a current scope is cancelled and no suspended exit holds it back
/// in this poll.
#[cold]
#[inline(never)]
pub(crate) fn claim() -> Option<Error> {
    ACTIVE
        .try_with(|active| {
            let active = active.borrow();
            let outermost = active.iter().find(|state| state.is_cancelled())?;
            (!outermost.held.load(Ordering::Relaxed)).then(|| outermost.error())
        })
        .ok()
        .flatten()
}

/// The error of the outermost cancelled current scope, without stopping
/// anything: for a scope that waits like an exit (a task group waiting for
/// its children) and must report the cancellation once done.
pub(crate) fn cancellation() -> Option<Error> {
    ACTIVE
        .try_with(|active| {
            let active = active.borrow();
            active
                .iter()
                .find(|state| state.is_cancelled())
                .map(|state| state.error())
        })
        .ok()
        .flatten()
}

/// Whether `errors` already holds the stop signal `stop` (of the same scope).
pub(crate) fn holds_stop(errors: &Error, stop: &Error) -> bool {
    let scope_of = |error: &(dyn StdError + Send + Sync + 'static)| {
        error
            .downcast_ref::<TimedOut>()
            .map(|timed_out| timed_out.scope)
            .or_else(|| error.downcast_ref::<Cancelled>().map(|c| c.scope))
    };
    let Some(scope) = scope_of(stop.newest()) else {
        return false;
    };
    errors.any(|error| scope_of(error) == Some(scope))
}

/// For an exit whose poll returned `Pending`: holds any pending cancellation
/// back from the scopes around it for this poll. Says whether a current
/// scope is cancelled.
#[cold]
#[inline(never)]
pub(crate) fn hold() -> bool {
    ACTIVE
        .try_with(|active| {
            let mut cancelled = false;
            for state in active.borrow().iter().filter(|state| state.is_cancelled()) {
                state.held.store(true, Ordering::Relaxed);
                cancelled = true;
            }
            cancelled
        })
        .unwrap_or(false)
}

/// Hides the current cancel scopes while an exit is polled.
struct Shield(Vec<Arc<State>>);

impl Shield {
    fn raise() -> Self {
        Self(
            ACTIVE
                .try_with(|active| std::mem::take(&mut *active.borrow_mut()))
                .unwrap_or_default(),
        )
    }
}

impl Drop for Shield {
    fn drop(&mut self) {
        let saved = std::mem::take(&mut self.0);
        let _ = ACTIVE.try_with(|active| *active.borrow_mut() = saved);
    }
}

/// Makes `state` current while a scope's body is polled.
struct Current;

impl Current {
    fn enter(state: &Arc<State>) -> Self {
        let _ = ACTIVE.try_with(|active| active.borrow_mut().push(Arc::clone(state)));
        Current
    }
}

impl Drop for Current {
    fn drop(&mut self) {
        let _ = ACTIVE.try_with(|active| active.borrow_mut().pop());
    }
}

pin_project! {
    /// A scope's body, with panics caught: stops when a current cancel
    /// scope is cancelled and this is the innermost body suspended.
    ///
    /// Catching the panic here rather than in a separate layer keeps the
    /// hot path to the one `match` the catch needs anyway.
    #[must_use = "futures do nothing unless polled"]
    pub(crate) struct Cancellable<F> {
        #[pin]
        body: F,
    }
}

impl<F> Cancellable<F> {
    pub(crate) fn new(body: F) -> Self {
        Self { body }
    }
}

impl<F, T> Future for Cancellable<F>
where
    F: Future<Output = Result<T, Error>>,
{
    type Output = Result<Result<T, Error>, PanicPayload>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let body = self.project().body;
        match panic::catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => match claim() {
                None => Poll::Pending,
                Some(error) => Poll::Ready(Ok(Err(error))),
            },
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

pin_project! {
    /// A scope's exit, with panics caught: never stopped, and holds
    /// cancellation back from the scopes around it while it is suspended.
    #[must_use = "futures do nothing unless polled"]
    pub(crate) struct Shielded<F> {
        #[pin]
        exit: Unstoppable<F>,
    }
}

impl<F> Shielded<F> {
    pub(crate) fn new(exit: F) -> Self {
        Self {
            exit: Unstoppable::new(exit),
        }
    }
}

impl<F: Future> Future for Shielded<F> {
    type Output = Result<F::Output, PanicPayload>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let exit = self.project().exit;
        match panic::catch_unwind(AssertUnwindSafe(|| exit.poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

pin_project! {
    /// A scope's exit, not stopped by cancel scopes and holding their
    /// cancellation back while it is suspended; a panic in it goes up as it
    /// is. For the exit of a scope whose body succeeded: there is no pending
    /// error or panic for the exit's panic to be weighed against, so the
    /// exit's own panic is the scope's outcome, and catching it only to
    /// resume it would cost a call boundary on the hot path.
    #[must_use = "futures do nothing unless polled"]
    pub(crate) struct Unstoppable<F> {
        #[pin]
        exit: F,
    }
}

impl<F> Unstoppable<F> {
    pub(crate) fn new(exit: F) -> Self {
        Self { exit }
    }
}

/// Runs `poll`, the poll of one or more exits, as [`Unstoppable`] polls
/// its exit: with the current scopes hidden while any scope is cancelled,
/// and holding their cancellation back if it returns `Pending`.
#[inline(always)]
pub(crate) fn poll_unstoppable<T>(poll: impl FnOnce() -> Poll<T>) -> Poll<T> {
    // While no scope is cancelled anywhere there is nothing to hide.
    let polled = if CANCELLED_SCOPES.load(Ordering::Relaxed) != 0 {
        poll_hidden(poll)
    } else {
        poll()
    };
    if polled.is_pending() {
        hold();
    }
    polled
}

/// Runs `poll` with the current scopes hidden.
#[cold]
#[inline(never)]
fn poll_hidden<T>(poll: impl FnOnce() -> Poll<T>) -> Poll<T> {
    let _shield = Shield::raise();
    poll()
}

impl<F: Future> Future for Unstoppable<F> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let exit = self.project().exit;
        poll_unstoppable(|| exit.poll(cx))
    }
}

/// A scope that stops its block when cancelled, then awaits the exits of
/// the scopes inside it: anyio's `CancelScope`, trio's cancel scope.
///
/// [`run`](CancelScope::run) the block in it; [`cancel`](CancelScope::cancel)
/// it from anywhere (another task, another thread, the block itself) through
/// a clone. The block stops at its next suspension point: the innermost
/// `with` suspended there runs its exits inline, told
/// [`Outcome::Failed`](crate::Outcome::Failed) with a [`Cancelled`] error,
/// and every outer `with` in the block does the same as the error goes up.
/// The run then ends with that error (a lone [`Cancelled`] unless an exit
/// failed too), so the caller can tell it from the block's own errors.
/// Exits are never interrupted.
///
/// A cancelled scope stays cancelled: a block that catches the error and
/// goes on is stopped again at its next suspension point.
///
/// # Examples
///
/// ```
/// use async_with::{CancelScope, Cancelled, Error, defer, with};
/// use std::sync::{Arc, Mutex};
///
/// # futures_lite::future::block_on(async {
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let scope = CancelScope::new();
/// let canceller = scope.clone();
/// let closed = Arc::clone(&log);
/// let ended = scope
///     .run(with(
///         defer(async move || { closed.lock().unwrap().push("closed"); Ok(()) }),
///         async |()| {
///             canceller.cancel();
///             std::future::pending::<()>().await; // stopped here
///             Ok(())
///         },
///     ))
///     .await;
/// assert!(ended.unwrap_err().is::<Cancelled>());
/// assert_eq!(*log.lock().unwrap(), ["closed"]);
/// # });
/// ```
#[derive(Clone)]
#[doc(alias = "move_on_after")]
pub struct CancelScope {
    state: Arc<State>,
}

impl fmt::Debug for CancelScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelScope")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Default for CancelScope {
    fn default() -> Self {
        Self::new()
    }
}

impl CancelScope {
    /// A scope not cancelled yet.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!async_with::CancelScope::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        Self {
            state: State::new(None),
        }
    }

    /// Cancels the scope: its block stops at its next suspension point.
    /// Idempotent; callable from any thread, before or during the run.
    ///
    /// # Examples
    ///
    /// ```
    /// let scope = async_with::CancelScope::new();
    /// scope.cancel();
    /// assert!(scope.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.state.stop(CANCELLED);
    }

    /// Whether [`cancel`](CancelScope::cancel) was called (or the deadline
    /// of a [`timeout`] passed).
    ///
    /// # Examples
    ///
    /// See [`cancel`](CancelScope::cancel).
    pub fn is_cancelled(&self) -> bool {
        self.state.is_cancelled()
    }

    /// Runs `block` in the scope. Returns the block's result; when the scope
    /// stopped the block, an error holding [`Cancelled`] (after the errors of
    /// any exit that failed on the way).
    ///
    /// # Examples
    ///
    /// See [`CancelScope`].
    pub fn run<F, T>(self, block: F) -> impl Future<Output = Result<T, Error>>
    where
        F: Future<Output = Result<T, Error>>,
    {
        Scoped {
            deadline: std::future::pending::<()>(),
            waiting: false,
            block,
            state: self.state,
        }
    }

    /// A scope not cancelled yet, and `attachment` in the same allocation:
    /// for a task group's child, whose handle keeps the child's value there.
    ///
    /// The attachment keeps the scope's state alive with it. A cancelled
    /// state that is alive keeps exits on the path that hides the current
    /// scopes (see [`poll_unstoppable`]): correct, a little slower, and
    /// only until the last handle is gone.
    pub(crate) fn attached<Attachment: Send + Sync + 'static>(
        attachment: Attachment,
    ) -> (Self, Arc<State<Attachment>>) {
        let attached = State::with_attachment(None, attachment);
        let state: Arc<State> = attached.clone();
        (Self { state }, attached)
    }

    /// Whether `error` is this scope's stop signal alone: the block was
    /// stopped by this scope, and no exit failed on the way.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::CancelScope;
    /// # futures_lite::future::block_on(async {
    /// let scope = CancelScope::new();
    /// scope.cancel();
    /// let error = scope.clone().run(std::future::pending::<Result<(), _>>()).await.unwrap_err();
    /// assert!(scope.stopped(&error));
    /// assert!(!CancelScope::new().stopped(&error));
    /// # });
    /// ```
    pub fn stopped(&self, error: &Error) -> bool {
        error.len() == 1 && self.state.owns(error.newest())
    }

    /// `error` without this scope's stop signals; `None` when nothing else
    /// was in it.
    pub(crate) fn strip(&self, error: Error) -> Option<Error> {
        self.state.strip(error)
    }
}

/// Python's `asyncio.timeout(delay)`: runs `block`; if it is not done after
/// `duration`, stops it at its next suspension point, runs the exits of the
/// scopes inside it inline (each told the [`TimedOut`] error), and returns
/// that error.
///
/// The caller tells a timeout from the block's own errors with
/// `error.is::<TimedOut>()` (the newest error; an exit that failed on the
/// way comes after it, and [`Error::errors`] lists both). Exits are never
/// interrupted: a slow exit delays the return past the deadline; bound it
/// with [`exit_timeout`](crate::exit_timeout).
///
/// Runtime adapter crates offer it bound to their runtime
/// (`async_with_tokio::timeout(duration, block)`).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use async_with::{Runtime, TimedOut, nullcontext, timeout, with};
/// # #[derive(Clone)]
/// # struct Instant;
/// # impl Runtime for Instant {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, _: Duration) -> impl Future<Output = ()> + Send + 'static + use<> { async {} }
/// # }
///
/// # futures_lite::future::block_on(async {
/// // `Instant` is a `Runtime` whose timer fires at once
/// let ended = timeout(Instant, Duration::from_millis(20), with(nullcontext(()), async |()| {
///     std::future::pending::<()>().await;
///     Ok(())
/// }))
/// .await;
/// let error = ended.unwrap_err();
/// assert!(error.is::<TimedOut>());
/// assert_eq!(error.to_string(), "timed out after 20ms");
/// # });
/// ```
#[doc(alias = "asyncio.timeout")]
#[doc(alias = "fail_after")]
pub fn timeout<R, F, T>(
    runtime: R,
    duration: Duration,
    block: F,
) -> impl Future<Output = Result<T, Error>>
where
    R: Runtime,
    F: Future<Output = Result<T, Error>>,
{
    Scoped {
        // The sleep future nominally borrows the runtime: own it here.
        deadline: async move { runtime.sleep(duration).await },
        waiting: true,
        block,
        state: State::new(Some(duration)),
    }
}

/// anyio's `move_on_after(delay)`: like [`timeout`], but a block stopped at
/// the deadline gives `Ok(None)` (when no exit failed on the way); a block
/// that finished gives `Ok(Some(value))`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use async_with::{Runtime, move_on_after};
/// # #[derive(Clone)]
/// # struct Instant;
/// # impl Runtime for Instant {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, _: Duration) -> impl Future<Output = ()> + Send + 'static + use<> { async {} }
/// # }
/// # futures_lite::future::block_on(async {
/// // `Instant` is a `Runtime` whose timer fires at once
/// let gave_up = move_on_after(Instant, Duration::from_secs(1), std::future::pending::<Result<u8, _>>()).await?;
/// assert_eq!(gave_up, None);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub fn move_on_after<R, F, T>(
    runtime: R,
    duration: Duration,
    block: F,
) -> impl Future<Output = Result<Option<T>, Error>>
where
    R: Runtime,
    F: Future<Output = Result<T, Error>>,
{
    let state = State::new(Some(duration));
    let scope = CancelScope {
        state: Arc::clone(&state),
    };
    let scoped = Scoped {
        // The sleep future nominally borrows the runtime: own it here.
        deadline: async move { runtime.sleep(duration).await },
        waiting: true,
        block,
        state,
    };
    async move {
        match scoped.await {
            Ok(value) => Ok(Some(value)),
            Err(error) if scope.stopped(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

pin_project! {
    /// The future of a cancel scope's run.
    #[must_use = "futures do nothing unless polled"]
    struct Scoped<S, F> {
        #[pin]
        deadline: S,
        waiting: bool,
        #[pin]
        block: F,
        state: Arc<State>,
    }
}

impl<S, F, T> Future for Scoped<S, F>
where
    S: Future<Output = ()>,
    F: Future<Output = Result<T, Error>>,
{
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let state = &**this.state;
        state.held.store(false, Ordering::Relaxed);
        if *this.waiting && this.deadline.poll(cx).is_ready() {
            *this.waiting = false;
            state.stop(TIMED_OUT);
        }
        let _current = Current::enter(this.state);
        match this.block.poll(cx) {
            Poll::Pending => {
                // Registered before the check below: a `cancel` from another
                // thread either comes after the registration and wakes this
                // task, or before it and the check sees it.
                if !state.is_cancelled() {
                    state.register(cx.waker());
                }
                // Nothing inside took the cancellation: stop the block here.
                claim().map_or(Poll::Pending, |error| Poll::Ready(Err(error)))
            }
            ready => ready,
        }
    }
}

/// The error a [`timeout`] stops its block with: the deadline passed.
///
/// # Examples
///
/// See [`timeout`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedOut {
    scope: u64,
    after: Duration,
}

impl TimedOut {
    /// The timeout that passed.
    ///
    /// # Examples
    ///
    /// See [`timeout`].
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timed out after {:?}", self.after)
    }
}

impl StdError for TimedOut {}

/// The error a [`CancelScope`] stops its block with:
/// [`cancel`](CancelScope::cancel) was called.
///
/// # Examples
///
/// See [`CancelScope`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cancelled {
    scope: u64,
}

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cancelled")
    }
}

impl StdError for Cancelled {}
