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

use std::sync::PoisonError;

use super::drain::Drain;
use super::{ExitStack, Flavor, Local, Sendable, StackPolicy};
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
    type Resource = Self;

    async fn enter(&mut self) -> Result<Self, Error> {
        Ok(self.pop_all())
    }

    async fn exit(self, mut stack: Self, outcome: Outcome) -> Result<Exit, Error> {
        stack.close_told(outcome).await
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
    type Resource = Self;

    async fn enter(&mut self) -> Result<Self, Error> {
        Ok(self.pop_all())
    }

    async fn exit(self, mut stack: Self, outcome: Outcome) -> Result<Exit, Error> {
        stack.close_told(outcome).await
    }
}

impl<K: Flavor, P: StackPolicy<K>> ExitStack<K, P> {
    /// Runs every exit told `outcome`, and answers as one exit would.
    async fn close_told(&mut self, outcome: Outcome) -> Result<Exit, Error> {
        let Self { arena, pending, .. } = self;
        let state = pending.get_mut().unwrap_or_else(PoisonError::into_inner);
        let inherited = state.inherit(outcome);
        let drain = match inherited {
            Inherited::Cancelled => Drain::cancelled(arena, state),
            _ => Drain::new(arena, state),
        };
        drain.await;
        std::mem::take(state).finish_inherited(inherited)
    }
}
