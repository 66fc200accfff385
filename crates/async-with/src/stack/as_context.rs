//! The stack as a context: Python's `async with AsyncExitStack() as stack`
//! under [`with`](crate::with), and one stack entered on another
//! (`enter_async_context(AsyncExitStack())`).
//!
//! Entering a stack moves its entries into the resource (the block gets the
//! stack itself, as in Python); exiting closes that stack, its exits told
//! how the block around it ended. What they do is answered to that block as
//! one exit would: an error they suppressed is suppressed, errors they
//! raise are added after the block's, in order, and a panic resumes once
//! every exit ran.
//!
//! Exits inside the stack see the block's error itself. Once one of them
//! raises another, the block's errors are held through a shared handle
//! (the block still owns them): they count, display and are listed by
//! [`Error::errors`] as themselves, each with its own type, but they cannot
//! be taken apart. [`suppress::<E>`](crate::suppress) splitting the group
//! suppresses them only if all are `E`, and a
//! [`replace_pending`](Error::replace_pending) receives them as one error
//! that does not downcast. [`ExitStack::scope`] owns its errors and has no
//! such limit.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::PoisonError;

use super::drain::{Drain, drain_cancelled};
use super::{Borrowed, ExitStack, Flavor, Local, Sendable, StackPolicy};
use crate::unwind::Inherited;
use crate::{AsyncContext, Error, Exit, LocalAsyncContext, Outcome};

/// A `Send` stack is a context: entering it lends the stack (with what it
/// held) to the block; exiting closes it as the block ended.
///
/// # Examples
///
/// ```
/// use async_with::{Error, ExitStack, nullcontext, with};
/// # futures_lite::future::block_on(async {
/// // Python: async with AsyncExitStack() as stack:
/// let total = with(ExitStack::new(), async |stack| {
///     let a = stack.enter(nullcontext(1)).await?;
///     let b = stack.enter(nullcontext(2)).await?;
///     Ok(*a + *b)
/// })
/// .await?;
/// assert_eq!(total, 3);
///
/// // A stack entered on another: its exits run in its place.
/// let mut outer = ExitStack::new();
/// let inner = outer.enter(ExitStack::new()).await?;
/// inner.push_callback(|| async { Err(Error::msg("inner cleanup failed")) });
/// let error = outer.close().await.unwrap_err();
/// assert_eq!(error.to_string(), "inner cleanup failed");
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
impl<P> AsyncContext for ExitStack<Sendable, P>
where
    P: StackPolicy<Sendable> + Clone + Send + Sync + 'static,
{
    type Resource = Entered<Self>;

    async fn enter(&mut self) -> Result<Entered<Self>, Error> {
        Ok(Entered(self.pop_all()))
    }

    async fn exit(self, mut stack: Entered<Self>, outcome: Outcome) -> Result<Exit, Error> {
        stack.0.close_told(outcome).await
    }
}

/// A [`LocalExitStack`](crate::LocalExitStack) is a local context, as a
/// `Send` stack is a context.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use async_with::{LocalExitStack, with};
/// # futures_lite::future::block_on(async {
/// let kept = with(LocalExitStack::new(), async |stack| {
///     let shared = stack.push_drop(Rc::new("!Send"));
///     Ok(Rc::clone(shared))
/// })
/// .await?;
/// assert_eq!(Rc::strong_count(&kept), 1); // the stack's copy was dropped
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
impl<P> LocalAsyncContext for ExitStack<Local, P>
where
    P: StackPolicy<Local> + Clone,
{
    type Resource = Entered<Self>;

    async fn enter(&mut self) -> Result<Entered<Self>, Error> {
        Ok(Entered(self.pop_all()))
    }

    async fn exit(self, mut stack: Entered<Self>, outcome: Outcome) -> Result<Exit, Error> {
        stack.0.close_told(outcome).await
    }
}

/// A [`ScopedExitStack`](crate::ScopedExitStack) is a local context too.
///
/// # Examples
///
/// ```
/// use async_with::{ScopedExitStack, with};
/// # futures_lite::future::block_on(async {
/// let mut closed = false;
/// with(ScopedExitStack::new(), async |stack| {
///     stack.push_sync_callback(|| {
///         closed = true;
///         Ok(())
///     });
///     Ok(())
/// })
/// .await?;
/// assert!(closed);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
impl<'a, P> LocalAsyncContext for ExitStack<Borrowed<'a>, P>
where
    P: StackPolicy<Borrowed<'a>> + Clone,
{
    type Resource = Entered<Self>;

    async fn enter(&mut self) -> Result<Entered<Self>, Error> {
        Ok(Entered(self.pop_all()))
    }

    async fn exit(self, mut stack: Entered<Self>, outcome: Outcome) -> Result<Exit, Error> {
        stack.0.close_told(outcome).await
    }
}

/// The stack a block gets when a stack is entered as a context: the stack
/// itself, which it dereferences to. (A plain `&mut ExitStack` would make
/// `stack.enter(cx)` mean the stack's own context `enter` wherever
/// [`AsyncContext`] is in scope.)
///
/// # Examples
///
/// ```
/// use async_with::{AsyncContext, ExitStack, nullcontext, with};
/// # futures_lite::future::block_on(async {
/// with(ExitStack::new(), async |stack| {
///     // `ExitStack::enter`, even with `AsyncContext` imported.
///     let n = stack.enter(nullcontext(1)).await?;
///     assert_eq!((*n, stack.len()), (1, 1));
///     Ok(())
/// })
/// .await?;
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub struct Entered<S>(S);

impl<S> Entered<S> {
    /// The stack, with what it holds, out of its scope: its exits no
    /// longer run when the scope ends, but when this stack is closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{ExitStack, nullcontext};
    /// # futures_lite::future::block_on(async {
    /// let mut outer = ExitStack::new();
    /// let inner = outer.enter(ExitStack::new()).await?;
    /// inner.enter(nullcontext(1)).await?;
    /// let mut kept = inner.pop_all(); // moves the entries out
    /// outer.close().await?; // closes an empty inner stack
    /// assert_eq!(kept.len(), 1);
    /// kept.close().await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn into_inner(self) -> S {
        self.0
    }
}

impl<S> Deref for Entered<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.0
    }
}

impl<S> DerefMut for Entered<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.0
    }
}

impl<S: fmt::Debug> fmt::Debug for Entered<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<K: Flavor, P: StackPolicy<K>> ExitStack<K, P> {
    /// Runs every exit told `outcome`, and answers as one exit would.
    async fn close_told(&mut self, outcome: Outcome) -> Result<Exit, Error> {
        let Self { arena, pending, .. } = self;
        let state = pending.get_mut().unwrap_or_else(PoisonError::into_inner);
        let inherited = state.inherit(outcome);
        if let Inherited::Cancelled = inherited {
            // Their errors and panics are recorded as a close records them.
            drain_cancelled(arena, |exited| state.record_exit(exited)).await;
        } else {
            Drain::new(arena, state).await;
        }
        std::mem::take(state).finish_inherited(inherited)
    }
}
