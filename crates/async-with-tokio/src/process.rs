//! Child processes as contexts: a child still running when the block ends
//! is killed, and always waited for, so no zombie is left behind.
//!
//! Python's `asyncio` has no context manager for subprocesses; Trio's
//! `open_process` does, and this follows it: the block may wait for the
//! child itself, and the exit cleans up whatever is left.

// The items are `async_with_resources::process`'s, with tokio filled in;
// their docs are this runtime's.
async_with_resources::processes!(crate::Tokio: tokio::process, try_wait = try_wait, kill = start_kill, wait = wait);
async_with_resources::process_items!(mod bound for crate::Tokio, tokio::process::Command);

/// A context that spawns `command`; the block gets the
/// [`tokio::process::Child`], and the exit kills the child if it is still
/// running, then waits for it.
///
/// # Examples
///
/// Wait for the child in the block to get its status:
///
/// ```
/// use async_with_tokio::with;
/// use tokio::process::Command;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let status = with(async_with_tokio::process::spawn(Command::new("true")), async |child| {
///     Ok(Some(child.wait().await?))
/// })
/// .await?;
/// assert!(status.unwrap().success());
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
///
/// A child still running at the end of the block is killed:
///
/// ```
/// use std::os::unix::process::ExitStatusExt;
/// use std::sync::mpsc;
/// use async_with_tokio::with;
/// use tokio::process::Command;
///
/// let mut sleep = Command::new("sleep");
/// sleep.arg("30");
/// let (tx, rx) = mpsc::channel();
/// let sleeper = async_with_tokio::process::spawn(sleep).on_exit(move |status| {
///     let _ = tx.send(status);
/// });
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// with(sleeper, async |child| {
///     assert!(child.id().is_some()); // running
///     Ok(())
/// })
/// .await?;
/// # Ok::<(), async_with::Error>(()) })?;
/// assert_eq!(rx.recv()?.signal(), Some(9)); // SIGKILL
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use bound::spawn;

/// The context [`spawn`] returns.
///
/// - **Enter** spawns the command with
///   [`kill_on_drop`](tokio::process::Command::kill_on_drop) set; a spawn error (program not
///   found) is the [`std::io::Error`] itself, and no exit runs.
/// - **Exit** runs whatever the block's outcome. If the child is still
///   running it is killed (`SIGKILL` on Unix, `TerminateProcess` on
///   Windows); then the exit waits for it, which reaps it. A child the block
///   already waited for is left as it is.
/// - **Exit status**: the exit does not judge it. A child that failed, or
///   that the exit killed, is not an error: the status goes to the
///   [`on_exit`](Spawn::on_exit) callback, if any. To act on the status in
///   the block, `child.wait().await` there. Only a failure to kill or wait
///   (an [`std::io::Error`]) joins the aggregate. The exit never suppresses.
/// - **Cancellation**: with this crate's [`with`](crate::with), a scope
///   dropped mid-way still kills and waits for the child, on tokio, and
///   `on_exit` gets its status. Through the core's `async_with::with` (no
///   runtime) the child is dropped: `kill_on_drop` kills it and
///   tokio reaps it in the background, best-effort; `on_exit` is not called.
///
/// # Examples
///
/// [`on_exit`](Spawn::on_exit) gets the status of a child, here one the
/// block waited for:
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use async_with_tokio::with;
/// use tokio::process::Command;
///
/// let status = Arc::new(Mutex::new(None));
/// let keep = status.clone();
/// let ctx = async_with_tokio::process::spawn(Command::new("false"))
///     .on_exit(move |s| *keep.lock().unwrap() = Some(s));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// with(ctx, async |child| {
///     child.wait().await?;
///     Ok(())
/// })
/// .await?;
/// # Ok::<(), async_with::Error>(()) })?;
/// assert_eq!(status.lock().unwrap().unwrap().code(), Some(1));
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use bound::Spawn;
