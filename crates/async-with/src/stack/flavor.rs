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
/// let _local: LocalExitStack<'_> = ExitStack::local(); // may hold `Rc`s; not `Send`
/// ```
pub trait Flavor<'a>: sealed::Sealed {
    /// The erased entry type.
    type Entry: ?Sized + Entry + 'a;

    #[doc(hidden)]
    fn erase<T: Entry + 'a>(entry: NonNull<T>) -> NonNull<Self::Entry>
    where
        Self: Holds<'a, T>,
    {
        <Self as Holds<'a, T>>::erase_entry(entry)
    }
}

#[doc(hidden)]
pub trait Holds<'a, T>: Flavor<'a> {
    fn erase_entry(entry: NonNull<T>) -> NonNull<Self::Entry>;
}

/// The flavor of [`ExitStack`](crate::ExitStack): every entry is `Send`, so
/// the stack is `Send + Sync` and its scope can run inside `tokio::spawn`.
///
/// # Examples
///
/// ```
/// let _stack: async_with::ExitStack<'_, async_with::Sendable> = async_with::ExitStack::new();
/// ```
#[derive(Debug)]
pub enum Sendable {}

/// The flavor of [`LocalExitStack`](crate::LocalExitStack): entries may be
/// `!Send`, and so is the stack.
///
/// # Examples
///
/// ```
/// let _stack: async_with::LocalExitStack<'_> = async_with::ExitStack::local();
/// ```
#[derive(Debug)]
pub enum Local {}

impl sealed::Sealed for Sendable {}
impl sealed::Sealed for Local {}

impl<'a> Flavor<'a> for Sendable {
    type Entry = dyn Entry + Send + 'a;
}

impl<'a> Flavor<'a> for Local {
    type Entry = dyn Entry + 'a;
}

impl<'a, T: Entry + Send + 'a> Holds<'a, T> for Sendable {
    fn erase_entry(entry: NonNull<T>) -> NonNull<dyn Entry + Send + 'a> {
        entry
    }
}

impl<'a, T: Entry + 'a> Holds<'a, T> for Local {
    fn erase_entry(entry: NonNull<T>) -> NonNull<dyn Entry + 'a> {
        entry
    }
}
