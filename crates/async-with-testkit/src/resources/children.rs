//! Child processes: a child still running at the end of the block is
//! killed, and every child is reaped, so no zombie is left behind.

use std::io::{ErrorKind, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, mpsc};

use async_with::{Error, with, with_runtime};
use async_with_resources::process::{self, Processes, Spawn};
use tempfile::TempDir;

use super::{
    Resources, cancel_in_task, enter_fails, eventually_not_running, panics, pid_from,
    poll_once_then_drop, process_exists, process_running, reporting_pid,
};
use crate::Harness;
use crate::suite::eventually;

/// A child's directory, where it writes its pid.
struct Sandbox {
    dir: TempDir,
    pid_file: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        Sandbox { dir, pid_file }
    }

    /// The pid of the child, once it has written it.
    fn pid(&self) -> u32 {
        pid_from(&self.pid_file)
    }

    /// A context spawning `sh` with `script`, after it wrote its pid here;
    /// the receiver gets the status its exit reaps.
    fn spawn<R: Resources>(
        &self,
        script: &str,
    ) -> (
        Spawn<R::Processes, impl FnOnce(ExitStatus) + Send + 'static>,
        mpsc::Receiver<ExitStatus>,
    ) {
        let (tx, rx) = mpsc::channel();
        let command = reporting_pid(&self.pid_file, script).into();
        let ctx =
            process::spawn::<R::Processes>(command).on_exit(move |status| tx.send(status).unwrap());
        (ctx, rx)
    }
}

/// The child `pid` was killed with `SIGKILL` and reaped, and its status
/// reached `on_exit`.
fn killed_and_reaped(pid: u32, status: Option<ExitStatus>) {
    assert!(!process_exists(pid), "pid {pid} left behind");
    assert_eq!(status.expect("on_exit called").signal(), Some(9));
}

/// A child still running when the block ends is killed (`SIGKILL`) and
/// reaped, and `on_exit` gets its status.
pub fn child_still_running_is_killed_and_reaped_and_its_status_observed<R: Resources>() {
    let sandbox = Sandbox::new();
    let (ctx, statuses) = sandbox.spawn::<R>("exec sleep 30");
    assert!(format!("{ctx:?}").contains("sleep"), "{ctx:?}");
    let pid = R::Harness::block_on(with(ctx, async |_child| {
        let pid = sandbox.pid();
        assert!(process_running(pid));
        Ok(pid)
    }))
    .unwrap();
    killed_and_reaped(pid, statuses.try_recv().ok());
}

/// A child blocked reading a pipe the block wrote to is killed and reaped
/// when the block fails; the killed child is not an error.
pub fn child_reading_a_pipe_is_killed_and_reaped_when_the_block_fails<R: Resources>() {
    let sandbox = Sandbox::new();
    let fifo = sandbox.dir.path().join("input");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    let (cat, statuses) = sandbox.spawn::<R>(&format!("exec cat '{}' > /dev/null", fifo.display()));
    // The write end stays open past the block: cat waits for more input
    // until the exit kills it.
    let mut writer = None;
    let error = R::Harness::block_on(with(cat, async |_child| {
        // Opening the write end waits for cat to open the read end.
        let mut input = std::fs::OpenOptions::new().write(true).open(&fifo)?;
        input.write_all(b"x")?;
        writer = Some(input);
        Err::<(), _>(Error::msg("body failed"))
    }))
    .unwrap_err();
    drop(writer);
    assert_eq!(error.to_string(), "body failed");
    assert_eq!(error.len(), 1, "a killed child is not an error");
    killed_and_reaped(sandbox.pid(), statuses.try_recv().ok());
}

/// A child is killed and reaped when the block panics.
pub fn child_killed_when_the_block_panics<R: Resources>() {
    let sandbox = Sandbox::new();
    let (sleeper, statuses) = sandbox.spawn::<R>("exec sleep 30");
    assert!(panics::<R, _>(with(
        sleeper,
        async |_child| -> Result<(), Error> {
            sandbox.pid(); // the child is up
            panic!("boom");
        }
    )));
    killed_and_reaped(sandbox.pid(), statuses.try_recv().ok());
}

/// A child the block waited for is left as it is, and `on_exit` gets the
/// status the block saw.
pub fn child_waited_for_in_the_block_is_left_alone_and_its_status_kept<R: Resources>() {
    let sandbox = Sandbox::new();
    let (exits_3, statuses) = sandbox.spawn::<R>("exit 3");
    let status = R::Harness::block_on(with(exits_3, async |child| {
        Ok(Some(R::Processes::wait(child).await?))
    }))
    .unwrap()
    .unwrap();
    assert_eq!(status.code(), Some(3));
    assert_eq!(statuses.try_recv().unwrap().code(), Some(3));
}

/// A program that cannot be spawned fails the enter.
pub fn child_that_cannot_spawn_fails_the_enter<R: Resources>() {
    let missing = std::process::Command::new("/nonexistent/program");
    enter_fails::<R>(
        process::spawn::<R::Processes>(missing.into()),
        ErrorKind::NotFound,
    );
}

/// A scope dropped with no runtime to run its exit still leaves no child
/// running: the child is killed when its handle is dropped.
pub fn child_of_a_cancelled_scope_is_killed<R: Resources>() {
    let sandbox = Sandbox::new();
    let (sleeper, _) = sandbox.spawn::<R>("exec sleep 30");
    R::Harness::block_on(async {
        poll_once_then_drop(with(sleeper, async |_child| {
            sandbox.pid(); // the child is up
            std::future::pending::<()>().await;
            Ok(())
        }));
    });
    let pid = sandbox.pid();
    // Killed on drop; the runtime reaps it in the background, so only "no
    // longer running" is certain here.
    assert!(eventually_not_running(pid), "pid {pid} still running");
}

/// A scope bound to the runtime, dropped mid-block inside its task, still
/// kills and reaps the child, and `on_exit` gets its status: the runtime
/// runs the exit.
pub fn child_scope_cancelled_mid_block_is_still_killed_and_reaped<R: Resources>() {
    let sandbox = Sandbox::new();
    let (sleeper, statuses) = sandbox.spawn::<R>("exec sleep 30");
    let entered = Arc::new(AtomicBool::new(false));
    let entered_set = entered.clone();
    let pid_file = sandbox.pid_file.clone();
    let scope = with_runtime(R::Harness::runtime(), sleeper, async move |_child| {
        pid_from(&pid_file); // the child is up
        entered_set.store(true, SeqCst);
        std::future::pending::<()>().await;
        Ok(())
    });
    let mut status = None;
    R::Harness::block_on(async {
        cancel_in_task::<R>(scope, entered).await;
        eventually::<R::Harness>(|| {
            status = status.or(statuses.try_recv().ok());
            status.is_some()
        })
        .await;
    });
    killed_and_reaped(sandbox.pid(), status);
}
