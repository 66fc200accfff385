//! Closing a stack: its exits run newest first, each awaited, with one
//! panic catch around each poll of the whole loop rather than one per exit.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::Entry;
use super::arena::Arena;
use super::entry::Told;
use crate::Exit;
use crate::cancel_scope::poll_unstoppable;
use crate::unwind::Unwind;

/// Runs every exit left in an arena, newest first, recording how each ended.
///
/// Exits are never stopped by a cancel scope, and hold it back from the
/// scopes around them while suspended (see `cancel_scope`). Dropped while an
/// exit is suspended, the drain drops that exit, which never runs again;
/// the exits still in the arena stay there for a later close.
pub(crate) struct Drain<'a, D: ?Sized> {
    arena: &'a mut Arena<D>,
    state: &'a mut Unwind,
    /// The exit being run: taken from the arena, dropped once it ended.
    current: Option<Pin<Box<D>>>,
}

impl<'a, D: ?Sized + Entry> Drain<'a, D> {
    pub(crate) fn new(arena: &'a mut Arena<D>, state: &'a mut Unwind) -> Self {
        Self {
            arena,
            state,
            current: None,
        }
    }

    /// Runs exits until one is suspended or none is left. A panic leaves the
    /// exit that raised it in `current`.
    fn run(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            let Self {
                arena,
                state,
                current,
            } = self;
            let entry = match current {
                Some(entry) => entry,
                None => match arena.pop() {
                    Some(entry) => current.insert(entry),
                    None => return Poll::Ready(()),
                },
            };
            let exited = ready!(entry.as_mut().poll_exit(Told::ended(state), cx));
            // The exit's future goes first: it may share the pending error,
            // which `record_exit` then takes back unshared.
            *current = None;
            // An exit that propagates changes nothing: the common case.
            if !matches!(exited, Ok(Exit::Propagate)) {
                state.record_exit(Ok(exited));
            }
        }
    }
}

impl<D: ?Sized + Entry> Future for Drain<'_, D> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            let polled =
                panic::catch_unwind(AssertUnwindSafe(|| poll_unstoppable(|| this.run(cx))));
            match polled {
                Ok(polled) => return polled,
                Err(payload) => {
                    // The exit that panicked counts as run: drop it (a panic
                    // in its `Drop` is a second panic) and go on with the rest.
                    let dropped = panic::catch_unwind(AssertUnwindSafe(|| this.current = None));
                    this.state.record_exit(Err(payload));
                    if let Err(payload) = dropped {
                        this.state.record_exit(Err(payload));
                    }
                }
            }
        }
    }
}
