//! What the library reports when it cannot hand something back to a caller.
//!
//! Two things can happen that no return value can carry: a scope is dropped
//! (cancelled) with no runtime to run its async exits, and exits fail while a
//! panic is unwinding. Both are reported here, to a hook the application can
//! replace; the default hook writes one line to standard error.

use std::fmt;
use std::io::Write;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Error;

/// Something the library could not return to anyone.
///
/// # Examples
///
/// ```
/// use async_with::diagnostics::Diagnostic;
/// let skipped = Diagnostic::SkippedExits { count: 2 };
/// assert_eq!(
///     skipped.to_string(),
///     "2 async exits skipped: the scope was dropped with no runtime to run them; \
///      the resources were dropped synchronously"
/// );
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Diagnostic<'a> {
    /// A scope was dropped before its exits ran and no runtime adapter could
    /// run them: the resources' synchronous `Drop` ran instead, in LIFO order.
    SkippedExits {
        /// How many async exits did not run.
        count: usize,
    },
    /// Exits failed while a panic was unwinding; the panic resumes, so these
    /// errors reach no caller.
    ErrorsDuringPanic {
        /// Every error, oldest first.
        errors: &'a Error,
    },
    /// An exit panicked while an earlier panic was being handled; the earlier
    /// panic resumes and this one is dropped.
    SecondPanic,
    /// Exits that a runtime ran after their scope was cancelled failed; no
    /// caller is left to return the errors to.
    ErrorsAfterCancel {
        /// Every error, oldest first.
        errors: &'a Error,
    },
    /// An exit that a runtime ran after its scope was cancelled panicked.
    PanicAfterCancel,
}

impl fmt::Display for Diagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnostic::SkippedExits { count: 1 } => f.write_str(
                "1 async exit skipped: the scope was dropped with no runtime to run it; \
                 the resource was dropped synchronously",
            ),
            Diagnostic::SkippedExits { count } => write!(
                f,
                "{count} async exits skipped: the scope was dropped with no runtime to run them; \
                 the resources were dropped synchronously"
            ),
            Diagnostic::ErrorsDuringPanic { errors } => {
                write!(f, "exits failed while a panic unwound: {errors:#}")
            }
            Diagnostic::SecondPanic => {
                f.write_str("an exit panicked while a panic unwound; the first panic resumes")
            }
            Diagnostic::ErrorsAfterCancel { errors } => {
                write!(f, "exits run after cancellation failed: {errors:#}")
            }
            Diagnostic::PanicAfterCancel => f.write_str("an exit run after cancellation panicked"),
        }
    }
}

/// A function that receives diagnostics.
pub type Hook = fn(&Diagnostic<'_>);

static HOOK: RwLock<Option<Hook>> = RwLock::new(None);
static SKIPPED_EXITS: AtomicU64 = AtomicU64::new(0);

/// Replaces the hook that receives diagnostics (process-wide).
///
/// Send them to your logger, count them in a metric, or fail a test on them.
///
/// # Examples
///
/// ```
/// use async_with::diagnostics::{self, Diagnostic};
///
/// fn to_log(diagnostic: &Diagnostic<'_>) {
///     // log::warn!("{diagnostic}");
///     let _ = diagnostic;
/// }
/// diagnostics::set_hook(to_log);
/// # diagnostics::reset_hook();
/// ```
pub fn set_hook(hook: Hook) {
    *HOOK
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(hook);
}

/// Puts back the default hook, which writes one line to standard error.
///
/// # Examples
///
/// ```
/// async_with::diagnostics::reset_hook();
/// ```
pub fn reset_hook() {
    *HOOK
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
}

/// How many async exits were skipped since the process started, over every
/// scope dropped with no runtime to run its exits.
///
/// # Examples
///
/// ```
/// let before = async_with::diagnostics::skipped_exits();
/// assert!(async_with::diagnostics::skipped_exits() >= before);
/// ```
pub fn skipped_exits() -> u64 {
    SKIPPED_EXITS.load(Ordering::Relaxed)
}

/// Reports `count` skipped exits. For runtime adapters that could not spawn
/// an exit (the runtime is shutting down) and dropped its resource instead.
///
/// # Examples
///
/// ```
/// let before = async_with::diagnostics::skipped_exits();
/// # async_with::diagnostics::set_hook(|_| {});
/// async_with::diagnostics::report_skipped_exits(1);
/// assert!(async_with::diagnostics::skipped_exits() > before);
/// # async_with::diagnostics::reset_hook();
/// ```
pub fn report_skipped_exits(count: usize) {
    if count == 0 {
        return;
    }
    SKIPPED_EXITS.fetch_add(count as u64, Ordering::Relaxed);
    report(&Diagnostic::SkippedExits { count });
}

pub(crate) fn report(diagnostic: &Diagnostic<'_>) {
    let hook = *HOOK.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    match hook {
        Some(hook) => hook(diagnostic),
        // A closed stderr must not turn a diagnostic into a panic in `Drop`.
        None => {
            let _ = writeln!(std::io::stderr(), "async-with: {diagnostic}");
        }
    }
}
