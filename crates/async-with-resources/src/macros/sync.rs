//! The macros of [`crate::sync`].

/// Defines, in a private module `$module`, an adapter's mutex items for the
/// runtime marker `$binding`, whose `$mutex<T>` behind an `Arc` and behind a
/// reference implement [`Acquire`](crate::sync::Acquire): `lock_owned`,
/// `lock`, `LockOwned` and `Lock`, as [`sync::hold`](crate::sync::hold) and
/// [`sync::Held`](crate::sync::Held) with `$binding` filled in. The
/// adapter re-exports each with its docs.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use async_lock::{Mutex, MutexGuard, MutexGuardArc};
/// use async_with::Error;
/// use async_with_resources::sync::Acquire;
///
/// #[derive(Debug)]
/// pub struct AsyncLock;
///
/// impl<T: ?Sized + Send> Acquire<AsyncLock> for Arc<Mutex<T>> {
///     type Guard = MutexGuardArc<T>;
///
///     async fn acquire(&self) -> Result<MutexGuardArc<T>, Error> {
///         Ok(self.lock_arc().await)
///     }
/// }
///
/// impl<'a, T: ?Sized + Send> Acquire<AsyncLock> for &'a Mutex<T> {
///     type Guard = MutexGuard<'a, T>;
///
///     async fn acquire(&self) -> Result<MutexGuard<'a, T>, Error> {
///         Ok(Mutex::lock(self).await)
///     }
/// }
///
/// async_with_resources::lock_items!(mod bound for crate::AsyncLock, async_lock::Mutex);
///
/// /// A context that locks `mutex` (docs and examples for this runtime go
/// /// here).
/// pub use bound::lock_owned;
///
/// fn main() {
///     let ctx = lock_owned(Arc::new(Mutex::new(0)));
///     # drop(ctx);
/// }
/// ```
#[macro_export]
macro_rules! lock_items {
    (mod $module:ident for $binding:path, $($mutex:ident)::+ $(,)?) => {
        mod $module {
            #[allow(missing_docs)]
            pub type LockOwned<T> = $crate::sync::Held<$binding, ::std::sync::Arc<$($mutex)::+<T>>>;

            #[allow(missing_docs)]
            pub type Lock<'a, T> = $crate::sync::Held<$binding, &'a $($mutex)::+<T>>;

            #[allow(missing_docs)]
            #[doc(alias = "lock_arc")]
            pub fn lock_owned<T: ?Sized>(mutex: ::std::sync::Arc<$($mutex)::+<T>>) -> LockOwned<T> {
                $crate::sync::hold(mutex)
            }

            #[allow(missing_docs)]
            pub fn lock<T: ?Sized>(mutex: &$($mutex)::+<T>) -> Lock<'_, T> {
                $crate::sync::hold(mutex)
            }
        }
    };
}

/// Defines, in a private module `$module`, an adapter's semaphore items for
/// the runtime marker `$binding`, whose `$semaphore` behind an `Arc` and
/// behind a reference implement [`Acquire`](crate::sync::Acquire):
/// `acquire_owned`, `acquire`, `AcquireOwned` and `Acquire`, as
/// [`sync::hold`](crate::sync::hold) and [`sync::Held`](crate::sync::Held)
/// with `$binding` filled in. The adapter re-exports each with its docs.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use async_lock::{Semaphore, SemaphoreGuard, SemaphoreGuardArc};
/// use async_with::Error;
/// use async_with_resources::sync::Acquire;
///
/// #[derive(Debug)]
/// pub struct AsyncLock;
///
/// impl Acquire<AsyncLock> for Arc<Semaphore> {
///     type Guard = SemaphoreGuardArc;
///
///     async fn acquire(&self) -> Result<SemaphoreGuardArc, Error> {
///         Ok(self.acquire_arc().await)
///     }
/// }
///
/// impl<'a> Acquire<AsyncLock> for &'a Semaphore {
///     type Guard = SemaphoreGuard<'a>;
///
///     async fn acquire(&self) -> Result<SemaphoreGuard<'a>, Error> {
///         Ok(Semaphore::acquire(self).await)
///     }
/// }
///
/// async_with_resources::semaphore_items!(mod bound for crate::AsyncLock, async_lock::Semaphore);
///
/// /// A context that takes a permit from `semaphore` (docs and examples
/// /// for this runtime go here).
/// pub use bound::acquire_owned;
///
/// fn main() {
///     let ctx = acquire_owned(Arc::new(Semaphore::new(2)));
///     # drop(ctx);
/// }
/// ```
#[macro_export]
macro_rules! semaphore_items {
    (mod $module:ident for $binding:path, $semaphore:ty $(,)?) => {
        mod $module {
            #[allow(missing_docs)]
            pub type AcquireOwned = $crate::sync::Held<$binding, ::std::sync::Arc<$semaphore>>;

            #[allow(missing_docs)]
            pub type Acquire<'a> = $crate::sync::Held<$binding, &'a $semaphore>;

            #[allow(missing_docs)]
            #[doc(alias = "acquire_arc")]
            #[doc(alias = "BoundedSemaphore")]
            pub fn acquire_owned(semaphore: ::std::sync::Arc<$semaphore>) -> AcquireOwned {
                $crate::sync::hold(semaphore)
            }

            #[allow(missing_docs)]
            pub fn acquire(semaphore: &$semaphore) -> Acquire<'_> {
                $crate::sync::hold(semaphore)
            }
        }
    };
}
