//! Whether a stack is `Send`: fixed when the stack is made, because its
//! entries are type-erased.

use std::ptr::NonNull;

use super::Entry;

mod sealed {
    pub trait Sealed {}
}

/// Which entries an [`ExitStack`](crate::ExitStack) holds: [`Sendable`] ones
/// (the stack is `Send + Sync`) or any ([`Local`]).
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
    type Entry: ?Sized + Entry + 'static;

    #[doc(hidden)]
    #[inline]
    fn erase<T: Entry + 'static>(entry: NonNull<T>) -> NonNull<Self::Entry>
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

impl sealed::Sealed for Sendable {}
impl sealed::Sealed for Local {}

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
