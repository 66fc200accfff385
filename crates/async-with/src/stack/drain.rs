//! Closing a stack: its exits run newest first, each awaited, with one
//! panic catch around each poll of the whole loop rather than one per exit.

use std::future::{Future, poll_fn};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::Entry;
use super::arena::Arena;
use super::entry::Told;
use crate::Exit;
use crate::cancel_scope::poll_unstoppable;
use crate::panic::CatchUnwind;
use crate::unwind::{Ended, Unwind};

/// Runs every exit left in an arena, newest first, recording how each ended.
///
/// Each exit runs where its entry lives, and its entry is dropped as soon as
/// it ended. Exits are never stopped by a cancel scope, and hold it back
/// from the scopes around them while suspended (see `cancel_scope`). Dropped
/// while an exit is suspended, the drain drops that exit, which never runs
/// again; the exits below it stay in the arena for a later close.
pub(crate) struct Drain<'a, D: ?Sized + Entry> {
    arena: &'a mut Arena<D>,
    state: &'a mut Unwind,
}

impl<'a, D: ?Sized + Entry> Drain<'a, D> {
    pub(crate) fn new(arena: &'a mut Arena<D>, state: &'a mut Unwind) -> Self {
        Self { arena, state }
    }

    /// Runs exits until one is suspended or none is left. A panic leaves the
    /// exit that raised it on top, started.
    fn run(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Self { arena, state } = self;
        while let Some(entry) = arena.top() {
            let exited = ready!(entry.poll_exit(Told::ended(state), cx));
            // The exit's future goes first: it may share the pending error,
            // which `record_exit` then takes back unshared.
            arena.drop_top();
            // An exit that propagates changes nothing: the common case.
            if !matches!(exited, Ok(Exit::Propagate)) {
                state.record_exit(Ok(exited));
            }
        }
        Poll::Ready(())
    }

    /// Drops the exit on top if it started: it is then the one that
    /// panicked or was suspended, and never runs again. An entry whose own
    /// `Drop` panicked has already left the arena; the one below it has not
    /// started, and stays.
    fn drop_started(&mut self) {
        if self.arena.top().is_some_and(|entry| entry.started()) {
            self.arena.drop_top();
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
                    let dropped = panic::catch_unwind(AssertUnwindSafe(|| this.drop_started()));
                    this.state.record_exit(Err(payload));
                    if let Err(payload) = dropped {
                        this.state.record_exit(Err(payload));
                    }
                }
            }
        }
    }
}

impl<D: ?Sized + Entry> Drop for Drain<'_, D> {
    fn drop(&mut self) {
        self.drop_started();
    }
}

/// Runs every exit left in `arena`, newest first, each told
/// [`Outcome::Cancelled`](crate::Outcome::Cancelled), and hands how each
/// ended (a panic caught) to `ended`, once its entry is dropped: for a
/// dropped stack's exits run on a runtime, and for a stack closed as a
/// context told it was cancelled.
pub(crate) async fn drain_cancelled<D: ?Sized + Entry>(
    arena: &mut Arena<D>,
    mut ended: impl FnMut(Ended<Exit>),
) {
    while let Some(mut entry) = arena.top() {
        let exit = poll_fn(|cx| entry.as_mut().poll_exit(Told::CANCELLED, cx));
        let exited = CatchUnwind::new(exit).await;
        arena.drop_top();
        ended(exited);
    }
}
