//! Mutex and semaphore guards as contexts: acquired on enter, released on
//! exit, Python's `async with lock:` and `async with semaphore:`.
//!
//! The locks are smol's ([`smol::lock`], the `async-lock` crate), which work
//! on any executor. Each comes in two forms, named as in every adapter crate
//! of this workspace (async-lock's own methods say `_arc` where these say
//! `_owned`):
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

use async_with::Error;
use async_with_resources::sync::Acquire as Guarded;
use smol::lock::{Mutex, MutexGuard, MutexGuardArc, Semaphore, SemaphoreGuard, SemaphoreGuardArc};

use crate::Smol;

// The items are `async_with_resources::sync`'s, with smol's locks filled
// in; their docs are this runtime's.
async_with_resources::lock_items!(mod locks for crate::Smol, smol::lock::Mutex);
async_with_resources::semaphore_items!(mod semaphores for crate::Smol, smol::lock::Semaphore);

/// A context that locks `mutex`; the block gets the [`MutexGuardArc`] (it
/// dereferences to `T`), the exit unlocks.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use async_with_smol::with;
/// use smol::lock::Mutex;
///
/// # smol::block_on(async {
/// let log = Arc::new(Mutex::new(Vec::new()));
/// with(async_with_smol::sync::lock_owned(log.clone()), async |log| {
///     log.push("entered");
///     Ok(())
/// })
/// .await?;
/// assert_eq!(*log.try_lock().unwrap(), ["entered"]); // unlocked again
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use locks::lock_owned;

/// A context that locks a borrowed `mutex`; the block gets the
/// [`MutexGuard`], the exit unlocks.
///
/// # Examples
///
/// ```
/// use async_with::with;
/// use smol::lock::Mutex;
///
/// # smol::block_on(async {
/// let counter = Mutex::new(0);
/// with(async_with_smol::sync::lock(&counter), async |counter| {
///     **counter += 1;
///     Ok(())
/// })
/// .await?;
/// assert_eq!(*counter.try_lock().unwrap(), 1);
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use locks::lock;

/// A context that takes a permit from `semaphore`; the block gets the
/// [`SemaphoreGuardArc`], the exit gives the permit back.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use async_with_smol::with;
/// use smol::lock::Semaphore;
///
/// # smol::block_on(async {
/// let slots = Arc::new(Semaphore::new(1));
/// with(async_with_smol::sync::acquire_owned(slots.clone()), async |_permit| {
///     assert!(slots.try_acquire().is_none()); // taken
///     Ok(())
/// })
/// .await?;
/// assert!(slots.try_acquire().is_some()); // given back
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use semaphores::acquire_owned;

/// A context that takes a permit from a borrowed `semaphore`; the block gets
/// the [`SemaphoreGuard`], the exit gives the permit back.
///
/// # Examples
///
/// ```
/// use async_with::with;
/// use smol::lock::Semaphore;
///
/// # smol::block_on(async {
/// let slots = Semaphore::new(1);
/// with(async_with_smol::sync::acquire(&slots), async |_permit| {
///     assert!(slots.try_acquire().is_none());
///     Ok(())
/// })
/// .await?;
/// assert!(slots.try_acquire().is_some());
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use semaphores::acquire;

/// The context [`lock_owned`] returns.
///
/// # Examples
///
/// ```
/// let ctx = async_with_smol::sync::lock_owned(std::sync::Arc::new(smol::lock::Mutex::new(())));
/// # drop(ctx);
/// ```
pub use locks::LockOwned;

/// The context [`lock`] returns.
///
/// # Examples
///
/// ```
/// let mutex = smol::lock::Mutex::new(0);
/// let ctx = async_with_smol::sync::lock(&mutex);
/// # drop(ctx);
/// ```
pub use locks::Lock;

/// The context [`acquire_owned`] returns.
///
/// # Examples
///
/// ```
/// let slots = std::sync::Arc::new(smol::lock::Semaphore::new(4));
/// let ctx = async_with_smol::sync::acquire_owned(slots);
/// # drop(ctx);
/// ```
pub use semaphores::AcquireOwned;

/// The context [`acquire`] returns.
///
/// # Examples
///
/// ```
/// let slots = smol::lock::Semaphore::new(4);
/// let ctx = async_with_smol::sync::acquire(&slots);
/// # drop(ctx);
/// ```
pub use semaphores::Acquire;

impl<T: ?Sized + Send> Guarded<Smol> for Arc<Mutex<T>> {
    type Guard = MutexGuardArc<T>;

    async fn acquire(&self) -> Result<MutexGuardArc<T>, Error> {
        Ok(self.lock_arc().await)
    }
}

impl<'a, T: ?Sized + Send> Guarded<Smol> for &'a Mutex<T> {
    type Guard = MutexGuard<'a, T>;

    async fn acquire(&self) -> Result<MutexGuard<'a, T>, Error> {
        Ok(Mutex::lock(self).await)
    }
}

impl Guarded<Smol> for Arc<Semaphore> {
    type Guard = SemaphoreGuardArc;

    async fn acquire(&self) -> Result<SemaphoreGuardArc, Error> {
        Ok(self.acquire_arc().await)
    }
}

impl<'a> Guarded<Smol> for &'a Semaphore {
    type Guard = SemaphoreGuard<'a>;

    async fn acquire(&self) -> Result<SemaphoreGuard<'a>, Error> {
        Ok(Semaphore::acquire(self).await)
    }
}
