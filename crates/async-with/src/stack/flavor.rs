//! Whether a stack is `Send`: fixed when the stack is made, because its
//! entries are type-erased.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::ptr::NonNull;

use super::Entry;

mod sealed {
    pub trait Sealed {}
}

/// Which entries an [`ExitStack`](crate::ExitStack) holds: [`Sendable`] ones
/// (the stack is `Send + Sync`), any that own what they use ([`Local`]), or
/// any that live at least as long as `'a` ([`Borrowed<'a>`](Borrowed)).
///
/// # Examples
///
/// ```
/// use async_with::{ExitStack, LocalExitStack};
/// fn assert_send<T: Send>(_: &T) {}
/// assert_send(&ExitStack::new());
/// let _local: LocalExitStack = LocalExitStack::new(); // may hold `Rc`s; not `Send`
/// ```
pub trait Flavor: sealed::Sealed {
    /// The erased entry type.
    type Entry: ?Sized + Entry;

    #[doc(hidden)]
    #[inline]
    fn erase<T: Entry>(entry: NonNull<T>) -> NonNull<Self::Entry>
    where
        Self: Holds<T>,
    {
        <Self as Holds<T>>::erase_entry(entry)
    }
}

#[doc(hidden)]
pub trait Holds<T>: Flavor {
    fn erase_entry(entry: NonNull<T>) -> NonNull<Self::Entry>;
}

/// The flavor of [`ExitStack`](crate::ExitStack): every entry is `Send`, so
/// the stack is `Send + Sync` and its scope can run inside `tokio::spawn`.
///
/// # Examples
///
/// ```
/// let _stack: async_with::stack::ExitStack<async_with::Sendable, async_with::NoRuntime> = async_with::ExitStack::new();
/// ```
#[derive(Debug)]
pub enum Sendable {}

/// The flavor of [`LocalExitStack`](crate::LocalExitStack): entries may be
/// `!Send`, and so is the stack.
///
/// # Examples
///
/// ```
/// let _stack: async_with::LocalExitStack = async_with::LocalExitStack::new();
/// ```
#[derive(Debug)]
pub enum Local {}

/// The flavor of a [`ScopedExitStack`](crate::ScopedExitStack): entries may
/// borrow anything that lives at least as long as `'a` (a transaction over
/// `&'a mut Connection`), and may be `!Send`. The stack cannot outlive
/// `'a` and is `!Send`; see [`ScopedExitStack`](crate::ScopedExitStack).
///
/// # Examples
///
/// ```
/// use async_with::ScopedExitStack;
/// # futures_lite::future::block_on(async {
/// let mut log = Vec::new();
/// let mut stack = ScopedExitStack::new();
/// stack.push_sync_callback(|| {
///     log.push("closed"); // borrows `log` from the caller
///     Ok(())
/// });
/// stack.close().await?;
/// drop(stack);
/// assert_eq!(log, ["closed"]);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[derive(Debug)]
pub enum Borrowed<'a> {
    #[doc(hidden)]
    Never(Infallible, PhantomData<fn(&'a ()) -> &'a ()>),
}

impl sealed::Sealed for Sendable {}
impl sealed::Sealed for Local {}
impl sealed::Sealed for Borrowed<'_> {}

impl Flavor for Sendable {
    type Entry = dyn Entry + Send;
}

impl Flavor for Local {
    type Entry = dyn Entry;
}

impl<T: Entry + Send + 'static> Holds<T> for Sendable {
    #[inline]
    fn erase_entry(entry: NonNull<T>) -> NonNull<dyn Entry + Send> {
        entry
    }
}

impl<T: Entry + 'static> Holds<T> for Local {
    #[inline]
    fn erase_entry(entry: NonNull<T>) -> NonNull<dyn Entry> {
        entry
    }
}

impl<'a> Flavor for Borrowed<'a> {
    type Entry = dyn Entry + 'a;
}

impl<'a, T: Entry + 'a> Holds<T> for Borrowed<'a> {
    #[inline]
    fn erase_entry(entry: NonNull<T>) -> NonNull<dyn Entry + 'a> {
        entry
    }
}
