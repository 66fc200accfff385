//! async-with bound to async-std: cleanup that survives cancellation,
//! timeouts, task groups, and async-std's resources as contexts.
//!
//! **async-std is discontinued upstream** (RUSTSEC-2025-0052). This crate
//! is kept, thinnest of the adapters, for code that still runs on it; new
//! code should use `async-with-smol` (async-std's successor, same API here)
//! or `async-with-tokio`.
//!
//! Depend on this crate alone. Every construct whose behaviour on
//! cancellation needs a runtime is bound to async-std here: [`with`] and the
//! [`With`] method, generator-style [`context`], [`ExitStack`], [`timeout`],
//! [`move_on_after`], [`exit_timeout`] and [`task_group`]. The rest of the
//! `async-with` API, which no runtime changes, is re-exported
//! ([`async_with::common`]). The forms with no runtime (a dropped scope
//! drops its resources and reports the skipped exits) are reached only by
//! naming the core crate: `async_with::with`, `async_with::context`,
//! `async_with::ExitStack`, `async_with::LocalExitStack`. See
//! `async-with-smol` for the longer documentation, which applies here
//! unchanged.
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
//! exit to async-std: it runs as a task, told [`Outcome::Cancelled`],
//! exactly once, as do this crate's [`context`] and [`ExitStack`]; this
//! needs a `Send + 'static` context and resource (otherwise use
//! [`async_with::with`]: the resource is dropped synchronously and the
//! skipped exit reported). Exits dropped together run as one task,
//! innermost first; exits of different tasks run concurrently
//! ([`handover`]); [`handover::join`] waits for them. async-std's global
//! runtime cannot be shut down.
// Lints: the workspace's (`[workspace.lints]`), unsafe code forbidden.

pub mod fs;
pub mod net;
pub mod process;
pub mod sync;

pub use async_with::common::*;

async_with::runtime_items! {
    /// The async-std runtime, as the [`Runtime`] the core hands cleanup to.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use async_with_async_std::{AsyncStd, Runtime, TimedOut};
    /// // The core's generic forms take the runtime as their first argument.
    /// let slow = async { AsyncStd.sleep(Duration::from_secs(60)).await; Ok(()) };
    /// let ended = async_std::task::block_on(async_with::timeout(AsyncStd, Duration::from_millis(5), slow));
    /// assert!(ended.unwrap_err().is::<TimedOut>());
    /// ```
    pub struct AsyncStd;

    fn spawn(task) {
        // The handle detaches; what the task runs reports for itself.
        drop(async_std::task::spawn(task));
    }

    fn sleep(duration) {
        async_std::task::sleep(duration)
    }

    // `with`, `With`, `context`, `ExitStack`, the timeouts and
    // `task_group`, bound to AsyncStd; each is re-exported below under
    // this runtime's docs.
    mod bound;
    unbound = "`{Self}` cannot have its exit handed to async-std";
    runs_on = "a dropped scope's exit runs on async-std, so the context and its resource must be `Send + 'static` with `Send` futures";
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
pub use bound::with;

/// `.with(body)` on any context, bound to async-std: a scope dropped mid-way
/// hands its exit to async-std (see [the crate docs](crate#cancellation)).
///
/// Every [`AsyncContext`] that is `'static` is one, [`context`]s included.
/// Bound generic code on it to accept any of them; the scope's future is
/// `Send`, so it can be spawned.
///
/// # Examples
///
/// ```
/// use async_with_async_std::{Error, With, nullcontext};
///
/// async fn doubled<C: With<Resource = u32>>(context: C) -> Result<u32, Error> {
///     context.with(async |n| Ok(*n * 2)).await
/// }
/// # async_std::task::block_on(async {
/// assert_eq!(doubled(nullcontext(21)).await?, 42);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
pub use bound::With;

/// Python's `@asynccontextmanager`, bound to async-std: the code before
/// [`yield_`](Yield::yield_) is the enter, the code after it the exit, and
/// a scope dropped mid-way runs that exit on async-std.
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
/// use async_with_async_std::{Outcome, context, with};
///
/// # async_std::task::block_on(async {
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
/// # Ok::<(), async_with_async_std::Error>(()) }).unwrap();
/// ```
pub use bound::context;

/// Python's `contextlib.AsyncExitStack`, bound to async-std: a stack dropped
/// before it was closed (its task aborted, its scope cancelled) runs the
/// exits it still holds on async-std, newest first, told
/// [`Outcome::Cancelled`].
///
/// Its methods and guarantees are [`async_with::stack::ExitStack`]'s.
///
/// # Examples
///
/// ```
/// use async_with_async_std::{ExitStack, nullcontext};
///
/// # async_std::task::block_on(async {
/// let mut stack = ExitStack::new();
/// let mut names = Vec::new();
/// for name in ["A", "B", "C"] {
///     names.push(*stack.enter(nullcontext(name)).await?);
/// }
/// assert_eq!(names.concat(), "ABC");
/// stack.close().await?;
/// # Ok::<(), async_with_async_std::Error>(()) }).unwrap();
/// ```
pub use bound::ExitStack;

/// Python's `asyncio.timeout(delay)`: see [`async_with::timeout`].
///
/// # Examples
///
/// See [the crate docs](crate).
pub use bound::timeout;

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
pub use bound::move_on_after;

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
pub use bound::exit_timeout;

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
pub use bound::task_group;
