//! Generator-style contexts: Python's `@asynccontextmanager`.

use std::fmt;
use std::future::{Future, poll_fn};
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};

mod slot;

pub(crate) use slot::Slot;

use crate::cancel_scope::{Cancellable, Shielded, Unstoppable};
use crate::diagnostics;
use crate::unwind::{Ended, Unwind, succeeded, unwound};
use crate::{Error, IntoExit, MisuseError, Outcome, With};

/// Makes a context from one async closure, like Python's
/// `@asynccontextmanager`.
///
/// The closure gets a [`Yield`] handle. Its code before
/// [`yield_`](Yield::yield_) is the enter; the value it yields is lent to the
/// block; the block's [`Outcome`] and the value come back at the yield point;
/// the code after it is the exit. Return `Ok(())` to let an error go on, or
/// `Ok(Exit::Suppress)` to swallow it.
///
/// Because [`yield_`](Yield::yield_) consumes the handle, yielding twice does
/// not compile. The other misuses are errors, never hangs or panics:
/// returning without yielding gives a [`MisuseError`], failing before the
/// yield is a failed enter (the block does not run).
///
/// Nothing is allocated on the heap. The price is an unnameable type: write
/// the context where it is used. A function that *returns* a
/// generator-style context (as Python's decorated functions do) should
/// return a [`BoxedContext`](crate::BoxedContext) from
/// [`boxed_context`](crate::boxed_context): an `impl With` return type would
/// hide whether the scope's future is `Send`, and a boxed context also goes
/// on an [`ExitStack`](crate::ExitStack).
///
/// # Examples
///
/// Cleanup that runs whatever the block did, Python's `try: yield finally:`:
///
/// ```
/// use async_with::{Error, context, with};
///
/// # futures_lite::future::block_on(async {
/// let log = std::sync::Mutex::new(Vec::new());
/// let connection = |name: &'static str| {
///     let log = &log;
///     context(async move |scope| {
///         log.lock().unwrap().push(format!("connect {name}"));
///         let (name, outcome) = scope.yield_(name).await;
///         log.lock().unwrap().push(format!("disconnect {name} ({})", outcome.is_success()));
///         Ok(())
///     })
/// };
/// let result = with(connection("A"), async |name| {
///     Err::<(), _>(Error::msg(format!("query on {name} failed")))
/// })
/// .await;
/// assert_eq!(result.unwrap_err().to_string(), "query on A failed");
/// assert_eq!(*log.lock().unwrap(), ["connect A", "disconnect A (false)"]);
/// # });
/// ```
#[doc(alias = "asynccontextmanager")]
#[doc(alias = "contextmanager")]
pub fn context<R, X, F>(closure: F) -> Generator<F, R>
where
    F: AsyncFnOnce(Yield<'_, R>) -> Result<X, Error>,
    X: IntoExit,
{
    Generator {
        closure,
        resource: PhantomData,
    }
}

/// A generator-style context, made by [`context`]. Use it with
/// [`with`](crate::with).
///
/// # Examples
///
/// ```
/// use async_with::{With, context};
/// # futures_lite::future::block_on(async {
/// let timer = context(async |scope| {
///     let start = std::time::Instant::now();
///     let _ = scope.yield_(()).await;
///     let _elapsed = start.elapsed();
///     Ok(())
/// });
/// timer.with(async |()| Ok(())).await?;
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Generator<F, R> {
    closure: F,
    resource: PhantomData<fn() -> R>,
}

impl<F, R> fmt::Debug for Generator<F, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator").finish_non_exhaustive()
    }
}

impl<F, R, X> With for Generator<F, R>
where
    F: AsyncFnOnce(Yield<'_, R>) -> Result<X, Error>,
    X: IntoExit,
{
    type Resource = R;

    // A function returning an `async move` block, for the size of the
    // future: see `with::scope`.
    fn with<B, T>(self, body: B) -> impl Future<Output = Result<T, Error>>
    where
        B: AsyncFnOnce(&mut R) -> Result<T, Error>,
    {
        let closure = self.closure;
        async move {
            let slot = Slot::new();
            let mut generator = pin!(closure(Yield {
                slot: SlotRef::Borrowed(&slot),
            }));

            // Enter: run the closure up to its yield.
            let mut resource = run_to_yield(generator.as_mut(), &slot).await?;

            let skipped = SkippedExitReport::armed();
            // As in `with`: how the block ended is moved whole into what
            // each path keeps (see `unwind::succeeded`), and the common case
            // needs no bookkeeping (a panic in the rest of the closure then
            // goes up as it is).
            let ended = Cancellable::new(body(&mut resource)).await;
            match ended {
                Ok(Ok(_)) => {
                    let value = succeeded(ended);
                    slot.resume(resource, Outcome::Success);
                    skipped.disarm();
                    // Exit: run the rest of the closure.
                    let returned = Unstoppable::new(generator).await;
                    let unclaimed = slot.take_unclaimed();
                    match returned {
                        Ok(_) if !unclaimed => Ok(value),
                        returned => finish(Unwind::default(), Some(value), unclaimed, Ok(returned)),
                    }
                }
                _ => {
                    let unwind = unwound(ended);
                    slot.resume(resource, unwind.outcome());
                    skipped.disarm();
                    let exited = Shielded::new(generator).await;
                    let unclaimed = slot.take_unclaimed();
                    finish(unwind, None, unclaimed, exited)
                }
            }
        }
    }
}

/// Polls a generator-style closure until it yields, and takes the resource
/// it yielded. A closure that returns first failed its enter (its error) or
/// broke the protocol (a [`MisuseError`]).
pub(crate) fn run_to_yield<'a, G, X, R>(
    mut generator: Pin<&'a mut G>,
    slot: &'a Slot<R>,
) -> impl Future<Output = Result<R, Error>> + 'a
where
    G: Future<Output = Result<X, Error>> + ?Sized,
{
    poll_fn(move |cx| match generator.as_mut().poll(cx) {
        Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
        Poll::Ready(Ok(_)) => Poll::Ready(Err(match slot.take_yielded() {
            Some(_) => MisuseError::AbandonedYield,
            None => MisuseError::NoYield,
        }
        .into())),
        Poll::Pending => slot
            .take_yielded()
            .map_or(Poll::Pending, |resource| Poll::Ready(Ok(resource))),
    })
}

/// Ends a generator-style scope whose block or closure did not simply
/// succeed, or whose closure did not take its resource back.
#[cold]
#[inline(never)]
fn finish<T, X: IntoExit>(
    mut unwind: Unwind,
    value: Option<T>,
    unclaimed: bool,
    exited: Ended<X>,
) -> Result<T, Error> {
    if unclaimed {
        unwind.record_error(MisuseError::AbandonedYield.into());
    }
    unwind.record_exit(exited.map(|returned| returned.map(IntoExit::into_exit)));
    unwind.finish(value)
}

/// The handle a generator-style closure yields its resource through.
///
/// # Examples
///
/// ```
/// use async_with::{AllowSuppressed, Exit, Outcome, context, with};
/// # futures_lite::future::block_on(async {
/// // Python: try: yield except KeyError: pass
/// let ignore_errors = context(async |scope| {
///     let ((), outcome) = scope.yield_(()).await;
///     Ok(match outcome {
///         Outcome::Failed(_) => Exit::Suppress,
///         _ => Exit::Propagate,
///     })
/// });
/// let value: Option<u8> = with(ignore_errors, async |()| Err(async_with::Error::msg("no such key")))
///     .await
///     .allow_suppressed()?;
/// assert_eq!(value, None); // a suppressed block has no value
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub struct Yield<'y, R> {
    slot: SlotRef<'y, R>,
}

/// A slot borrowed from the scope's frame ([`context`]) or shared with a
/// boxed context ([`boxed_context`](crate::boxed_context)).
enum SlotRef<'y, R> {
    Borrowed(&'y Slot<R>),
    Shared(Arc<Slot<R>>),
}

impl<R> Deref for SlotRef<'_, R> {
    type Target = Slot<R>;

    fn deref(&self) -> &Slot<R> {
        match self {
            SlotRef::Borrowed(slot) => slot,
            SlotRef::Shared(slot) => slot,
        }
    }
}

impl<R> Yield<'static, R> {
    pub(crate) fn shared(slot: Arc<Slot<R>>) -> Self {
        Self {
            slot: SlotRef::Shared(slot),
        }
    }
}

impl<R> fmt::Debug for Yield<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yield").finish_non_exhaustive()
    }
}

impl<'y, R> Yield<'y, R> {
    /// Lends `resource` to the block (Python's `yield resource`); completes
    /// when the block is over, with the resource back and how the block ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{context, with};
    /// # futures_lite::future::block_on(async {
    /// let counter = context(async |scope| {
    ///     let (count, _outcome) = scope.yield_(0_u32).await;
    ///     assert_eq!(count, 3);
    ///     Ok(())
    /// });
    /// with(counter, async |count| {
    ///     *count += 3;
    ///     Ok(())
    /// })
    /// .await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "yield")]
    pub fn yield_(self, resource: R) -> Resume<'y, R> {
        Resume {
            slot: self.slot,
            resource: Some(resource),
        }
    }
}

/// The future [`Yield::yield_`] returns.
#[must_use = "the resource is lent only when the yield is awaited"]
pub struct Resume<'y, R> {
    slot: SlotRef<'y, R>,
    resource: Option<R>,
}

// The resource is moved, never pinned in place.
impl<R> Unpin for Resume<'_, R> {}

impl<R> fmt::Debug for Resume<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resume").finish_non_exhaustive()
    }
}

impl<R> Future for Resume<'_, R> {
    type Output = (R, Outcome);

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<(R, Outcome)> {
        // No waker is needed: the scope polls the closure again right after
        // the block, and finds the resource here.
        if let Some(resource) = self.resource.take() {
            self.slot.offer(resource);
            return Poll::Pending;
        }
        self.slot.claim().map_or(Poll::Pending, Poll::Ready)
    }
}

/// Reports the skipped exit if the scope is dropped while the block runs.
struct SkippedExitReport {
    armed: bool,
}

impl SkippedExitReport {
    fn armed() -> Self {
        Self { armed: true }
    }

    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for SkippedExitReport {
    fn drop(&mut self) {
        if self.armed {
            diagnostics::report_skipped_exits(1);
        }
    }
}
