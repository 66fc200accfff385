//! Child processes as contexts: a child still running when the block ends
//! is killed, and always waited for, so no zombie is left behind.
//!
//! Python's `asyncio` has no context manager for subprocesses; Trio's
//! `open_process` does, and this follows it: the block may wait for the
//! child itself, and the exit cleans up whatever is left.

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::process::ExitStatus;

use async_with::{AsyncContext, Error, Exit, Outcome};

/// A runtime's child processes: the calls [`Spawn`] makes. Implemented by
/// each adapter's runtime marker for its command and child types.
///
/// # Examples
///
/// The binding of the runtime-agnostic `async-process` crate (the smol and
/// async-std adapters'):
///
/// ```
/// use std::io;
/// use std::process::ExitStatus;
/// use async_process::{Child, Command};
/// use async_with_resources::process::{self, Processes};
///
/// #[derive(Debug)]
/// struct AsyncProcess;
///
/// impl Processes for AsyncProcess {
///     type Command = Command;
///     type Child = Child;
///
///     fn spawn(command: &mut Command) -> io::Result<Child> {
///         command.kill_on_drop(true).spawn()
///     }
///
///     fn try_wait(child: &mut Child) -> io::Result<Option<ExitStatus>> {
///         child.try_status()
///     }
///
///     fn kill(child: &mut Child) -> io::Result<()> {
///         child.kill()
///     }
///
///     async fn wait(child: &mut Child) -> io::Result<ExitStatus> {
///         child.status().await
///     }
/// }
///
/// # futures_lite::future::block_on(async {
/// let status = async_with::with(process::spawn::<AsyncProcess>(Command::new("true")), async |child| {
///     Ok(Some(child.status().await?))
/// })
/// .await?;
/// assert!(status.unwrap().success());
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub trait Processes: 'static {
    /// The runtime's command builder.
    type Command: fmt::Debug + Send + 'static;

    /// The runtime's child process.
    type Child: Send + 'static;

    /// Spawns `command` with the child set to be killed when its handle is
    /// dropped, so that a dropped scope leaves no child running.
    fn spawn(command: &mut Self::Command) -> io::Result<Self::Child>;

    /// The child's exit status if it has ended, without waiting.
    fn try_wait(child: &mut Self::Child) -> io::Result<Option<ExitStatus>>;

    /// Sends the child `SIGKILL` (`TerminateProcess` on Windows), without
    /// waiting for it to end.
    fn kill(child: &mut Self::Child) -> io::Result<()>;

    /// Waits for the child to end, which reaps it, and gives its status.
    fn wait(child: &mut Self::Child) -> impl Future<Output = io::Result<ExitStatus>> + Send;
}

/// A context that spawns `command` on runtime `B`; the block gets the
/// child, and the exit kills it if it is still running, then waits for it.
/// Adapters expose it as `process::spawn`.
///
/// # Examples
///
/// ```
/// use async_with_resources::process::{self, Processes, Spawn};
///
/// fn worker<B: Processes>(command: B::Command) -> Spawn<B> {
///     process::spawn(command)
/// }
/// ```
pub fn spawn<B: Processes>(command: B::Command) -> Spawn<B> {
    Spawn {
        command,
        on_exit: ignore_status,
        binding: PhantomData,
    }
}

fn ignore_status(_: ExitStatus) {}

/// A child process spawned on enter, and killed if still running and
/// waited for on exit, on runtime `B` ([`spawn`]).
///
/// - **Enter** spawns the command, set to be killed when its handle is
///   dropped; a spawn error (program not found) is the [`std::io::Error`]
///   itself, and no exit runs.
/// - **Exit** runs whatever the block's outcome. If the child is still
///   running it is killed (`SIGKILL` on Unix, `TerminateProcess` on
///   Windows); then the exit waits for it, which reaps it. A child the block
///   already waited for is left as it is.
/// - **Exit status**: the exit does not judge it. A child that failed, or
///   that the exit killed, is not an error: the status goes to the
///   [`on_exit`](Spawn::on_exit) callback, if any. To act on the status in
///   the block, wait for the child there. Only a failure to kill or wait
///   (an [`std::io::Error`]) joins the aggregate; a kill that fails because
///   the child ended meanwhile is no failure. The exit never suppresses.
///
/// # Examples
///
/// ```
/// use async_with_resources::process::{self, Processes, Spawn};
///
/// fn worker<B: Processes>(command: B::Command) -> Spawn<B> {
///     process::spawn(command)
/// }
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Spawn<B: Processes, F = fn(ExitStatus)> {
    command: B::Command,
    on_exit: F,
    binding: PhantomData<fn() -> B>,
}

// By hand: a closure `F` is not `Debug`, the context still is.
impl<B: Processes, F> fmt::Debug for Spawn<B, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawn")
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

impl<B: Processes, F> Spawn<B, F> {
    /// Calls `on_exit` with the child's exit status once the exit has reaped
    /// it, whether the child ended by itself, was waited for in the block, or
    /// was killed by the exit. It is not called when killing or waiting
    /// failed (that error reaches the caller instead).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::process::ExitStatus;
    /// use std::sync::mpsc::Sender;
    /// use async_with_resources::process::{self, Processes, Spawn};
    ///
    /// fn reported<B: Processes>(
    ///     command: B::Command,
    ///     statuses: Sender<ExitStatus>,
    /// ) -> Spawn<B, impl FnOnce(ExitStatus) + Send> {
    ///     process::spawn(command).on_exit(move |status| {
    ///         let _ = statuses.send(status);
    ///     })
    /// }
    /// ```
    pub fn on_exit<G: FnOnce(ExitStatus)>(self, on_exit: G) -> Spawn<B, G> {
        Spawn {
            command: self.command,
            on_exit,
            binding: PhantomData,
        }
    }
}

impl<B: Processes, F: FnOnce(ExitStatus) + Send> AsyncContext for Spawn<B, F> {
    type Resource = B::Child;

    async fn enter(&mut self) -> Result<B::Child, Error> {
        Ok(B::spawn(&mut self.command)?)
    }

    async fn exit(self, mut child: B::Child, _outcome: Outcome) -> Result<Exit, Error> {
        let status = match B::try_wait(&mut child)? {
            Some(status) => status,
            None => {
                if let Err(error) = B::kill(&mut child) {
                    // It may have ended between the two calls; only a child
                    // still running after a failed kill is an error.
                    if B::try_wait(&mut child)?.is_none() {
                        return Err(error.into());
                    }
                }
                B::wait(&mut child).await?
            }
        };
        (self.on_exit)(status);
        Ok(Exit::Propagate)
    }
}
