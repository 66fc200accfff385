//! A way back to an entry's resource through its stack, after the `&mut`
//! that [`ExitStack::enter_handle`](super::ExitStack::enter_handle) stands
//! in for has ended.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::entry::{EntryFor, Told, sealed};
use crate::{Error, Exit, Outcome};

/// Names one entry of an [`ExitStack`](super::ExitStack), to reach its
/// resource again through the stack with
/// [`get_mut`](super::ExitStack::get_mut): after collecting connections in
/// a loop, or once the stack was handed to another task or moved by
/// [`pop_all`](super::ExitStack::pop_all).
///
/// A handle is an address and a number, not a reference: it does not keep
/// the entry alive nor borrow the stack. Once the entry's exit has started
/// (the stack was closed), `get_mut` gives `None`.
///
/// # Examples
///
/// ```
/// use async_with::{ExitStack, nullcontext};
/// # futures_lite::future::block_on(async {
/// let mut stack = ExitStack::new();
/// let mut handles = Vec::new();
/// for port in [5432, 6379] {
///     handles.push(stack.enter_handle(nullcontext(port)).await?);
/// }
/// let mut kept = stack.pop_all(); // the entries move; the handles follow
/// *kept.get_mut(&handles[0]).unwrap() += 1;
/// assert_eq!(kept.get_mut(&handles[0]), Some(&mut 5433));
/// assert_eq!(kept.get_mut(&handles[1]), Some(&mut 6379));
/// kept.close().await?;
/// assert_eq!(kept.get_mut(&handles[0]), None);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub struct Handle<R> {
    /// Where the entry lives in its stack's memory.
    pub(super) address: usize,
    /// Tells this entry from a later one written at the same address.
    pub(super) id: u64,
    /// Finds the resource in the entry's payload, if the payload is this
    /// entry's.
    pub(super) resource: fn(&mut dyn Any, u64) -> Option<&mut R>,
    pub(super) kind: PhantomData<fn() -> R>,
}

impl<R> Handle<R> {
    /// A number no other handle of this process has.
    pub(super) fn next_id() -> u64 {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }
}

impl<R> Clone for Handle<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Handle<R> {}

impl<R> fmt::Debug for Handle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").field("id", &self.id).finish()
    }
}

impl<R> PartialEq for Handle<R> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<R> Eq for Handle<R> {}

pin_project! {
    /// An entry a [`Handle`] can find: its payload (owned, so `'static`)
    /// is offered as `Any` until the exit starts.
    pub(crate) struct Findable<E> {
        #[pin]
        entry: E,
    }
}

impl<E> Findable<E> {
    pub(crate) fn new(entry: E) -> Self {
        Self { entry }
    }
}

impl<P, M, F> sealed::EntryImpl for Findable<EntryFor<P, M, F>>
where
    P: 'static,
    M: FnOnce(P, Outcome) -> F,
    F: Future<Output = Result<Exit, Error>>,
{
    fn poll_exit(
        self: Pin<&mut Self>,
        told: Told<'_>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Exit, Error>> {
        self.project().entry.poll_exit(told, cx)
    }

    fn started(&self) -> bool {
        self.entry.started()
    }

    fn payload_any(self: Pin<&mut Self>) -> Option<&mut dyn Any> {
        let payload = self.project().entry.payload()?;
        Some(payload)
    }
}
