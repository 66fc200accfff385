//! async-with bound to smol: cleanup that survives cancellation, timeouts,
//! task groups, and smol's resources as contexts.
//!
//! Depend on this crate alone: it re-exports the whole `async-with` API,
//! with the functions that need a runtime ([`with`], [`timeout`],
//! [`move_on_after`], [`exit_timeout`], [`task_group`]) bound to smol.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use async_with_smol::{TimedOut, defer, task_group, timeout, with};
//!
//! # smol::block_on(async {
//! // Python: async with asyncio.timeout(0.05): async with conn: ...
//! let ended = timeout(Duration::from_millis(50), with(defer(async || { println!("closed"); Ok(()) }), async |()| {
//!     smol::Timer::after(Duration::from_secs(60)).await;
//!     Ok(())
//! }))
//! .await;
//! assert!(ended.unwrap_err().is::<TimedOut>()); // "closed" was printed first
//!
//! // Python: async with asyncio.TaskGroup() as tg: tg.create_task(...)
//! let (a, b) = task_group(async |group| Ok((group.spawn(async { Ok(20) }), group.spawn(async { Ok(22) }))))
//!     .await?;
//! assert_eq!(a.into_value().unwrap() + b.into_value().unwrap(), 42);
//! # Ok::<(), async_with_smol::Error>(()) }).unwrap();
//! ```
//!
//! # Cancellation
//!
//! A scope entered with [`with`] whose future is dropped mid-way (a
//! dropped [`smol::Task`], a lost race, an executor dropped with the task
//! on it) hands its exit to smol's blocking pool ([`smol::unblock`]), where
//! it runs under [`smol::block_on`], told [`Outcome::Cancelled`], exactly
//! once. This needs a context and a resource that are `Send + 'static`.
//! For other contexts use the core's `.with(body)` ([`With`]) or
//! [`async_with::with`]: a dropped scope then drops the resource
//! synchronously and reports the skipped exit through [`diagnostics`].
//! Generator-style contexts ([`context`]) take that path too.
//!
//! Exits handed over from one thread run one after another, in the order
//! they were handed over ([`ordered_cleanup`]): nested scopes dropped
//! together exit innermost first, and a hung exit delays the ones behind
//! it (bound it with [`exit_timeout`]). A scope inside a future that is not
//! polled when a [`timeout`] fires (a branch of a `FuturesUnordered` that
//! was not woken) is not stopped inline: it is dropped with its block and
//! handed over like any dropped scope.
//!
//! A [`timeout`] or [`CancelScope`] is the cooperative alternative that
//! matches Python exactly: it stops the block and awaits the exits inline.
//!
//! # Features
//!
//! None. Task group children run on smol's global executor
//! ([`smol::spawn`]), whatever executor runs the group.
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

/// The smol runtime, as the [`Runtime`] the core hands cleanup to: cleanup
/// of a dropped scope goes to [`smol::unblock`], timers are
/// [`smol::Timer`], task group children are [`smol::spawn`]ed.
///
/// # Examples
///
/// ```
/// use async_with_smol::{Smol, nullcontext, with_runtime};
/// # smol::block_on(async {
/// let n = with_runtime(Smol, nullcontext(7), async |n| Ok(*n)).await?;
/// assert_eq!(n, 7);
/// # Ok::<(), async_with_smol::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Smol;

impl Runtime for Smol {
    fn spawn_cleanup(&self, job: CleanupJob) -> Result<(), CleanupJob> {
        // The blocking pool lives as long as the process, so the batch
        // always runs; only a failure to start an OS thread panics, and that
        // must not escape a `Drop` (the batch is gone with it, reported
        // skipped). `ordered_cleanup` keeps nested exits LIFO.
        ordered_cleanup(job, |batch| {
            let _ = catch_unwind(AssertUnwindSafe(move || {
                smol::unblock(move || smol::block_on(batch.run())).detach();
            }));
            Ok(())
        });
        Ok(())
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static + use<> {
        async move {
            smol::Timer::after(duration).await;
        }
    }
}

impl Spawn for Smol {
    fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // Detached: a dropped `Task` would cancel the child; the group
        // tracks the child itself.
        smol::spawn(task).detach();
    }
}

/// Python's `async with context as resource: body`, with cleanup that
/// survives cancellation: see [`async_with::with`] for the semantics, and
/// [the crate docs](crate#cancellation) for what a dropped scope does.
///
/// # Examples
///
/// ```
/// use async_with_smol::{defer, with};
/// # smol::block_on(async {
/// let (tx, rx) = smol::channel::bounded(1);
/// let (entered, is_entered) = smol::channel::bounded(1);
/// let scope = smol::spawn(with(defer(async move || { let _ = tx.send("exit ran").await; Ok(()) }), async move |()| {
///     let _ = entered.send(()).await;
///     std::future::pending::<()>().await;
///     Ok(())
/// }));
/// is_entered.recv().await.unwrap();
/// drop(scope); // cancels the task: the scope's future is dropped mid-way...
/// assert_eq!(rx.recv().await.unwrap(), "exit ran"); // ...and its exit still runs
/// # });
/// ```
#[doc(alias = "async with")]
pub fn with<C, B, T>(context: C, body: B) -> impl Future<Output = Result<T, Error>>
where
    C: AsyncContext + Send + 'static,
    C::Resource: Send + 'static,
    B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
    T: Default,
{
    with_runtime(Smol, context, body)
}

/// Python's `asyncio.timeout(delay)` on smol's timer: see
/// [`async_with::timeout`].
///
/// # Examples
///
/// See [the crate docs](crate).
#[doc(alias = "asyncio.timeout")]
pub fn timeout<F, T>(duration: Duration, block: F) -> impl Future<Output = Result<T, Error>>
where
    F: Future<Output = Result<T, Error>>,
{
    async_with::timeout(Smol, duration, block)
}

/// anyio's `move_on_after(delay)` on smol's timer: see
/// [`async_with::move_on_after`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// # smol::block_on(async {
/// let gave_up = async_with_smol::move_on_after(Duration::from_millis(10), async {
///     smol::Timer::after(Duration::from_secs(60)).await;
///     Ok("done")
/// })
/// .await?;
/// assert_eq!(gave_up, None);
/// # Ok::<(), async_with_smol::Error>(()) }).unwrap();
/// ```
pub fn move_on_after<F, T>(
    duration: Duration,
    block: F,
) -> impl Future<Output = Result<Option<T>, Error>>
where
    F: Future<Output = Result<T, Error>>,
{
    async_with::move_on_after(Smol, duration, block)
}

/// Bounds `context`'s exit to `limit` on smol's timer: see
/// [`async_with::exit_timeout`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use async_with_smol::{ExitTimedOut, defer, exit_timeout, with};
/// # smol::block_on(async {
/// let slow_close = defer(async || { smol::Timer::after(Duration::from_secs(60)).await; Ok(()) });
/// let error = with(exit_timeout(Duration::from_millis(10), slow_close), async |()| Ok(()))
///     .await
///     .unwrap_err();
/// assert!(error.is::<ExitTimedOut>());
/// # });
/// ```
pub fn exit_timeout<C: AsyncContext>(limit: Duration, context: C) -> ExitTimeout<Smol, C> {
    async_with::exit_timeout(Smol, limit, context)
}

/// Python's `asyncio.TaskGroup`, children spawned on smol: see
/// [`async_with::task_group`].
///
/// # Examples
///
/// See [the crate docs](crate).
#[doc(alias = "TaskGroup")]
pub async fn task_group<B, T>(body: B) -> Result<T, Error>
where
    B: AsyncFnOnce(&TaskGroup<Smol>) -> Result<T, Error>,
{
    async_with::task_group(Smol, body).await
}
