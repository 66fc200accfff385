//! What the library reports when it cannot hand something back to a caller.
//!
//! Two things can happen that no return value can carry: a scope is dropped
//! (cancelled) with no runtime to run its async exits, and exits fail while a
//! panic is unwinding or after their scope was cancelled. Each becomes a
//! [`Diagnostic`], delivered to one hook:
//!
//! - the hook of the innermost [`scoped`] future being polled or dropped on
//!   this thread (exits a runtime runs after a cancellation report to the
//!   hook that was in scope where they were handed over), else
//! - the process-wide hook of [`set_hook`], else
//! - the default: a `tracing` warning with the `tracing` feature, one line
//!   on standard error without it.
//!
//! A hook that panics, or an error whose `Display` panics while a
//! diagnostic is formatted, is contained here: the panic goes no further,
//! never replaces a panic that is unwinding, and the library carries on
//! with the remaining exits.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

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
    /// Exits a runtime was running after their scope was cancelled were cut
    /// off mid-way (the runtime shut down, or dropped the task running
    /// them): what was left of each, its resource included, was dropped
    /// synchronously.
    InterruptedExits {
        /// How many async exits did not finish.
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
            Diagnostic::InterruptedExits { count: 1 } => f.write_str(
                "1 async exit interrupted: the runtime stopped running it after its scope was \
                 cancelled; the rest of it was dropped synchronously",
            ),
            Diagnostic::InterruptedExits { count } => write!(
                f,
                "{count} async exits interrupted: the runtime stopped running them after their \
                 scope was cancelled; the rest of them was dropped synchronously"
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

/// A hook that receives diagnostics: any closure, so it can capture a
/// logger, a metrics handle or a test's own list. [`set_hook`] and
/// [`scoped`] take the closure itself and wrap it.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use async_with::diagnostics::{Diagnostic, Hook};
///
/// let hook: Hook = Arc::new(|diagnostic: &Diagnostic<'_>| eprintln!("{diagnostic}"));
/// hook(&Diagnostic::SkippedExits { count: 1 });
/// ```
pub type Hook = Arc<dyn Fn(&Diagnostic<'_>) + Send + Sync>;

static HOOK: RwLock<Option<Hook>> = RwLock::new(None);

thread_local! {
    /// The hook of the innermost `scoped` future being polled or dropped here.
    static SCOPED: RefCell<Option<Hook>> = const { RefCell::new(None) };
}

static SKIPPED_EXITS: AtomicU64 = AtomicU64::new(0);

/// Replaces the process-wide hook that receives diagnostics.
///
/// Send them to your logger, count them in a metric, or fail a test on them.
/// A hook [`scoped`] to a future takes precedence while that future runs.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use async_with::diagnostics;
///
/// let seen = Arc::new(AtomicUsize::new(0));
/// let counter = Arc::clone(&seen);
/// diagnostics::set_hook(move |diagnostic| {
///     counter.fetch_add(1, Ordering::Relaxed);
///     eprintln!("cleanup: {diagnostic}");
/// });
/// # diagnostics::reset_hook();
/// ```
pub fn set_hook(hook: impl Fn(&Diagnostic<'_>) + Send + Sync + 'static) {
    *HOOK
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(hook));
}

/// Puts back the default hook: a `tracing` warning with the `tracing`
/// feature, one line on standard error without it.
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

/// Runs `future` with `hook` receiving the diagnostics raised while it is
/// polled or dropped, and those of exits a runtime runs after scopes inside
/// it were cancelled. Other futures keep theirs: parallel tests each
/// capture their own.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use async_with::{defer, diagnostics, with};
///
/// # futures_lite::future::block_on(async {
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = Arc::clone(&seen);
/// let hook = move |d: &diagnostics::Diagnostic<'_>| log.lock().unwrap().push(d.to_string());
/// let scope = diagnostics::scoped(hook, async {
///     let inner = Box::pin(with(defer(|| async { Ok(()) }), async |()| {
///         std::future::pending::<()>().await;
///         Ok(())
///     }));
///     let _ = futures_lite::future::poll_once(inner).await; // dropped mid-way
/// });
/// scope.await;
/// assert_eq!(seen.lock().unwrap().len(), 1); // the skipped exit
/// # });
/// ```
pub fn scoped<F: Future>(
    hook: impl Fn(&Diagnostic<'_>) + Send + Sync + 'static,
    future: F,
) -> Scoped<F> {
    Scoped {
        future,
        restore: Restore(None),
        hook: Arc::new(hook),
    }
}

pin_project! {
    /// A future whose diagnostics go to its own hook, made by [`scoped`].
    ///
    /// # Examples
    ///
    /// See [`scoped`].
    #[must_use = "futures do nothing unless polled"]
    pub struct Scoped<F> {
        // Fields drop in this order, after `drop` below installed the hook:
        // the future with the hook in place, then the previous hook back.
        #[pin]
        future: F,
        restore: Restore,
        hook: Hook,
    }

    impl<F> PinnedDrop for Scoped<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.restore.0 = Some(install(Some(Arc::clone(this.hook))));
        }
    }
}

impl<F> fmt::Debug for Scoped<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scoped").finish_non_exhaustive()
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _restore = Restore(Some(install(Some(Arc::clone(this.hook)))));
        this.future.poll(cx)
    }
}

/// Makes `hook` this thread's scoped hook; returns the one it replaced.
fn install(hook: Option<Hook>) -> Option<Hook> {
    SCOPED
        .try_with(|scoped| scoped.replace(hook))
        .ok()
        .flatten()
}

/// Puts a saved scoped hook back when dropped.
struct Restore(Option<Option<Hook>>);

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(saved) = self.0.take() {
            install(saved);
        }
    }
}

/// The hook diagnostics raised here now would go to, for work that will
/// report from elsewhere (an exit a runtime runs after a cancellation).
pub(crate) fn current_hook() -> Option<Hook> {
    SCOPED
        .try_with(|scoped| scoped.borrow().clone())
        .ok()
        .flatten()
}

/// Runs `report` with `hook` as this thread's scoped hook, if there is one.
pub(crate) fn with_hook<R>(hook: Option<Hook>, report: impl FnOnce() -> R) -> R {
    match hook {
        Some(hook) => {
            let _restore = Restore(Some(install(Some(hook))));
            report()
        }
        None => report(),
    }
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

/// Reports `count` skipped exits, for a [`CancelPolicy`](crate::CancelPolicy)
/// or [`StackPolicy`](crate::StackPolicy) of your own that drops what it
/// cannot run.
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

/// Reports `count` exits cut off mid-way.
pub(crate) fn report_interrupted_exits(count: usize) {
    if count > 0 {
        report(&Diagnostic::InterruptedExits { count });
    }
}

pub(crate) fn report(diagnostic: &Diagnostic<'_>) {
    let hook = current_hook().or_else(|| {
        HOOK.read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    });
    // A panicking hook, or a user's `Display` panicking while the default
    // hook formats, stops here: never past a `Drop`, never over a panic
    // that is unwinding.
    let delivered = catch_unwind(AssertUnwindSafe(|| match &hook {
        Some(hook) => hook(diagnostic),
        None => default_hook(diagnostic),
    }));
    if delivered.is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "async-with: a diagnostic was lost: its hook, or an error's Display, panicked"
        );
    }
}

/// What a diagnostic becomes when no hook was set.
#[cfg(feature = "tracing")]
fn default_hook(diagnostic: &Diagnostic<'_>) {
    tracing::warn!(target: "async_with", "{diagnostic}");
}

/// What a diagnostic becomes when no hook was set.
#[cfg(not(feature = "tracing"))]
fn default_hook(diagnostic: &Diagnostic<'_>) {
    // Formatted first: a closed stderr must not become a panic in `Drop`.
    let line = format!("async-with: {diagnostic}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}
