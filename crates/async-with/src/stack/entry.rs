//! One registered exit: its payload until the exit starts, then its future,
//! pinned in the entry's single heap allocation.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::unwind::Ended;
use crate::{Error, Exit, Outcome};

pub(crate) mod sealed {
    use super::*;

    /// What the stack does with an entry, object-safe so entries of every
    /// type share one `Vec`.
    pub trait EntryImpl {
        /// Starts the exit with `outcome` unless it started already.
        fn start(self: Pin<&mut Self>, outcome: Outcome) -> Result<(), crate::panic::PanicPayload>;
        /// Polls the started exit.
        fn poll_exit(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Ended<Exit>>;
        /// Whether the exit started (then it is never started again).
        fn started(&self) -> bool;
    }
}

/// A registered exit of an [`ExitStack`](crate::ExitStack), type-erased.
///
/// Only this crate creates entries; the trait is public so that runtime
/// adapters can name `dyn Entry + Send + 'static` in their
/// [`StackPolicy`](crate::StackPolicy).
pub trait Entry: sealed::EntryImpl {}

impl<T: sealed::EntryImpl + ?Sized> Entry for T {}

pin_project! {
    #[project = StateProj]
    #[project_replace = StateOwned]
    enum State<P, F> {
        Held { payload: P },
        Exiting { #[pin] exit: F },
        Done,
    }
}

pin_project! {
    /// An entry whose payload `P` becomes the exit future `F` through `make`.
    pub(crate) struct EntryFor<P, M, F> {
        make: Option<M>,
        #[pin]
        state: State<P, F>,
    }
}

impl<P, M, F> EntryFor<P, M, F>
where
    M: FnOnce(P, Outcome) -> F,
    F: Future<Output = Result<Exit, Error>>,
{
    pub(crate) fn new(payload: P, make: M) -> Self {
        Self {
            make: Some(make),
            state: State::Held { payload },
        }
    }

    /// The payload, while the exit has not started.
    pub(crate) fn payload(self: Pin<&mut Self>) -> Option<&mut P> {
        match self.project().state.project() {
            StateProj::Held { payload } => Some(payload),
            _ => None,
        }
    }
}

impl<P, M, F> sealed::EntryImpl for EntryFor<P, M, F>
where
    M: FnOnce(P, Outcome) -> F,
    F: Future<Output = Result<Exit, Error>>,
{
    fn start(self: Pin<&mut Self>, outcome: Outcome) -> Result<(), crate::panic::PanicPayload> {
        let mut this = self.project();
        if !matches!(this.state.as_mut().project(), StateProj::Held { .. }) {
            return Ok(());
        }
        let (StateOwned::Held { payload }, Some(make)) = (
            this.state.as_mut().project_replace(State::Done),
            this.make.take(),
        ) else {
            unreachable!("a held entry still has its exit");
        };
        let exit = panic::catch_unwind(AssertUnwindSafe(|| make(payload, outcome)))?;
        this.state.set(State::Exiting { exit });
        Ok(())
    }

    fn poll_exit(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Ended<Exit>> {
        let mut this = self.project();
        let StateProj::Exiting { exit } = this.state.as_mut().project() else {
            // Started, but making the exit future panicked: nothing to poll.
            return Poll::Ready(Ok(Ok(Exit::Propagate)));
        };
        let polled = panic::catch_unwind(AssertUnwindSafe(|| exit.poll(cx)));
        let ended = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(result)) => Ok(result),
            Err(payload) => Err(payload),
        };
        this.state.set(State::Done);
        Poll::Ready(ended)
    }

    fn started(&self) -> bool {
        !matches!(self.state, State::Held { .. })
    }
}
