//! async-with bound to async-std: cleanup that survives cancellation,
//! timeouts, task groups, and async-std's resources as contexts.
//!
//! **async-std is discontinued upstream** (RUSTSEC-2025-0052). This crate
//! is kept, thinnest of the adapters, for code that still runs on it; new
//! code should use `async-with-smol` (async-std's successor, same API here)
//! or `async-with-tokio`.
//!
//! It re-exports the whole `async-with` API, with the functions that need a
//! runtime ([`with`], [`timeout`], [`move_on_after`], [`exit_timeout`],
//! [`task_group`]) bound to async-std; see `async-with-smol` for the longer
//! documentation, which applies here unchanged.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use async_with_async_std::{TimedOut, defer, timeout, with};
//!
//! # async_std::task::block_on(async {
//! let ended = timeout(Duration::from_millis(50), with(defer(async || { println!("closed"); Ok(()) }), async |()| {
//!     async_std::task::sleep(Duration::from_secs(60)).await;
//!     Ok(())
//! }))
//! .await;
//! assert!(ended.unwrap_err().is::<TimedOut>());
//! # });
//! ```
//!
//! # Cancellation
//!
//! A scope entered with [`with`] whose future is dropped mid-way hands its
//! exit to async-std's blocking pool, told [`Outcome::Cancelled`], exactly
//! once; this needs a `Send + 'static` context and resource (otherwise use
//! [`async_with::with`]: the resource is dropped synchronously and the
//! skipped exit reported). async-std's global runtime cannot be shut down.
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

pub mod fs;
pub mod net;
pub mod process;
pub mod sync;

pub use async_with::*;

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

/// The async-std runtime, as the [`Runtime`] the core hands cleanup to.
///
/// # Examples
///
/// ```
/// use async_with_async_std::{AsyncStd, nullcontext, with_runtime};
/// # async_std::task::block_on(async {
/// let n = with_runtime(AsyncStd, nullcontext(7), async |n| Ok(*n)).await?;
/// assert_eq!(n, 7);
/// # Ok::<(), async_with_async_std::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AsyncStd;

impl Runtime for AsyncStd {
    fn spawn_cleanup(&self, job: CleanupJob) -> Result<(), CleanupJob> {
        // Only a failure to start an OS thread panics; it must not escape a
        // `Drop` (the batch is gone with it, reported skipped).
        ordered_cleanup(job, |batch| {
            let _ = catch_unwind(AssertUnwindSafe(move || {
                drop(async_std::task::spawn_blocking(move || {
                    async_std::task::block_on(batch.run())
                }));
            }));
            Ok(())
        });
        Ok(())
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
        async_std::task::sleep(duration)
    }
}

impl Spawn for AsyncStd {
    fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // The handle detaches; the group tracks the child itself.
        drop(async_std::task::spawn(task));
    }
}

/// Python's `async with`, with cleanup that survives cancellation: see
/// [`async_with::with`].
///
/// # Examples
///
/// ```
/// # async_std::task::block_on(async {
/// let n = async_with_async_std::with(async_with_async_std::nullcontext(1), async |n| Ok(*n)).await?;
/// assert_eq!(n, 1);
/// # Ok::<(), async_with_async_std::Error>(()) }).unwrap();
/// ```
#[doc(alias = "async with")]
pub fn with<C, B, T>(context: C, body: B) -> impl Future<Output = Result<T, Error>>
where
    C: AsyncContext + Send + 'static,
    C::Resource: Send + 'static,
    B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
    T: Default,
{
    with_runtime(AsyncStd, context, body)
}

/// Python's `asyncio.timeout(delay)`: see [`async_with::timeout`].
///
/// # Examples
///
/// See [the crate docs](crate).
pub fn timeout<F, T>(duration: Duration, block: F) -> impl Future<Output = Result<T, Error>>
where
    F: Future<Output = Result<T, Error>>,
{
    async_with::timeout(AsyncStd, duration, block)
}

/// anyio's `move_on_after(delay)`: see [`async_with::move_on_after`].
///
/// # Examples
///
/// ```
/// # async_std::task::block_on(async {
/// let gave_up = async_with_async_std::move_on_after(
///     std::time::Duration::from_millis(10),
///     std::future::pending::<Result<u8, _>>(),
/// )
/// .await?;
/// assert_eq!(gave_up, None);
/// # Ok::<(), async_with_async_std::Error>(()) }).unwrap();
/// ```
pub fn move_on_after<F, T>(
    duration: Duration,
    block: F,
) -> impl Future<Output = Result<Option<T>, Error>>
where
    F: Future<Output = Result<T, Error>>,
{
    async_with::move_on_after(AsyncStd, duration, block)
}

/// Bounds `context`'s exit to `limit`: see [`async_with::exit_timeout`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use async_with_async_std::{ExitTimedOut, defer, exit_timeout, with};
/// # async_std::task::block_on(async {
/// let hung = defer(async || std::future::pending().await);
/// let error = with(exit_timeout(Duration::from_millis(10), hung), async |()| Ok(())).await.unwrap_err();
/// assert!(error.is::<ExitTimedOut>());
/// # });
/// ```
pub fn exit_timeout<C: AsyncContext>(limit: Duration, context: C) -> ExitTimeout<AsyncStd, C> {
    async_with::exit_timeout(AsyncStd, limit, context)
}

/// Python's `asyncio.TaskGroup`: see [`async_with::task_group`].
///
/// # Examples
///
/// ```
/// # async_std::task::block_on(async {
/// let child = async_with_async_std::task_group(async |group| Ok(group.spawn(async { Ok(5) }))).await?;
/// assert_eq!(child.into_value(), Some(5));
/// # Ok::<(), async_with_async_std::Error>(()) }).unwrap();
/// ```
pub async fn task_group<B, T>(body: B) -> Result<T, Error>
where
    B: AsyncFnOnce(&TaskGroup<AsyncStd>) -> Result<T, Error>,
{
    async_with::task_group(AsyncStd, body).await
}
