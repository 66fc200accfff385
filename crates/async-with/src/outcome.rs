//! How a block ended, as an exit is told, and what the exit answers.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::Error;

/// How the block ended: what Python passes to `__aexit__` as
/// `(exc_type, exc, tb)`.
///
/// An outcome owns no borrow, so an exit's future is `'static` whenever its
/// context is: a runtime adapter can still run it after the scope is gone.
///
/// # Examples
///
/// ```
/// use async_with::{Exit, Outcome};
///
/// fn describe(outcome: &Outcome) -> String {
///     match outcome {
///         Outcome::Success => "committed".into(),
///         Outcome::Failed(error) => format!("rolled back: {error}"),
///         Outcome::Panicked => "rolled back: panic".into(),
///         Outcome::Cancelled => "rolled back: cancelled".into(),
///     }
/// }
/// assert_eq!(describe(&Outcome::Success), "committed");
/// ```
#[derive(Clone, Debug)]
#[doc(alias = "exc_info")]
pub enum Outcome {
    /// The body, and every exit that ran before this one, succeeded (or an
    /// earlier exit suppressed the error).
    Success,
    /// The body or an earlier exit failed; the error is the newest pending one.
    Failed(PendingError),
    /// The body or an earlier exit panicked; the panic resumes after every exit
    /// has run. An exit cannot suppress a panic.
    Panicked,
    /// The scope's future was dropped before the block finished; a runtime
    /// adapter is running the exit on its own task.
    Cancelled,
}

impl Outcome {
    /// Whether the block succeeded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(async_with::Outcome::Success.is_success());
    /// assert!(!async_with::Outcome::Panicked.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Success)
    }

    /// The pending error, when the block failed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(async_with::Outcome::Success.error().is_none());
    /// ```
    pub fn error(&self) -> Option<&Error> {
        match self {
            Outcome::Failed(pending) => Some(pending),
            _ => None,
        }
    }

    /// A failed outcome carrying `error`, as a scope tells its exits: for
    /// testing an exit, or for a context that forwards its outcome to an
    /// inner one.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{AsyncContext, Outcome, nullcontext};
    ///
    /// # futures_lite::future::block_on(async {
    /// let outcome = Outcome::failed(std::io::Error::other("disk full"));
    /// assert_eq!(outcome.error().unwrap().to_string(), "disk full");
    /// let exited = nullcontext(()).exit((), outcome.clone()).await?;
    /// assert_eq!(exited, async_with::Exit::Propagate);
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn failed(error: impl Into<Error>) -> Self {
        Outcome::Failed(PendingError(Arc::new(error.into())))
    }

    /// Whether the block was cancelled, whichever way: its scope was
    /// dropped ([`Outcome::Cancelled`]), or a cancel scope, timeout or task
    /// group stopped it ([`Outcome::Failed`] with a
    /// [`Cancelled`](crate::Cancelled) or [`TimedOut`](crate::TimedOut)
    /// error, the newest one).
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::Outcome;
    /// assert!(Outcome::Cancelled.is_cancelled());
    /// assert!(!Outcome::failed(std::fmt::Error).is_cancelled());
    /// assert!(!Outcome::Panicked.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        match self {
            Outcome::Cancelled => true,
            Outcome::Failed(error) => {
                error.is::<crate::Cancelled>() || error.is::<crate::TimedOut>()
            }
            _ => false,
        }
    }

    pub(crate) fn failed_shared(error: &Arc<Error>) -> Self {
        Outcome::Failed(PendingError(Arc::clone(error)))
    }
}

/// The error pending while exits run, lent to each exit.
///
/// It dereferences to [`Error`], so an exit can ask
/// [`is`](Error::is)/[`downcast_ref`](Error::downcast_ref) to decide whether to
/// [`Exit::Suppress`] it. The scope keeps the error itself: whatever the exit
/// does, the error is not lost.
///
/// # Examples
///
/// ```
/// use async_with::{Exit, Outcome};
///
/// fn suppress_not_found(outcome: &Outcome) -> Exit {
///     match outcome {
///         Outcome::Failed(error)
///             if error
///                 .downcast_ref::<std::io::Error>()
///                 .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) =>
///         {
///             Exit::Suppress
///         }
///         _ => Exit::Propagate,
///     }
/// }
/// assert_eq!(suppress_not_found(&Outcome::Success), Exit::Propagate);
/// ```
#[derive(Clone)]
pub struct PendingError(Arc<Error>);

impl PendingError {
    /// The error itself, shared with the scope that holds it.
    pub(crate) fn into_shared(self) -> Arc<Error> {
        self.0
    }
}

impl Deref for PendingError {
    type Target = Error;

    fn deref(&self) -> &Error {
        &self.0
    }
}

impl fmt::Debug for PendingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for PendingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// What an exit answers about a pending error: let it go on, or swallow it
/// (Python's truthy `__aexit__` return).
///
/// Suppressing turns the block's error into success for the exits after this
/// one and for the caller. The block then has no value: the scope returns
/// [`Suppressed`](crate::Suppressed), which
/// [`allow_suppressed`](crate::AllowSuppressed::allow_suppressed) reads as
/// `None`. On success it changes nothing; a panic is never suppressed.
///
/// # Examples
///
/// ```
/// use async_with::{Exit, IntoExit};
/// assert_eq!(().into_exit(), Exit::Propagate);
/// assert_eq!(Exit::default(), Exit::Propagate);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[must_use]
pub enum Exit {
    /// Leave the pending error, if any, as it is.
    #[default]
    Propagate,
    /// Swallow the pending error.
    Suppress,
}

/// What a generator-style context's closure may return: `()` (propagate) or an
/// [`Exit`].
///
/// # Examples
///
/// ```
/// use async_with::{Exit, IntoExit};
/// assert_eq!(Exit::Suppress.into_exit(), Exit::Suppress);
/// ```
pub trait IntoExit {
    /// The answer as an [`Exit`].
    fn into_exit(self) -> Exit;
}

impl IntoExit for () {
    fn into_exit(self) -> Exit {
        Exit::Propagate
    }
}

impl IntoExit for Exit {
    fn into_exit(self) -> Exit {
        self
    }
}
