//! One registered exit: its payload until the exit starts, then its future,
//! pinned in the same place, in the stack's memory.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::unwind::Unwind;
use crate::{Error, Exit, Outcome};

pub(crate) use sealed::Told;

pub(crate) mod sealed {
    use super::*;

    /// What an exit that starts is told: how the block and the exits before
    /// it ended, or that the stack was dropped before it was closed.
    #[derive(Clone, Copy)]
    pub struct Told<'a>(Option<&'a Unwind>);

    impl std::fmt::Debug for Told<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(if self.0.is_some() {
                "Told::Ended"
            } else {
                "Told::Cancelled"
            })
        }
    }

    impl<'a> Told<'a> {
        pub(crate) fn ended(unwind: &'a Unwind) -> Self {
            Self(Some(unwind))
        }

        pub(crate) const CANCELLED: Self = Self(None);

        #[inline]
        pub(in crate::stack) fn outcome(self) -> Outcome {
            match self.0 {
                Some(unwind) => unwind.outcome(),
                None => Outcome::Cancelled,
            }
        }
    }

    /// What the stack does with an entry, object-safe so entries of every
    /// type share one arena.
    pub trait EntryImpl {
        /// Polls the exit, starting it on the first call with what `told`
        /// says.
        /// A panic (making or polling the exit) goes up to the caller, which
        /// catches it once for many entries; the entry is then dropped.
        fn poll_exit(
            self: Pin<&mut Self>,
            told: Told<'_>,
            cx: &mut Context<'_>,
        ) -> Poll<Result<Exit, Error>>;
        /// Whether the exit started (then it is never started again).
        fn started(&self) -> bool;
        /// Runs the exit to its end right now, told
        /// [`Outcome::Cancelled`], if it has not started and needs no
        /// awaiting (a synchronous cleanup); `None` otherwise.
        fn exit_now(self: Pin<&mut Self>) -> Option<Result<Exit, Error>> {
            None
        }
        /// What the entry holds until its exit starts, for a
        /// [`Handle`](crate::stack::Handle) to find its resource in.
        fn payload_any(self: Pin<&mut Self>) -> Option<&mut dyn std::any::Any> {
            None
        }
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
    enum State<P, M, F> {
        Held { payload: P, make: M },
        Exiting { #[pin] exit: F },
        Done,
    }
}

pin_project! {
    /// An entry whose payload `P` becomes the exit future `F` through `make`.
    pub(crate) struct EntryFor<P, M, F> {
        #[pin]
        state: State<P, M, F>,
    }
}

impl<P, M, F> EntryFor<P, M, F>
where
    M: FnOnce(P, Outcome) -> F,
    F: Future<Output = Result<Exit, Error>>,
{
    pub(crate) fn new(payload: P, make: M) -> Self {
        Self {
            state: State::Held { payload, make },
        }
    }

    /// The payload, while the exit has not started.
    pub(crate) fn payload(self: Pin<&mut Self>) -> Option<&mut P> {
        match self.project().state.project() {
            StateProj::Held { payload, .. } => Some(payload),
            _ => None,
        }
    }
}

impl<P, M, F> sealed::EntryImpl for EntryFor<P, M, F>
where
    M: FnOnce(P, Outcome) -> F,
    F: Future<Output = Result<Exit, Error>>,
{
    fn poll_exit(
        self: Pin<&mut Self>,
        told: Told<'_>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Exit, Error>> {
        let mut state = self.project().state;
        if let StateProj::Held { .. } = state.as_mut().project() {
            // `Done` while `make` runs: if it panics, the exit counts as
            // started and is never made again.
            let StateOwned::Held { payload, make } = state.as_mut().project_replace(State::Done)
            else {
                unreachable!("the state was just seen held");
            };
            state.set(State::Exiting {
                exit: make(payload, told.outcome()),
            });
        }
        match state.project() {
            StateProj::Exiting { exit } => exit.poll(cx),
            _ => unreachable!("an entry is polled until its exit ends, then dropped"),
        }
    }

    fn started(&self) -> bool {
        !matches!(self.state, State::Held { .. })
    }
}
