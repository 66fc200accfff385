//! The bookkeeping every scope shares while its exits run: the pending error,
//! the pending panic, and how the scope ends.

use std::panic;
use std::sync::Arc;

use crate::diagnostics::{self, Diagnostic};
use crate::error::Retained;
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
    /// What few scopes see, boxed: a scope's future keeps its `Unwind` while
    /// an exit runs, and this keeps it at 16 bytes.
    rare: Option<Box<Rare>>,
}

/// The parts of an [`Unwind`] a scope rarely needs.
#[derive(Default)]
struct Rare {
    panic: Option<PanicPayload>,
    /// The error an exit suppressed, for the [`Suppressed`] error of a block
    /// left without a value.
    suppressed: Option<Arc<Error>>,
}

impl Unwind {
    fn panicking(&self) -> bool {
        self.rare.as_ref().is_some_and(|rare| rare.panic.is_some())
    }

    #[cold]
    fn rare(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

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
                if !self.panicking() && self.error.is_some() {
                    self.rare().suppressed = self.error.take();
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
        if !self.panicking() {
            self.rare().panic = Some(payload);
        } else {
            diagnostics::report(&Diagnostic::SecondPanic);
        }
    }

    /// What the next exit is told.
    #[inline]
    pub(crate) fn outcome(&self) -> Outcome {
        // The common case (nothing failed) inline, the rest out of line.
        if self.error.is_none() && self.rare.is_none() {
            return Outcome::Success;
        }
        self.outcome_after_failure()
    }

    #[cold]
    #[inline(never)]
    fn outcome_after_failure(&self) -> Outcome {
        match (self.panicking(), &self.error) {
            (true, _) => Outcome::Panicked,
            (false, Some(error)) => Outcome::failed_shared(error),
            (false, None) => Outcome::Success,
        }
    }

    /// Whether nothing failed or panicked so far.
    pub(crate) fn is_clean(&self) -> bool {
        self.error.is_none() && !self.panicking()
    }

    /// Ends the scope: resumes a panic, or returns the error, or the value
    /// ([`Suppressed`] when the body's error was suppressed: it has none).
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Error> {
        let error = self.error.map(unshare);
        let Rare { panic, suppressed } = self.rare.map(|rare| *rare).unwrap_or_default();
        if let Some(payload) = panic {
            if let Some(errors) = &error {
                diagnostics::report(&Diagnostic::ErrorsDuringPanic { errors });
            }
            panic::resume_unwind(payload);
        }
        match (error, value) {
            (Some(error), _) => Err(error),
            (None, Some(value)) => Ok(value),
            (None, None) => Err(Error::new(Suppressed::new(suppressed.map(unshare)))),
        }
    }
}

/// Starts the bookkeeping of a body that failed or panicked.
#[cold]
#[inline(never)]
pub(crate) fn unwound<T>(ended: Ended<T>) -> Unwind {
    let mut unwind = Unwind::default();
    let value = unwind.record_body(ended);
    debug_assert!(value.is_none(), "only a failed body is unwound");
    unwind
}

/// The value of a block that succeeded.
///
/// A scope awaits its exit on one of two paths. A local that still holds
/// something at both awaits, or that was ever borrowed (`ended.is_ok()`),
/// is stored beside every state of the scope's future, the block's
/// included. Binding `Ok(Ok(value))` out of `ended` would leave `ended`
/// holding the rest; this takes all of it (as [`unwound`] does on the other
/// path), so nothing is left of it at either await.
#[inline(always)]
pub(crate) fn succeeded<T>(ended: Ended<T>) -> T {
    match ended {
        Ok(Ok(value)) => value,
        _ => unreachable!("checked to have succeeded"),
    }
}

/// How the scope around a stack closed as a context ended, seeded into the
/// stack's own record so that its exits are told the same
/// ([`Unwind::inherit`]).
pub(crate) enum Inherited {
    Nothing,
    /// The outer scope's pending error, shared with it.
    Error(Arc<Error>),
    Panic,
    Cancelled,
}

/// The payload standing for a panic of the scope around a stack closed as
/// a context: it tells the stack's exits `Panicked`, and is never resumed.
struct InheritedPanic;

impl Unwind {
    /// Seeds this record with how the scope around it ended, for a stack
    /// closed as a context: its exits are told exactly that.
    pub(crate) fn inherit(&mut self, outcome: Outcome) -> Inherited {
        match outcome {
            Outcome::Success => Inherited::Nothing,
            Outcome::Failed(pending) => {
                let shared = pending.into_shared();
                match self.error {
                    None => self.error = Some(Arc::clone(&shared)),
                    // Errors left by an interrupted close of this stack.
                    Some(_) => self.record_error(Error::new(Retained(Arc::clone(&shared)))),
                }
                Inherited::Error(shared)
            }
            Outcome::Panicked => {
                self.rare()
                    .panic
                    .get_or_insert_with(|| Box::new(InheritedPanic));
                Inherited::Panic
            }
            Outcome::Cancelled => Inherited::Cancelled,
        }
    }

    /// Ends a stack closed as a context: what its exits did, as one exit's
    /// answer to the scope around it. Only what they added is returned
    /// (the inherited error stays the outer scope's), and an inherited
    /// error they suppressed is dropped by a rewrite.
    ///
    /// # Panics
    ///
    /// Resumes a panic raised by one of the exits, once every exit ran.
    pub(crate) fn finish_inherited(self, inherited: Inherited) -> Result<Exit, Error> {
        let Unwind { error, rare } = self;
        let panic = rare.and_then(|rare| rare.panic);
        let seed = match inherited {
            Inherited::Error(seed) => Some(seed),
            _ => None,
        };
        // What the exits added, and whether the inherited error is still
        // pending under it.
        let (added, seed_pending) = match (error, &seed) {
            (None, _) => (None, false),
            (Some(shared), Some(seed)) if Arc::ptr_eq(&shared, seed) => (None, true),
            (Some(shared), Some(seed)) => unshare(shared).without_shared(seed),
            (Some(shared), None) => (Some(unshare(shared)), false),
        };
        // Every handle to the outer scope's error goes before it gets the
        // answer, so that it takes its error back whole.
        let seed_suppressed = seed.is_some() && !seed_pending;
        drop(seed);
        if let Some(payload) = panic {
            if !payload.is::<InheritedPanic>() {
                if let Some(errors) = &added {
                    diagnostics::report(&Diagnostic::ErrorsDuringPanic { errors });
                }
                panic::resume_unwind(payload);
            }
        }
        match (added, seed_suppressed) {
            (None, false) => Ok(Exit::Propagate),
            (None, true) => Ok(Exit::Suppress),
            (Some(added), false) => Err(added),
            (Some(added), true) => Err(Error::replace_pending(move |_suppressed| Some(added))),
        }
    }
}

/// Takes the pending error back once no exit holds it. An exit that kept its
/// [`Outcome`] alive past its own future leaves a shared error behind; it is
/// kept, whole, as one error.
fn unshare(shared: Arc<Error>) -> Error {
    Arc::try_unwrap(shared).unwrap_or_else(|still_shared| Error::new(Retained(still_shared)))
}
