//! async-with bound to smol: cleanup that survives cancellation, timeouts,
//! task groups, and smol's resources as contexts.
//!
//! Depend on this crate alone. Every construct whose behaviour on
//! cancellation needs a runtime is bound to smol here: [`with`] and the
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
//! on it) hands its exit to smol: it runs as a task on smol's global
//! executor ([`smol::spawn`]), told [`Outcome::Cancelled`], exactly once.
//! This needs a context and a resource that are `Send + 'static`. The same
//! holds for this crate's generator-style [`context`], its [`ExitStack`]
//! (the exits it still holds), and task groups. A context that cannot be
//! handed over (it borrows, or has `!Send` parts) is a compile error naming
//! the alternative, the core's [`async_with::with`]: a dropped scope then
//! drops the resource synchronously and reports the skipped exit through
//! [`diagnostics`].
//!
//! The scopes dropped inside one runtime-bound scope hand their exits over
//! as one chain, run as one task: innermost first, each exit awaited
//! before the next. Chains of different tasks run concurrently, so an exit
//! never waits for an unrelated one ([`handover`]); await
//! [`handover::join`] before the program ends to let them finish. smol
//! cannot name its tasks, so two scopes that are siblings at the top of a
//! task (an [`ExitStack`], then a `with` awaited beside it) hand over
//! separate chains that may overlap: nest them (enter the `with` through
//! the stack, or the stack's work inside the `with`) to order their exits.
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
//! None. Task group children run on smol's global executor
//! ([`smol::spawn`]), whatever executor runs the group.
// Lints: the workspace's (`[workspace.lints]`), unsafe code forbidden.

pub mod fs;
pub mod net;
pub mod process;
pub mod sync;

pub use async_with::common::*;

async_with::runtime_items! {
    /// The smol runtime, as the [`Runtime`] the core hands cleanup to: the
    /// exits of a dropped scope and task group children are [`smol::spawn`]ed,
    /// timers are [`smol::Timer`].
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_smol::{Smol, nullcontext, stack};
    /// // What `async_with_smol::ExitStack::new()` makes, spelled out:
    /// let mut exits = stack::ExitStack::with_policy(Smol);
    /// smol::block_on(async {
    ///     exits.enter(nullcontext("a smol stack")).await?;
    ///     exits.close().await
    /// })?;
    /// # Ok::<(), async_with_smol::Error>(())
    /// ```
    pub struct Smol;

    fn spawn(task) {
        // Detached: a dropped `Task` would cancel it; what the task runs
        // reports for itself (a task group's child, handed-over exits).
        smol::spawn(task).detach();
    }

    fn sleep(duration) {
        async move {
            smol::Timer::after(duration).await;
        }
    }

    // `with`, `With`, `context`, `ExitStack`, the timeouts and
    // `task_group`, bound to Smol; each is re-exported below under
    // this runtime's docs.
    mod bound;
    unbound = "`{Self}` cannot have its exit handed to smol";
    runs_on = "a dropped scope's exit runs on smol, so the context and its resource must be `Send + 'static` with `Send` futures";
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
pub use bound::with;

/// `.with(body)` on any context, bound to smol: a scope dropped mid-way
/// hands its exit to smol (see [the crate docs](crate#cancellation)).
///
/// Every [`AsyncContext`] that is `'static` is one, [`context`]s included.
/// Bound generic code on it to accept any of them; the scope's future is
/// `Send`, so it can be spawned.
///
/// # Examples
///
/// ```
/// use async_with_smol::{Error, With, nullcontext};
///
/// async fn doubled<C: With<Resource = u32>>(context: C) -> Result<u32, Error> {
///     context.with(async |n| Ok(*n * 2)).await
/// }
/// # smol::block_on(async {
/// assert_eq!(doubled(nullcontext(21)).await?, 42);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
pub use bound::With;

/// Python's `@asynccontextmanager`, bound to smol: the code before
/// [`yield_`](Yield::yield_) is the enter, the code after it the exit, and
/// a scope dropped mid-way runs that exit on smol.
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
/// use async_with_smol::{Outcome, context, with};
///
/// # smol::block_on(async {
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
/// # Ok::<(), async_with_smol::Error>(()) }).unwrap();
/// ```
pub use bound::context;

/// Python's `contextlib.AsyncExitStack`, bound to smol: a stack dropped
/// before it was closed (its task aborted, its scope cancelled) runs the
/// exits it still holds on smol, newest first, told
/// [`Outcome::Cancelled`].
///
/// Its methods and guarantees are [`async_with::stack::ExitStack`]'s.
///
/// # Examples
///
/// ```
/// use async_with_smol::{ExitStack, nullcontext};
///
/// # smol::block_on(async {
/// let mut stack = ExitStack::new();
/// let mut names = Vec::new();
/// for name in ["A", "B", "C"] {
///     names.push(*stack.enter(nullcontext(name)).await?);
/// }
/// assert_eq!(names.concat(), "ABC");
/// stack.close().await?;
/// # Ok::<(), async_with_smol::Error>(()) }).unwrap();
/// ```
pub use bound::ExitStack;

/// Python's `asyncio.timeout(delay)` on smol's timer: see
/// [`async_with::timeout`].
///
/// # Examples
///
/// See [the crate docs](crate).
pub use bound::timeout;

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
pub use bound::move_on_after;

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
pub use bound::exit_timeout;

/// Python's `asyncio.TaskGroup`, children spawned on smol: see
/// [`async_with::task_group`].
///
/// # Examples
///
/// See [the crate docs](crate).
pub use bound::task_group;
