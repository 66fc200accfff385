//! The exits of one dropped scope or stack, as a future that runs them.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::tracker::Ticket;
use crate::diagnostics::{self, Hook};

/// A job's future, boxed so that jobs of every kind line up in one chain.
pub(crate) type BoxedExits = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The exits of one dropped scope or stack, as a future that runs them,
/// boxed: what chains hold.
pub(crate) type CleanupJob = Job<BoxedExits>;

pin_project! {
    /// The exits of one dropped scope or stack, as a future `F` that runs
    /// them.
    ///
    /// The future reports what it could not run when it is dropped
    /// unfinished; the job runs it, and drops it, with the diagnostics hook
    /// that was in scope where the exits were handed over.
    pub(crate) struct Job<F> {
        #[pin]
        future: Option<F>,
        hook: Option<Hook>,
        ticket: Option<Ticket>,
    }

    impl<F> PinnedDrop for Job<F> {
        fn drop(this: Pin<&mut Self>) {
            this.cut_off();
        }
    }
}

impl<F: Future<Output = ()> + Send + 'static> Job<F> {
    /// A job of `exits` exits that `future` runs.
    pub(crate) fn new(exits: usize, future: F) -> Self {
        Self {
            future: Some(future),
            hook: diagnostics::current_hook(),
            ticket: Some(Ticket::take(exits)),
        }
    }

    /// The same job, its future boxed.
    pub(crate) fn erase(mut self) -> CleanupJob {
        Job {
            future: self
                .future
                .take()
                .map(|future| Box::pin(future) as BoxedExits),
            hook: self.hook.take(),
            ticket: self.ticket.take(),
        }
    }
}

impl<F> Job<F> {
    /// A job with nothing to run.
    pub(super) fn empty() -> Self {
        Self {
            future: None,
            hook: None,
            ticket: None,
        }
    }

    /// Drops what is left of the future: it reports its own losses as it
    /// drops, under the hook of the place the exits came from. A resource
    /// whose `Drop` panics stops here, not in the runtime or in another job.
    pub(super) fn cut_off(self: Pin<&mut Self>) {
        let mut this = self.project();
        if this.future.is_some() {
            diagnostics::with_hook(this.hook.take(), || {
                let _ = catch_unwind(AssertUnwindSafe(|| this.future.set(None)));
            });
        }
    }
}

impl<F: Future<Output = ()>> Future for Job<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let Some(future) = this.future.as_mut().as_pin_mut() else {
            return Poll::Ready(());
        };
        let polled = match &this.hook {
            None => future.poll(cx),
            Some(hook) => diagnostics::with_hook(Some(hook.clone()), || future.poll(cx)),
        };
        if polled.is_ready() {
            this.future.set(None);
        }
        polled
    }
}

/// Jobs to run in order: the first in place, a queue only from the second.
#[derive(Default)]
pub(super) struct Jobs {
    first: Option<CleanupJob>,
    rest: VecDeque<CleanupJob>,
}

impl Jobs {
    pub(super) fn one(job: CleanupJob) -> Self {
        Self {
            first: Some(job),
            rest: VecDeque::new(),
        }
    }

    pub(super) fn push(&mut self, job: CleanupJob) {
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(job);
        } else {
            self.rest.push_back(job);
        }
    }

    pub(super) fn append(&mut self, mut later: Jobs) {
        while let Some(job) = later.pop() {
            self.push(job);
        }
    }

    pub(super) fn pop(&mut self) -> Option<CleanupJob> {
        self.first.take().or_else(|| self.rest.pop_front())
    }
}
