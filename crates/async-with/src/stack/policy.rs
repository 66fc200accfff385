//! What a dropped stack does with the exits it did not run.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use super::arena::Arena;
use super::drain::drain_cancelled;
use super::entry::sealed::EntryImpl;
use super::{Flavor, Sendable};
use crate::diagnostics;
use crate::handover::{self, Job, NotedTask, Origin};
use crate::runtime::report_detached_exit;
use crate::{NoRuntime, Runtime};

/// What an [`ExitStack`](crate::ExitStack) does with the exits it still
/// holds when it is dropped (its scope was cancelled, or it was never
/// closed). Rust cannot await in `Drop`.
///
/// [`NoRuntime`] drops the entries newest first (their resources'
/// synchronous `Drop` runs) and reports how many exits were skipped. Every
/// [`Runtime`] runs them on the runtime instead, newest first, told
/// [`Outcome::Cancelled`](crate::Outcome::Cancelled), for stacks of `Send` parts.
///
/// # Examples
///
/// ```
/// use async_with::{ExitStack, NoRuntime, nullcontext};
/// # futures_lite::future::block_on(async {
/// # async_with::diagnostics::set_hook(|_| {});
/// let before = async_with::diagnostics::skipped_exits();
/// let stack: ExitStack = ExitStack::with_policy(NoRuntime);
/// stack.enter(nullcontext(())).await?;
/// drop(stack); // never closed: the exit is skipped and reported
/// assert!(async_with::diagnostics::skipped_exits() > before);
/// # async_with::diagnostics::reset_hook();
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub trait StackPolicy<K: Flavor> {
    /// Whether [`cancelled`](StackPolicy::cancelled) hands the exits over to
    /// run later (a [`Runtime`] does): the stack then notes the task that
    /// first enters into it, to chain its exits after that task's others.
    const HANDS_OVER: bool = false;

    /// Takes over the exits of a dropped stack. Runs inside `Drop`: must not
    /// block or panic.
    fn cancelled(&self, exits: PendingExits<K>);
}

impl<K: Flavor> StackPolicy<K> for NoRuntime {
    fn cancelled(&self, exits: PendingExits<K>) {
        exits.drop_synchronously();
    }
}

impl<R: Runtime> StackPolicy<Sendable> for R {
    const HANDS_OVER: bool = true;

    fn cancelled(&self, mut exits: PendingExits<Sendable>) {
        let origin = match exits.task.take() {
            Some(noted) => Origin::Stack(noted),
            None => Origin::Unknown,
        };
        // Dropped before it finished (the runtime shut down), the job drops
        // the entries left and reports them.
        let job = Job::new(exits.len(), exits.run()).erase();
        handover::hand_over(self, job, origin);
    }
}

/// The exits a dropped stack did not run, newest last.
///
/// # Examples
///
/// See [`StackPolicy`].
pub struct PendingExits<K: Flavor> {
    arena: Arena<K::Entry>,
    /// The task that first entered into the stack, and when.
    task: Option<NotedTask>,
}

impl<K: Flavor> PendingExits<K> {
    pub(crate) fn new(arena: Arena<K::Entry>, task: Option<NotedTask>) -> Self {
        Self { arena, task }
    }

    /// How many exits are left.
    ///
    /// # Examples
    ///
    /// See [`StackPolicy`].
    pub fn len(&self) -> usize {
        self.arena.len()
    }

    /// Whether none is left.
    ///
    /// # Examples
    ///
    /// See [`StackPolicy`].
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs every exit, newest first, told [`Outcome::Cancelled`](crate::Outcome::Cancelled); what they
    /// raise goes to [`diagnostics`], since no caller is left.
    ///
    /// # Examples
    ///
    /// See [`StackPolicy`].
    pub async fn run(mut self) {
        drain_cancelled(&mut self.arena, report_detached_exit).await;
    }

    /// Drops every entry, newest first, and reports the skipped exits.
    /// A synchronous cleanup ([`push_sync_callback`], [`push_drop`]) needs
    /// no awaiting, so it runs instead, told
    /// [`Outcome::Cancelled`](crate::Outcome::Cancelled); its error or
    /// panic is reported.
    ///
    /// An entry whose resource panics in `Drop` does not stop the others:
    /// every entry is dropped and reported, then the first such panic
    /// resumes (unless a panic is already unwinding).
    ///
    /// [`push_sync_callback`]: crate::ExitStack::push_sync_callback
    /// [`push_drop`]: crate::ExitStack::push_drop
    ///
    /// # Examples
    ///
    /// See [`StackPolicy`].
    pub fn drop_synchronously(self) {
        drop(self);
    }
}

impl<K: Flavor> Drop for PendingExits<K> {
    fn drop(&mut self) {
        let (mut skipped, mut interrupted) = (0, 0);
        let mut first_panic = None;
        while let Some(mut entry) = self.arena.top() {
            match catch_unwind(AssertUnwindSafe(|| entry.as_mut().exit_now())) {
                Ok(Some(exited)) => report_detached_exit(Ok(exited)),
                Err(payload) => report_detached_exit(Err(payload)),
                Ok(None) if entry.started() => interrupted += 1,
                Ok(None) => skipped += 1,
            }
            let dropped = catch_unwind(AssertUnwindSafe(|| self.arena.drop_top()));
            if let Err(payload) = dropped {
                first_panic.get_or_insert(payload);
            }
        }
        diagnostics::report_skipped_exits(skipped);
        diagnostics::report_interrupted_exits(interrupted);
        if let Some(payload) = first_panic {
            if !std::thread::panicking() {
                resume_unwind(payload);
            }
        }
    }
}

impl<K: Flavor> fmt::Debug for PendingExits<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingExits")
            .field("len", &self.len())
            .finish()
    }
}
