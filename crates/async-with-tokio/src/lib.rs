//! async-with bound to tokio: cleanup that survives cancellation, timeouts,
//! task groups, and tokio's resources as contexts.
//!
//! Depend on this crate alone. Every construct whose behaviour on
//! cancellation needs a runtime is bound to tokio here: [`with`] and the
//! [`With`] method, generator-style [`context`], [`ExitStack`], [`timeout`],
//! [`move_on_after`], [`exit_timeout`] and [`task_group`]. The rest of the
//! `async-with` API, which no runtime changes, is re-exported
//! ([`async_with::common`]). The forms with no runtime (a dropped scope
//! drops its resources and reports the skipped exits) are reached only by
//! naming the core crate: `async_with::with`, `async_with::context`,
//! `async_with::ExitStack`, `async_with::LocalExitStack`.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use async_with_tokio::{TimedOut, defer, task_group, timeout, with};
//!
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! // Python: async with asyncio.timeout(0.05): async with conn: ...
//! let ended = timeout(Duration::from_millis(50), with(defer(async || { println!("closed"); Ok(()) }), async |()| {
//!     tokio::time::sleep(Duration::from_secs(60)).await;
//!     Ok(())
//! }))
//! .await;
//! assert!(ended.unwrap_err().is::<TimedOut>()); // "closed" was printed first
//!
//! // Python: async with asyncio.TaskGroup() as tg: tg.create_task(...)
//! let sum = task_group(async |group| {
//!     let a = group.spawn(async { Ok(20) });
//!     let b = group.spawn(async { Ok(22) });
//!     Ok((a, b))
//! })
//! .await
//! .map(|(a, b)| a.into_value().unwrap() + b.into_value().unwrap())?;
//! assert_eq!(sum, 42);
//! # Ok::<(), async_with_tokio::Error>(()) }).unwrap();
//! ```
//!
//! # Cancellation
//!
//! A scope entered with [`with`] whose future is dropped mid-way (an
//! aborted task, a lost `select!` branch, a runtime shutting down) hands its
//! exit to tokio: it runs as a tokio task, told [`Outcome::Cancelled`],
//! exactly once. This needs a context and a resource that are
//! `Send + 'static` (the exit outlives the scope and may run on another
//! worker). The same holds for this crate's generator-style [`context`],
//! its [`ExitStack`] (the exits it still holds), and task groups. A context
//! that cannot be handed over (it borrows, or has `!Send` parts) is a
//! compile error naming the alternative, the core's [`async_with::with`]:
//! a dropped scope then drops the resource synchronously and reports the
//! skipped exit through [`diagnostics`].
//!
//! The exits one task hands over run as one task, in the order they were
//! handed over: nested scopes dropped together exit innermost first, each
//! exit awaited before the next. Exits of different tasks run concurrently,
//! so one never waits for an unrelated one ([`handover`]). Await
//! [`handover::join`] at the end of `main` to let them finish.
//!
//! When no runtime is running (the scope is dropped outside tokio) or the
//! runtime shuts down before an exit ran, the resource is dropped
//! synchronously and the skipped exit is reported; an exit the shutdown cut
//! off mid-way is reported as interrupted. Nothing panics, dropping the
//! runtime never waits for an exit, and no exit runs twice.
//!
//! A scope inside a future that is not polled when a [`timeout`] fires (a
//! branch of a `FuturesUnordered` that was not woken) is not stopped
//! inline: it is dropped with its block and handed over like any dropped
//! scope. A [`timeout`] or [`CancelScope`] is the cooperative alternative
//! that matches Python exactly: it stops the block and awaits the exits
//! inline.
//!
//! # Features
//!
//! None. Timers need the runtime's time driver (`enable_time` or
//! `enable_all`).
// Lints: the workspace's (`[workspace.lints]`), unsafe code forbidden.

pub mod fs;
pub mod net;
pub mod process;
pub mod sync;

pub use async_with::common::*;

use tokio::runtime::Handle;

async_with::runtime_items! {
    /// The tokio runtime, as the [`Runtime`] the core hands cleanup to.
    ///
    /// It uses the runtime the caller runs in ([`Handle::try_current`]): the
    /// exits of a dropped scope and task group children are spawned as tokio
    /// tasks, timers are `tokio::time`.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_tokio::{Tokio, nullcontext, with_runtime};
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let n = with_runtime(Tokio, nullcontext(7), async |n| Ok(*n)).await?;
    /// assert_eq!(n, 7);
    /// # Ok::<(), async_with_tokio::Error>(()) }).unwrap();
    /// ```
    pub struct Tokio;

    fn spawn(task) {
        // Outside a runtime the task is dropped: a task group reports its
        // child as dropped, exits report themselves as skipped. A runtime
        // shutting down drops it too, inside this call.
        if let Ok(handle) = Handle::try_current() {
            // The handle detaches; what the task runs reports for itself.
            drop(handle.spawn(task));
        }
    }

    fn sleep(duration) {
        // Made on first poll: `tokio::time::sleep` needs the runtime then.
        async move { tokio::time::sleep(duration).await }
    }

    // `with`, `With`, `context`, `ExitStack`, the timeouts and
    // `task_group`, bound to Tokio; each is re-exported below under
    // this runtime's docs.
    mod bound;
    unbound = "`{Self}` cannot have its exit handed to tokio";
    runs_on = "a dropped scope's exit runs on tokio, so the context and its resource must be `Send + 'static` with `Send` futures";
}

/// Python's `async with context as resource: body`, with cleanup that
/// survives cancellation: see [`async_with::with`] for the semantics, and
/// [the crate docs](crate#cancellation) for what a dropped scope does.
///
/// # Examples
///
/// ```
/// use async_with_tokio::{Outcome, defer, with};
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let (tx, rx) = tokio::sync::oneshot::channel();
/// let (entered, is_entered) = tokio::sync::oneshot::channel();
/// let scope = tokio::spawn(with(defer(async move || { let _ = tx.send("exit ran"); Ok(()) }), async |()| {
///     let _ = entered.send(());
///     std::future::pending::<()>().await;
///     Ok(())
/// }));
/// is_entered.await.unwrap();
/// scope.abort(); // the scope's future is dropped mid-way...
/// assert_eq!(rx.await.unwrap(), "exit ran"); // ...and its exit still runs
/// # });
/// ```
pub use bound::with;

/// `.with(body)` on any context, bound to tokio: a scope dropped mid-way
/// hands its exit to tokio (see [the crate docs](crate#cancellation)).
///
/// Every [`AsyncContext`] that is `'static` is one, [`context`]s included.
/// Bound generic code on it to accept any of them; the scope's future is
/// `Send`, so it can be spawned.
///
/// # Examples
///
/// ```
/// use async_with_tokio::{Error, With, nullcontext};
///
/// async fn doubled<C: With<Resource = u32>>(context: C) -> Result<u32, Error> {
///     context.with(async |n| Ok(*n * 2)).await
/// }
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// assert_eq!(doubled(nullcontext(21)).await?, 42);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
pub use bound::With;

/// Python's `@asynccontextmanager`, bound to tokio: the code before
/// [`yield_`](Yield::yield_) is the enter, the code after it the exit, and
/// a scope dropped mid-way runs that exit on tokio.
///
/// Written as `async move |scope| { ... }`, owning what it uses: to outlive
/// a dropped scope, the closure and its state live in a
/// [`BoxedContext`] (a few heap allocations per use). The core's
/// [`async_with::context`] allocates nothing and may borrow, but a dropped
/// scope only reports its skipped exit.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use async_with_tokio::{Outcome, context, with};
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let in_exit = Arc::clone(&log);
/// let connection = context(async move |scope| {
///     let (name, outcome) = scope.yield_(String::from("A")).await;
///     in_exit.lock().unwrap().push(format!("close {name}: {}", outcome.is_success()));
///     Ok(())
/// });
/// let len = with(connection, async |name| Ok(name.len())).await?;
/// assert_eq!(len, 1);
/// assert_eq!(*log.lock().unwrap(), ["close A: true"]);
/// # Ok::<(), async_with_tokio::Error>(()) }).unwrap();
/// ```
pub use bound::context;

/// Python's `contextlib.AsyncExitStack`, bound to tokio: a stack dropped
/// before it was closed (its task aborted, its scope cancelled) runs the
/// exits it still holds on tokio, newest first, told
/// [`Outcome::Cancelled`].
///
/// Its methods and guarantees are [`async_with::stack::ExitStack`]'s.
///
/// # Examples
///
/// ```
/// use async_with_tokio::{ExitStack, nullcontext};
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let mut stack = ExitStack::new();
/// let mut names = Vec::new();
/// for name in ["A", "B", "C"] {
///     names.push(*stack.enter(nullcontext(name)).await?);
/// }
/// assert_eq!(names.concat(), "ABC");
/// stack.close().await?;
/// # Ok::<(), async_with_tokio::Error>(()) }).unwrap();
/// ```
pub use bound::ExitStack;

/// Python's `asyncio.timeout(delay)` on tokio's timer: see
/// [`async_with::timeout`].
///
/// # Examples
///
/// See [the crate docs](crate).
pub use bound::timeout;

/// anyio's `move_on_after(delay)` on tokio's timer: see
/// [`async_with::move_on_after`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let gave_up = async_with_tokio::move_on_after(Duration::from_millis(10), async {
///     tokio::time::sleep(Duration::from_secs(60)).await;
///     Ok("done")
/// })
/// .await?;
/// assert_eq!(gave_up, None);
/// # Ok::<(), async_with_tokio::Error>(()) }).unwrap();
/// ```
pub use bound::move_on_after;

/// Bounds `context`'s exit to `limit` on tokio's timer: see
/// [`async_with::exit_timeout`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use async_with_tokio::{ExitTimedOut, defer, exit_timeout, with};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let slow_close = defer(async || { tokio::time::sleep(Duration::from_secs(60)).await; Ok(()) });
/// let error = with(exit_timeout(Duration::from_millis(10), slow_close), async |()| Ok(()))
///     .await
///     .unwrap_err();
/// assert!(error.is::<ExitTimedOut>());
/// # });
/// ```
pub use bound::exit_timeout;

/// Python's `asyncio.TaskGroup`, children spawned on tokio: see
/// [`async_with::task_group`].
///
/// # Examples
///
/// See [the crate docs](crate).
pub use bound::task_group;

// The README's examples (its tokio quick start among them) run as doctests
// of this crate.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
