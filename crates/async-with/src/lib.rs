//! Python's async context managers for Rust: cleanup that always runs and is
//! awaited, whatever happened in the block.
//!
//! Rust has no async `Drop`. This crate gives Rust the guarantee Python users
//! rely on with `async with`: the exit runs, is awaited, and sees how the block
//! ended (success, error, panic), and no error is lost on the way.
//!
//! # Examples
//!
//! ```
//! use async_with::{Error, Outcome, context, with};
//!
//! # futures_lite::future::block_on(async {
//! // Python: @asynccontextmanager async def transaction(): ...
//! let transaction = context(async |scope| {
//!     let writes: Vec<&str> = Vec::new(); // BEGIN
//!     let (writes, outcome) = scope.yield_(writes).await;
//!     match outcome {
//!         Outcome::Success => println!("COMMIT {writes:?}"),
//!         _ => println!("ROLLBACK"),
//!     }
//!     Ok(())
//! });
//! // Python: async with transaction() as tx: ...
//! with(transaction, async |tx| {
//!     tx.push("INSERT INTO users VALUES ('ada')");
//!     Ok(())
//! })
//! .await?;
//! # Ok::<(), Error>(()) }).unwrap();
//! ```
//!
//! # What is here
//!
//! | Python | Rust |
//! |---|---|
//! | `__aenter__` / `__aexit__` | [`AsyncContext::enter`] / [`AsyncContext::exit`] ([`LocalAsyncContext`] for `!Send` parts) |
//! | `async with ctx as x:` | [`with(ctx, async \|x\| ...)`](with) |
//! | `@asynccontextmanager` | [`context(async \|scope\| ...)`](context), or [`boxed_context`] to return one from a function |
//! | `AsyncExitStack` | [`ExitStack`] ([`scope`](ExitStack::scope), [`enter`](ExitStack::enter), [`push_exit`](ExitStack::push_exit), [`push_callback`](ExitStack::push_callback), [`push_sync_callback`](ExitStack::push_sync_callback), [`push_drop`](ExitStack::push_drop), [`pop_all`](ExitStack::pop_all) and [`setup`](ExitStack::setup), [`close`](ExitStack::close)); a stack is itself a context |
//! | `__aexit__` returning `True` | [`Exit::Suppress`] |
//! | `raise Wrapper() from exc` in `__aexit__` | `Err(`[`Error::replace_pending`]`(\|exc\| Some(Wrapper(exc).into())))` |
//! | `contextlib.nullcontext` | [`nullcontext`] |
//! | `contextlib.suppress(E)` | [`suppress::<E>()`](suppress), [`suppress_if`] |
//! | `x` left unbound by a suppressed block | [`Suppressed`], read as `None` by [`allow_suppressed`](AllowSuppressed::allow_suppressed) |
//! | `contextlib.aclosing` | [`aclosing`], [`closing`] with [`AsyncClose`] |
//! | `AsyncExitStack.push_async_callback` as a context | [`defer`] |
//! | `AsyncTimer` | [`timer`] |
//!
//! # Guarantees
//!
//! - **Order**: exits run in reverse order of entry, one at a time, each awaited.
//! - **Exactly once**: every successful enter is followed by exactly one exit;
//!   a failed enter is followed by none.
//! - **Errors**: a failing exit does not stop the others; each later exit sees
//!   the newest pending error ([`Outcome::Failed`]); the caller gets an
//!   [`Error`] whose [`errors`](Error::errors) lists every error, body first.
//!   A lone error is the user's own type ([`Error::downcast`]).
//! - **Panics**: a panic in the body or an exit is caught, every exit still
//!   runs (told [`Outcome::Panicked`]), then the original panic resumes with
//!   its original payload.
//! - **Cancellation**: a dropped scope cannot await its exits. The resources'
//!   synchronous `Drop` runs, and the skipped exits are reported through
//!   [`diagnostics`]; runtime adapter crates run the exits on their runtime
//!   instead ([`CancelPolicy`]), as one task per cancellation, innermost
//!   first, never waiting for another task's exits ([`handover`]).
//! - **Cost**: `with` and generator-style contexts allocate nothing on the
//!   heap on the success path.
//!
//! # Design notes
//!
//! - **`Send` without ceremony.** [`AsyncContext`] promises `Send` futures,
//!   so `async fn run<C: AsyncContext>(c: C)` can be spawned on a
//!   multi-threaded runtime and every context goes on a `Send`
//!   [`ExitStack`]; [`LocalAsyncContext`] promises nothing, for contexts
//!   with `!Send` parts, and every `AsyncContext` is one. This is the
//!   pattern of the async working group's `trait-variant` (a `Send` trait
//!   and a local variant joined by a blanket impl), chosen because stable
//!   Rust cannot bound the future of a generic trait method otherwise
//!   (return-type notation is unstable). Its one limit: a type is in one
//!   trait or the other, so the helpers generic over a value ([`nullcontext`],
//!   [`defer`], [`closing`], ...) are `AsyncContext`s and take `Send`
//!   values. Generator-style contexts ([`context`]) are not bound by it:
//!   [`with`] takes them directly, and their scope is `Send` whenever what
//!   the closure holds is.
//! - **One task per cancellation, keyed by the drop.** A runtime cannot be
//!   asked, from `Drop`, which task is being dropped, and a queue per OS
//!   thread makes unrelated tasks' exits wait for each other (a deadlock
//!   when one exit needs a lock the other's releases). So the runtime-bound
//!   scope being dropped delimits the group: every exit handed over while
//!   its drop runs (the scopes nested in it) forms one chain, spawned as
//!   one task. A stack dropped beside it in the same task is recognised by
//!   the task's waker, noted when a context was first entered into it (its
//!   clone keeps the task's address from being reused), and chained after
//!   ([`handover`]).
//! - **One error type.** Python's exceptions are dynamic and so is [`Error`]:
//!   bodies and exits of different contexts fail with different types, and
//!   an aggregate must hold them all. `?` converts any standard error, and a
//!   lone error downcasts back to the user's type.
//! - **Owned outcomes.** [`Outcome`] borrows nothing, so an exit's future is
//!   `'static` whenever its context is: runtime adapters can still run it
//!   after the scope was dropped. The pending error is shared with the exit
//!   (behind an `Arc` allocated only when an error exists) and taken back
//!   after it.
//! - **Yield by value.** A generator-style closure hands its resource to the
//!   block and gets it back at the yield point, so the block gets `&mut`
//!   access and nothing is borrowed across the two; yielding twice does not
//!   compile. The handoff takes no lock: an atomic state says which side owns
//!   the resource at each moment (`generator/slot.rs`).
//! - **A success path with nothing on it.** A scope whose body returned a
//!   value and whose exit propagated does no bookkeeping: the error and panic
//!   records are built out of line when something failed, and the exit's own
//!   panic is not caught (nothing is pending for it to be weighed against, so
//!   it goes up as it is). [`Error`] is one pointer wide, so a scope's
//!   `Result` goes back up through every nesting level in registers.
//! - **A scope's future no bigger than writing it by hand.** A task holds
//!   every nested scope's future whole, so each byte of a level is paid
//!   once per level. A `with` level keeps its context and resource in one
//!   place from the enter to the exit, and what it keeps for after its
//!   exit shares room with the block's future (both exit paths take how
//!   the block ended whole, and nothing of it is borrowed): about 89 bytes
//!   a level in a release build, against 90 for the same guarantees
//!   written by hand and 56 for a bare hand-written nesting. The core's
//!   [`with`] (no runtime) has nothing to hand over and no hand-over
//!   wrapper; an adapter's adds 16 bytes a level to gather dropped scopes'
//!   exits into one task.
//! - **A stack allocates per chunk, not per entry.** [`ExitStack`] writes
//!   each entry (its context and resource, then its exit future in the
//!   same place, and the link to the entry below) into chunks of memory
//!   that double as it grows, reused after a close and by the next stack
//!   made on the same thread (`stack/spare.rs`);
//!   pushing through `&self` takes one atomic swap (`stack/arena.rs`), and
//!   closing catches panics once per poll of the whole loop rather than once
//!   per exit (`stack/drain.rs`).
//! - **A suppressed block has no value.** A body may return any `T` (a
//!   `File`, a struct without `Default`), so a block whose error an exit
//!   suppressed cannot make one up: the scope returns the [`Suppressed`]
//!   error, and [`AllowSuppressed::allow_suppressed`] reads it as `None`,
//!   Python's name left unbound (`async with suppress(E): x = f()`). One
//!   entry point serves both kinds of block, and forgetting
//!   `allow_suppressed` is an error that says so, never a made-up value.
//!   (A type-level split, where a context declares whether it may
//!   suppress, would catch that at compile time, but every context would
//!   carry one more associated type, and generator-style contexts decide
//!   at run time.)
//!
//! # Features
//!
//! - `anyhow` (off by default): `?` from a scope's result into
//!   `anyhow::Result`, keeping a lone error's type and an aggregate's every
//!   error (see [`Error`]). Without it, `?` still reaches
//!   `Box<dyn std::error::Error + Send + Sync>` and thiserror enums.
//! - `tracing` (off by default): with no hook set, each
//!   [`diagnostics::Diagnostic`] becomes a `tracing` warning (target
//!   `async_with`), where a service's subscriber already looks, instead of
//!   a line on standard error.
//!
//! The crate depends on no runtime: its doctests run on
//! `futures_lite::future::block_on`. Runtime adapter crates
//! (`async-with-tokio`, `async-with-smol`, `async-with-async-std`) bind it to
//! a runtime.
// `unsafe` is denied everywhere but `stack/arena.rs` and `generator/slot.rs`,
// which document why.
#![deny(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

#[cfg(feature = "anyhow")]
mod anyhow_interop;
mod boxed_context;
mod cancel;
mod cancel_scope;
pub mod common;
mod context;
pub mod diagnostics;
mod error;
mod generator;
pub mod handover;
mod helpers;
mod misuse;
mod outcome;
mod panic;
mod replace_pending;
mod runtime;
mod runtime_items;
pub mod stack;
mod suppressed;
mod task_group;
mod timeout;
mod unwind;
mod with;

pub use boxed_context::{BoxedContext, boxed_context};
pub use cancel::{CancelPolicy, NoRuntime};
pub use cancel_scope::{CancelScope, Cancelled, TimedOut, move_on_after, timeout};
pub use context::{AsyncContext, LocalAsyncContext};
pub use error::{BoxError, Error, ErrorList};
pub use generator::{Generator, Resume, Yield, context};
pub use helpers::closing::{AsyncClose, Closing, aclosing, closing};
pub use helpers::defer::{Defer, defer};
pub use helpers::null::{Null, nullcontext};
pub use helpers::suppress::{OfType, Suppress, SuppressWhen, suppress, suppress_if};
pub use helpers::timer::{Stopwatch, Timer, timer};
pub use misuse::MisuseError;
pub use outcome::{Exit, IntoExit, Outcome, PendingError};
pub use runtime::Runtime;
pub use stack::{Borrowed, Entry, Flavor, Local, PendingExits, Sendable, StackPolicy};
pub use suppressed::{AllowSuppressed, Suppressed};
pub use task_group::{TaskDropped, TaskGroup, TaskHandle, task_group};
pub use timeout::{ExitTimedOut, ExitTimeout, exit_timeout};
pub use with::{With, with, with_runtime};

/// A stack of async exits, Python's `contextlib.AsyncExitStack`, with no
/// runtime bound: a stack dropped before it was closed drops its entries and
/// reports the skipped exits. See [`stack::ExitStack`] for its methods and
/// guarantees; a runtime adapter crate's `ExitStack` runs those exits on its
/// runtime instead.
///
/// # Examples
///
/// ```
/// use async_with::{ExitStack, nullcontext};
///
/// # futures_lite::future::block_on(async {
/// let mut stack = ExitStack::new();
/// let a = stack.enter(nullcontext(1)).await?;
/// let b = stack.enter(nullcontext(2)).await?;
/// assert_eq!(*a + *b, 3);
/// stack.close().await?;
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "AsyncExitStack")]
#[doc(alias = "AsyncDisposableStack")]
pub type ExitStack = stack::ExitStack<Sendable, NoRuntime>;

/// An [`ExitStack`] whose entries may be `!Send` ([`LocalAsyncContext`]s,
/// callbacks holding an `Rc`); it is `!Send` itself.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use async_with::LocalExitStack;
///
/// # futures_lite::future::block_on(async {
/// let mut stack = LocalExitStack::new();
/// let shared = stack.adopt(Rc::new(5), |value: Rc<i32>| async move {
///     println!("releasing {value}");
///     Ok(())
/// });
/// assert_eq!(**shared, 5);
/// stack.close().await?;
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub type LocalExitStack = stack::ExitStack<Local, NoRuntime>;

/// An [`ExitStack`] whose entries may borrow from the caller: a context
/// holding `&'a mut Connection`, a callback that writes to a local `Vec`.
///
/// It cannot outlive what its entries borrow (the compiler checks it, and
/// its drop too), it is `!Send`, and a stack dropped before it was closed
/// runs its synchronous cleanups and drops the rest, reporting the skipped
/// exits (there is no runtime to hand borrowed exits to). Its methods and
/// guarantees are [`stack::ExitStack`]'s, [`enter_handle`](stack::ExitStack::enter_handle)
/// aside (handles need `'static` entries).
///
/// # Examples
///
/// ```
/// use async_with::{AsyncContext, Error, Exit, Outcome, ScopedExitStack};
///
/// struct Connection { committed: Vec<&'static str> }
///
/// /// A transaction that borrows its connection.
/// struct Transaction<'c> { conn: &'c mut Connection, name: &'static str }
///
/// impl AsyncContext for Transaction<'_> {
///     type Resource = ();
///     async fn enter(&mut self) -> Result<(), Error> { Ok(()) }
///     async fn exit(self, (): (), outcome: Outcome) -> Result<Exit, Error> {
///         if outcome.is_success() {
///             self.conn.committed.push(self.name);
///         }
///         Ok(Exit::Propagate)
///     }
/// }
///
/// # futures_lite::future::block_on(async {
/// let mut a = Connection { committed: Vec::new() };
/// let mut b = Connection { committed: Vec::new() };
/// let mut stack = ScopedExitStack::new();
/// stack.enter(Transaction { conn: &mut a, name: "t1" }).await?;
/// stack.enter(Transaction { conn: &mut b, name: "t2" }).await?;
/// stack.close().await?;
/// drop(stack);
/// assert_eq!((a.committed, b.committed), (vec!["t1"], vec!["t2"]));
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
#[doc(alias = "DisposableStack")]
pub type ScopedExitStack<'a> = stack::ExitStack<Borrowed<'a>, NoRuntime>;
