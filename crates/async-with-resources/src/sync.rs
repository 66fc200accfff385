//! Mutex and semaphore guards as contexts: acquired on enter, released on
//! exit, Python's `async with lock:` and `async with semaphore:`.
//!
//! Whatever the block's outcome (success, error, panic, cancellation), the
//! guard is released when the scope ends: by the exit, or, when the scope
//! is dropped mid-way, by the guard's own `Drop` at once, with or without a
//! runtime ([`Held`] declares
//! [`CLEANUP_IS_DROP`](async_with::AsyncContext::CLEANUP_IS_DROP)): no task
//! is spawned and no skipped exit is reported. A guard's release cannot
//! fail, so these exits never add an error and never suppress one.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use async_with::{AsyncContext, Error, Exit, Outcome};

/// Something of runtime `B` that a context takes on enter and holds for
/// the block: a lock (`Arc<Mutex<T>>`, `&Mutex<T>`), a semaphore
/// (`Arc<Semaphore>`, `&Semaphore`). Each adapter implements it for its
/// runtime's locks, with its marker as `B`.
///
/// # Examples
///
/// async-lock's mutex, shared behind an `Arc`:
///
/// ```
/// use std::sync::Arc;
/// use async_lock::{Mutex, MutexGuardArc};
/// use async_with::Error;
/// use async_with_resources::sync::{self, Acquire};
///
/// #[derive(Debug)]
/// struct AsyncLock;
///
/// struct Counter(Arc<Mutex<u32>>);
///
/// impl Acquire<AsyncLock> for Counter {
///     type Guard = MutexGuardArc<u32>;
///
///     async fn acquire(&self) -> Result<MutexGuardArc<u32>, Error> {
///         Ok(self.0.lock_arc().await)
///     }
/// }
///
/// # futures_lite::future::block_on(async {
/// let count = Arc::new(Mutex::new(0));
/// async_with::with(sync::hold(Counter(count.clone())), async |n| {
///     **n += 1;
///     Ok(())
/// })
/// .await?;
/// assert_eq!(*count.try_lock().unwrap(), 1);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
pub trait Acquire<B>: Send {
    /// What the block gets; dropping it releases the lock or permit.
    type Guard: Send;

    /// Waits for the lock or permit. An error (a closed semaphore) fails
    /// the enter.
    fn acquire(&self) -> impl Future<Output = Result<Self::Guard, Error>> + Send;
}

/// A context that takes `source` on enter and releases it on exit, on
/// runtime `B`. Adapters expose it as `sync::lock`, `sync::lock_owned`, ...
///
/// # Examples
///
/// ```
/// use async_with_resources::sync::{self, Acquire, Held};
///
/// fn guarded<B, S: Acquire<B>>(source: S) -> Held<B, S> {
///     sync::hold(source)
/// }
/// ```
pub fn hold<B, S>(source: S) -> Held<B, S> {
    Held {
        source,
        binding: PhantomData,
    }
}

/// The context [`hold`] returns: the guard is taken on enter, and released
/// on exit, or by its `Drop` when the scope is dropped mid-way.
///
/// # Examples
///
/// See [`hold`] and [`Acquire`].
///
/// ```
/// use async_with::AsyncContext;
/// use async_with_resources::sync::{Acquire, Held};
///
/// fn released_by_drop<B, S: Acquire<B>>(_: &Held<B, S>) -> bool {
///     <Held<B, S> as AsyncContext>::CLEANUP_IS_DROP
/// }
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Held<B, S> {
    source: S,
    binding: PhantomData<fn() -> B>,
}

// By hand: the binding marker need not be `Debug`.
impl<B, S: fmt::Debug> fmt::Debug for Held<B, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Held")
            .field("source", &self.source)
            .finish()
    }
}

impl<B, S: Acquire<B>> AsyncContext for Held<B, S> {
    type Resource = S::Guard;

    const CLEANUP_IS_DROP: bool = true;

    async fn enter(&mut self) -> Result<S::Guard, Error> {
        self.source.acquire().await
    }

    async fn exit(self, guard: S::Guard, _outcome: Outcome) -> Result<Exit, Error> {
        drop(guard);
        Ok(Exit::Propagate)
    }
}
