//! What happens to an entered context when its scope is dropped mid-way.

use crate::LocalAsyncContext;
use crate::diagnostics;

/// What a scope does with an entered context when its future is dropped
/// (cancelled) before the exit ran.
///
/// Rust cannot await in `Drop`. The core's [`NoRuntime`] drops the resource
/// and the context synchronously and reports the skipped exit; a runtime
/// adapter implements this trait to run the exit on its runtime instead,
/// told [`Outcome::Cancelled`](crate::Outcome::Cancelled). Implementations
/// must not block and must not panic: they run inside `Drop`.
///
/// # Examples
///
/// A policy that counts what it drops, for a test:
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use async_with::{CancelPolicy, LocalAsyncContext};
///
/// struct Count<'a>(&'a AtomicUsize);
///
/// impl<C: LocalAsyncContext> CancelPolicy<C> for Count<'_> {
///     fn cancelled(&self, context: C, resource: C::Resource) {
///         drop(resource);
///         drop(context);
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
/// ```
pub trait CancelPolicy<C: LocalAsyncContext> {
    /// Whether [`cancelled`](CancelPolicy::cancelled) hands the exit over
    /// to run later (a [`Runtime`](crate::Runtime) does). A scope bound to
    /// such a policy then gathers the exits of the scopes dropped inside it
    /// into one chain ([`handover`](crate::handover)).
    const HANDS_OVER: bool = false;

    /// Takes over `context` and its `resource` after the scope was dropped.
    fn cancelled(&self, context: C, resource: C::Resource);
}

/// The core's cancellation policy, used when no runtime adapter is bound:
/// drop the resource, then the context, and report the skipped async exit
/// through [`diagnostics`](crate::diagnostics) (unless dropping was the
/// whole cleanup: [`AsyncContext::CLEANUP_IS_DROP`](crate::AsyncContext::CLEANUP_IS_DROP)).
///
/// # Examples
///
/// ```
/// use async_with::{NoRuntime, with_runtime, nullcontext};
/// # futures_lite::future::block_on(async {
/// let answer = with_runtime(NoRuntime, nullcontext(41), async |n| Ok(*n + 1)).await?;
/// assert_eq!(answer, 42);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRuntime;

impl<C: LocalAsyncContext> CancelPolicy<C> for NoRuntime {
    fn cancelled(&self, context: C, resource: C::Resource) {
        drop(resource);
        drop(context);
        if !C::CLEANUP_IS_DROP {
            diagnostics::report_skipped_exits(1);
        }
    }
}
