//! A stack's bookkeeping while it closes: its own errors, plus, when the
//! stack is itself a context's resource, the outcome of the block around it.

use crate::unwind::{Ended, Unwind};
use crate::{Error, Exit, Outcome};

pub(crate) struct StackUnwind {
    /// How the enclosing block ended; its error belongs to the caller.
    outer: Outcome,
    /// An exit suppressed the outer error.
    outer_suppressed: bool,
    /// What the stack's own exits raised.
    own: Unwind,
}

impl Default for StackUnwind {
    fn default() -> Self {
        Self::after(Outcome::Success)
    }
}

impl StackUnwind {
    pub(crate) fn after(outer: Outcome) -> Self {
        Self {
            outer,
            outer_suppressed: false,
            own: Unwind::default(),
        }
    }

    pub(crate) fn record_error(&mut self, error: Error) {
        self.own.record_error(error);
    }

    pub(crate) fn record_body<T>(&mut self, ended: Ended<T>) -> Option<T> {
        self.own.record_body(ended)
    }

    pub(crate) fn record_exit(&mut self, ended: Ended<Exit>) {
        if matches!(ended, Ok(Ok(Exit::Suppress))) && !self.panicking() {
            self.outer_suppressed = true;
        }
        self.own.record_exit(ended);
    }

    fn panicking(&self) -> bool {
        self.own.has_panic() || matches!(self.outer, Outcome::Panicked)
    }

    /// What the next exit is told: the newest pending error first.
    pub(crate) fn outcome(&self) -> Outcome {
        if self.panicking() {
            Outcome::Panicked
        } else if self.own.has_error() || self.outer_suppressed {
            self.own.outcome()
        } else {
            self.outer.share()
        }
    }

    /// Ends a stack that owns its whole outcome (`close`, `scope`).
    pub(crate) fn finish<T: Default>(self, value: Option<T>) -> Result<T, Error> {
        self.own.finish(value)
    }

    /// Ends a stack used as a context: its own errors become the exit's
    /// error; a suppressed outer error becomes [`Exit::Suppress`].
    pub(crate) fn finish_as_exit(self) -> Result<Exit, Error> {
        let suppress = self.outer_suppressed && matches!(self.outer, Outcome::Failed(_));
        self.own.finish(Some(()))?;
        Ok(if suppress {
            Exit::Suppress
        } else {
            Exit::Propagate
        })
    }
}
