//! A registered cleanup that runs to completion when it starts: a
//! synchronous callback, or a value whose `Drop` is its cleanup.
//!
//! Nothing in it is awaited, so a stack dropped before it was closed runs
//! it right there, told [`Outcome::Cancelled`], instead of reporting it as
//! skipped.

use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::entry::{Told, sealed};
use crate::{Error, Exit, Outcome};

pin_project! {
    /// An entry whose payload `P` is cleaned up by `M`, synchronously.
    pub(crate) struct SyncEntry<P, M> {
        // Taken when the cleanup starts: a cleanup that panics has started,
        // and never runs again.
        held: Option<(P, M)>,
    }
}

impl<P, M> SyncEntry<P, M>
where
    M: FnOnce(P, Outcome) -> Result<Exit, Error>,
{
    pub(crate) fn new(payload: P, cleanup: M) -> Self {
        Self {
            held: Some((payload, cleanup)),
        }
    }

    /// The payload, while the cleanup has not started.
    pub(crate) fn payload(self: Pin<&mut Self>) -> Option<&mut P> {
        self.project().held.as_mut().map(|(payload, _)| payload)
    }
}

impl<P, M> sealed::EntryImpl for SyncEntry<P, M>
where
    M: FnOnce(P, Outcome) -> Result<Exit, Error>,
{
    fn poll_exit(
        self: Pin<&mut Self>,
        told: Told<'_>,
        _cx: &mut Context<'_>,
    ) -> Poll<Result<Exit, Error>> {
        match self.project().held.take() {
            Some((payload, cleanup)) => Poll::Ready(cleanup(payload, told.outcome())),
            None => unreachable!("an entry is polled until its exit ends, then dropped"),
        }
    }

    fn started(&self) -> bool {
        self.held.is_none()
    }

    fn exit_now(self: Pin<&mut Self>) -> Option<Result<Exit, Error>> {
        let (payload, cleanup) = self.project().held.take()?;
        Some(cleanup(payload, Outcome::Cancelled))
    }
}
