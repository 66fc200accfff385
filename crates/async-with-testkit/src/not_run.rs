//! Counting the exits diagnostics report as not run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_with::diagnostics::Diagnostic;

/// Counts the exits that diagnostics report as skipped or interrupted, for
/// a test that checks every exit either ran or was reported. Install its
/// [`hook`](NotRun::hook) with `async_with::diagnostics::scoped` around the
/// futures under test (their handed-over exits report to it too).
///
/// # Examples
///
/// ```
/// use async_with::diagnostics::{self, Diagnostic};
/// use async_with_testkit::NotRun;
///
/// let not_run = NotRun::default();
/// let hook = not_run.hook();
/// hook(&Diagnostic::SkippedExits { count: 2 });
/// hook(&Diagnostic::InterruptedExits { count: 1 });
/// assert_eq!((not_run.skipped(), not_run.interrupted(), not_run.total()), (2, 1, 3));
/// ```
#[derive(Clone, Debug, Default)]
pub struct NotRun {
    skipped: Arc<AtomicUsize>,
    interrupted: Arc<AtomicUsize>,
}

impl NotRun {
    /// A diagnostics hook that counts into this `NotRun`.
    pub fn hook(&self) -> impl Fn(&Diagnostic<'_>) + Send + Sync + 'static {
        let counts = self.clone();
        move |diagnostic| match diagnostic {
            Diagnostic::SkippedExits { count } => {
                counts.skipped.fetch_add(*count, Ordering::SeqCst);
            }
            Diagnostic::InterruptedExits { count } => {
                counts.interrupted.fetch_add(*count, Ordering::SeqCst);
            }
            _ => {}
        }
    }

    /// Exits reported as skipped (never started).
    pub fn skipped(&self) -> usize {
        self.skipped.load(Ordering::SeqCst)
    }

    /// Exits reported as interrupted (cut off mid-way).
    pub fn interrupted(&self) -> usize {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Both.
    pub fn total(&self) -> usize {
        self.skipped() + self.interrupted()
    }
}
