//! Everything that behaves the same with or without a runtime: what a
//! runtime adapter crate re-exports beside its own runtime-bound
//! constructs.
//!
//! Left out, because a runtime changes what they do when a scope is
//! dropped: [`with`](crate::with) and [`With`](crate::With),
//! [`context`](crate::context), [`ExitStack`](crate::ExitStack) and
//! [`LocalExitStack`](crate::LocalExitStack), and the functions that need a
//! timer or a spawner ([`timeout`](crate::timeout),
//! [`move_on_after`](crate::move_on_after),
//! [`exit_timeout`](crate::exit_timeout), [`task_group`](crate::task_group)).
//! An adapter crate offers each bound to its runtime; the unbound forms are
//! reached by naming this crate.
//!
//! # Examples
//!
//! ```
//! // What `async_with_tokio` does, and a crate of your own binding another
//! // runtime would do:
//! pub use async_with::common::*;
//! ```

pub use crate::diagnostics;
pub use crate::handover;
pub use crate::stack;
pub use crate::{
    AllowSuppressed, AsyncClose, AsyncContext, BoxError, BoxedContext, CancelPolicy, CancelScope,
    Cancelled, Closing, Defer, Entry, Error, ErrorList, Exit, ExitTimedOut, ExitTimeout, Flavor,
    IntoExit, Local, LocalAsyncContext, MisuseError, NoRuntime, Null, OfType, Outcome,
    PendingError, PendingExits, Resume, Runtime, Sendable, StackPolicy, Stopwatch, Suppress,
    SuppressWhen, Suppressed, TaskDropped, TaskGroup, TaskHandle, TimedOut, Timer, Yield, aclosing,
    boxed_context, closing, defer, nullcontext, suppress, suppress_if, timer, with_runtime,
};
