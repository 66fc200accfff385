//! The bookkeeping every scope shares while its exits run: the pending error,
//! the pending panic, and how the scope ends.

use std::error::Error as StdError;
use std::fmt;
use std::panic;
use std::sync::Arc;

use crate::diagnostics::{self, Diagnostic};
use crate::panic::PanicPayload;
use crate::{Error, Exit, Outcome, Suppressed};

/// How a block (or an exit) ended, as the scope sees it.
pub(crate) type Ended<T> = Result<Result<T, Error>, PanicPayload>;

/// The state carried from the body through each exit.
#[derive(Default)]
pub(crate) struct Unwind {
    /// Shared with the exit currently running through [`Outcome::Failed`];
    /// unshared again (by then the exit's future is gone) to add a newer error.
    error: Option<Arc<Error>>,
    panic: Option<PanicPayload>,
    /// The error an exit suppressed, for the [`Suppressed`] error of a block
    /// left without a value.
    suppressed: Option<Arc<Error>>,
}

impl Unwind {
    /// Records how the body ended; returns its value when it returned one.
    pub(crate) fn record_body<T>(&mut self, ended: Ended<T>) -> Option<T> {
        match ended {
            Ok(Ok(value)) => return Some(value),
            Ok(Err(error)) => self.record_error(error),
            Err(payload) => self.record_panic(payload),
        }
        None
    }

    /// Records how one exit ended.
    pub(crate) fn record_exit(&mut self, ended: Ended<Exit>) {
        match ended {
            Ok(Ok(Exit::Propagate)) => {}
            // A panic is never suppressed; an error is, and with it every
            // earlier error it carried, as in Python.
            Ok(Ok(Exit::Suppress)) => {
                if self.panic.is_none() && self.error.is_some() {
                    self.suppressed = self.error.take();
                }
            }
            Ok(Err(error)) => match error.into_rewrite() {
                Ok(rewrite) => self.rewrite_error(rewrite),
                Err(error) => self.record_error(error),
            },
            Err(payload) => self.record_panic(payload),
        }
    }

    /// Replaces the pending error by what `rewrite` makes of it
    /// ([`Error::replace_pending`]).
    #[cold]
    fn rewrite_error(&mut self, rewrite: impl FnOnce(Error) -> Option<Error>) {
        if let Some(shared) = self.error.take() {
            self.error = rewrite(unshare(shared)).map(Arc::new);
        }
    }

    pub(crate) fn record_error(&mut self, newer: Error) {
        self.error = Some(Arc::new(match self.error.take() {
            None => newer,
            Some(shared) => {
                let mut error = unshare(shared);
                error.push(newer);
                error
            }
        }));
    }

    fn record_panic(&mut self, payload: PanicPayload) {
        if self.panic.is_none() {
            self.panic = Some(payload);
        } else {
            diagnostics::report(&Diagnostic::SecondPanic);
        }
    }

    /// What the next exit is told.
    pub(crate) fn outcome(&self) -> Outcome {
        match (&self.panic, &self.error) {
            (Some(_), _) => Outcome::Panicked,
            (None, Some(error)) => Outcome::failed_shared(error),
            (None, None) => Outcome::Success,
        }
    }

    /// Whether nothing failed or panicked so far.
    pub(crate) fn is_clean(&self) -> bool {
        self.error.is_none() && self.panic.is_none()
    }

    /// Ends the scope: resumes a panic, or returns the error, or the value
    /// ([`Suppressed`] when the body's error was suppressed: it has none).
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Error> {
        let error = self.error.map(unshare);
        if let Some(payload) = self.panic {
            if let Some(errors) = &error {
                diagnostics::report(&Diagnostic::ErrorsDuringPanic { errors });
            }
            panic::resume_unwind(payload);
        }
        match (error, value) {
            (Some(error), _) => Err(error),
            (None, Some(value)) => Ok(value),
            (None, None) => Err(Error::new(Suppressed::new(self.suppressed.map(unshare)))),
        }
    }
}

/// Takes the pending error back once no exit holds it. An exit that kept its
/// [`Outcome`] alive past its own future leaves a shared error behind; it is
/// kept, whole, as one error.
fn unshare(shared: Arc<Error>) -> Error {
    Arc::try_unwrap(shared).unwrap_or_else(|still_shared| Error::new(Retained(still_shared)))
}

/// An error an exit kept a handle to.
struct Retained(Arc<Error>);

impl fmt::Debug for Retained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Retained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl StdError for Retained {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.0.newest())
    }
}
