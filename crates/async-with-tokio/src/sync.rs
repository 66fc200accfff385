//! Mutex and semaphore guards as contexts: acquired on enter, released on
//! exit, Python's `async with lock:` and `async with semaphore:`.
//!
//! Each comes in two forms:
//!
//! - **owned** ([`lock_owned`], [`acquire_owned`]): takes an `Arc<Mutex<T>>` /
//!   `Arc<Semaphore>`. The context and its guard are `'static`, so this
//!   crate's [`with`](crate::with) accepts them, and they move into
//!   spawned tasks. Prefer these.
//! - **borrowed** ([`lock`], [`acquire`]): takes `&Mutex<T>` /
//!   `&Semaphore`, for a lock that outlives the scope on the stack. Not
//!   `'static`: use them with the core's `async_with::with`.
//!
//! Whatever the block's outcome (success, error, panic, cancellation), the
//! guard is released when the scope ends: by the exit, or, when the scope
//! is dropped mid-way, by the guard's own `Drop` at once, with or without a
//! runtime (these contexts declare
//! [`CLEANUP_IS_DROP`](async_with::AsyncContext::CLEANUP_IS_DROP)): no task
//! is spawned and no skipped exit is reported. A
//! guard's release cannot fail, so these exits never add an error and never
//! suppress one.

use std::sync::Arc;

use async_with::{AsyncContext, Error, Exit, Outcome};
use async_with_resources::sync::Acquire as Guarded;
use tokio::sync::{
    Mutex, MutexGuard, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
};

use crate::Tokio;

// The mutex items are `async_with_resources::sync`'s, with tokio filled
// in; their docs are this runtime's. The semaphores are tokio's own
// contexts: they take several permits and fail on a closed semaphore.
async_with_resources::lock_items!(mod bound for crate::Tokio, tokio::sync::Mutex);

/// A context that locks `mutex`; the block gets the
/// [`OwnedMutexGuard`] (it dereferences to `T`), the exit unlocks.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use async_with_tokio::with;
/// use tokio::sync::Mutex;
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let log = Arc::new(Mutex::new(Vec::new()));
/// with(async_with_tokio::sync::lock_owned(log.clone()), async |log| {
///     log.push("entered");
///     Ok(())
/// })
/// .await?;
/// assert_eq!(*log.try_lock()?, ["entered"]); // unlocked again
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use bound::lock_owned;

/// A context that locks a borrowed `mutex`; the block gets the
/// [`MutexGuard`], the exit unlocks.
///
/// # Examples
///
/// ```
/// use async_with::with;
/// use tokio::sync::Mutex;
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let counter = Mutex::new(0);
/// with(async_with_tokio::sync::lock(&counter), async |counter| {
///     **counter += 1;
///     Ok(())
/// })
/// .await?;
/// assert_eq!(*counter.try_lock()?, 1);
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use bound::lock;

/// A context that takes one permit from `semaphore`; the block gets the
/// [`OwnedSemaphorePermit`], the exit gives it back.
///
/// Enter fails with [`tokio::sync::AcquireError`] if the semaphore was
/// closed.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use async_with_tokio::with;
/// use tokio::sync::Semaphore;
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let slots = Arc::new(Semaphore::new(2));
/// with(async_with_tokio::sync::acquire_owned(slots.clone()), async |_permit| {
///     assert_eq!(slots.available_permits(), 1);
///     Ok(())
/// })
/// .await?;
/// assert_eq!(slots.available_permits(), 2);
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
#[doc(alias = "BoundedSemaphore")]
pub fn acquire_owned(semaphore: Arc<Semaphore>) -> AcquireOwned {
    AcquireOwned {
        semaphore,
        permits: 1,
    }
}

/// A context that takes one permit from a borrowed `semaphore`; the block
/// gets the [`SemaphorePermit`], the exit gives it back.
///
/// # Examples
///
/// ```
/// use async_with::with;
/// use tokio::sync::Semaphore;
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let slots = Semaphore::new(3);
/// with(async_with_tokio::sync::acquire(&slots).permits(2), async |permit| {
///     assert_eq!(permit.num_permits(), 2);
///     assert_eq!(slots.available_permits(), 1);
///     Ok(())
/// })
/// .await?;
/// assert_eq!(slots.available_permits(), 3);
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub fn acquire(semaphore: &Semaphore) -> Acquire<'_> {
    Acquire {
        semaphore,
        permits: 1,
    }
}

/// The context [`lock_owned`] returns.
///
/// # Examples
///
/// ```
/// let ctx = async_with_tokio::sync::lock_owned(std::sync::Arc::new(tokio::sync::Mutex::new(())));
/// # drop(ctx);
/// ```
pub use bound::LockOwned;

/// The context [`lock`] returns.
///
/// # Examples
///
/// ```
/// let mutex = tokio::sync::Mutex::new(0);
/// let ctx = async_with_tokio::sync::lock(&mutex);
/// # drop(ctx);
/// ```
pub use bound::Lock;

/// The context [`acquire_owned`] returns.
///
/// # Examples
///
/// ```
/// let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
/// let ctx = async_with_tokio::sync::acquire_owned(slots).permits(2);
/// # drop(ctx);
/// ```
#[derive(Debug)]
#[must_use = "a context does nothing until it is used with `with`"]
pub struct AcquireOwned {
    semaphore: Arc<Semaphore>,
    permits: u32,
}

impl AcquireOwned {
    /// Takes `permits` permits at once instead of one
    /// ([`Semaphore::acquire_many_owned`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
    /// let ctx = async_with_tokio::sync::acquire_owned(slots).permits(4);
    /// # drop(ctx);
    /// ```
    pub fn permits(mut self, permits: u32) -> Self {
        self.permits = permits;
        self
    }
}

impl AsyncContext for AcquireOwned {
    type Resource = OwnedSemaphorePermit;

    const CLEANUP_IS_DROP: bool = true;

    async fn enter(&mut self) -> Result<OwnedSemaphorePermit, Error> {
        Ok(Arc::clone(&self.semaphore)
            .acquire_many_owned(self.permits)
            .await?)
    }

    async fn exit(self, permit: OwnedSemaphorePermit, _outcome: Outcome) -> Result<Exit, Error> {
        drop(permit);
        Ok(Exit::Propagate)
    }
}

/// The context [`acquire`] returns.
///
/// # Examples
///
/// ```
/// let slots = tokio::sync::Semaphore::new(4);
/// let ctx = async_with_tokio::sync::acquire(&slots);
/// # drop(ctx);
/// ```
#[derive(Debug)]
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    permits: u32,
}

impl Acquire<'_> {
    /// Takes `permits` permits at once instead of one
    /// ([`Semaphore::acquire_many`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let slots = tokio::sync::Semaphore::new(4);
    /// let ctx = async_with_tokio::sync::acquire(&slots).permits(3);
    /// # drop(ctx);
    /// ```
    pub fn permits(mut self, permits: u32) -> Self {
        self.permits = permits;
        self
    }
}

impl<'a> AsyncContext for Acquire<'a> {
    type Resource = SemaphorePermit<'a>;

    const CLEANUP_IS_DROP: bool = true;

    async fn enter(&mut self) -> Result<SemaphorePermit<'a>, Error> {
        Ok(self.semaphore.acquire_many(self.permits).await?)
    }

    async fn exit(self, permit: SemaphorePermit<'a>, _outcome: Outcome) -> Result<Exit, Error> {
        drop(permit);
        Ok(Exit::Propagate)
    }
}

impl<T: ?Sized + Send> Guarded<Tokio> for Arc<Mutex<T>> {
    type Guard = OwnedMutexGuard<T>;

    async fn acquire(&self) -> Result<OwnedMutexGuard<T>, Error> {
        Ok(Arc::clone(self).lock_owned().await)
    }
}

impl<'a, T: ?Sized + Send> Guarded<Tokio> for &'a Mutex<T> {
    type Guard = MutexGuard<'a, T>;

    async fn acquire(&self) -> Result<MutexGuard<'a, T>, Error> {
        Ok(Mutex::lock(self).await)
    }
}
