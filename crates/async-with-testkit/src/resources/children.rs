//! Child processes: a child still running at the end of the block is
//! killed, and every child is reaped, so no zombie is left behind.

use std::io::{ErrorKind, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, mpsc};

use async_with::{Error, with, with_runtime};
use async_with_resources::process::{self, Processes};

use super::{
    Resources, cancel_in_task, eventually_not_running, panics, pid_from, poll_once_then_drop,
    process_exists, process_running, reporting_pid,
};
use crate::Harness;
use crate::suite::eventually;

/// The runtime's command for `sh`, running `script` after writing its pid
/// to `pid_file`.
fn command<R: Resources>(pid_file: &Path, script: &str) -> <R::Processes as Processes>::Command {
    reporting_pid(pid_file, script).into()
}

/// A child still running when the block ends is killed (`SIGKILL`) and
/// reaped, and `on_exit` gets its status.
pub fn child_still_running_is_killed_and_reaped_and_its_status_observed<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let (tx, rx) = mpsc::channel::<ExitStatus>();
    let ctx = process::spawn::<R::Processes>(command::<R>(&pid_file, "exec sleep 30"))
        .on_exit(move |status| tx.send(status).unwrap());
    assert!(format!("{ctx:?}").contains("sleep"), "{ctx:?}");
    let pid = R::Harness::block_on(with(ctx, async |_child| {
        let pid = pid_from(&pid_file);
        assert!(process_running(pid));
        Ok(pid)
    }))
    .unwrap();
    assert!(!process_exists(pid), "pid {pid} left behind");
    assert_eq!(rx.try_recv().unwrap().signal(), Some(9));
}

/// A child blocked reading a pipe the block wrote to is killed and reaped
/// when the block fails; the killed child is not an error.
pub fn child_reading_a_pipe_is_killed_and_reaped_when_the_block_fails<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let fifo = dir.path().join("input");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (tx, rx) = mpsc::channel::<ExitStatus>();
    let cat = command::<R>(
        &pid_file,
        &format!("exec cat '{}' > /dev/null", fifo.display()),
    );
    let mut pid = 0;
    // The write end stays open past the block: cat waits for more input
    // until the exit kills it.
    let mut writer = None;
    let error = R::Harness::block_on(with(
        process::spawn::<R::Processes>(cat).on_exit(move |status| tx.send(status).unwrap()),
        async |_child| {
            pid = pid_from(&pid_file);
            // Opening the write end waits for cat to open the read end.
            let mut input = std::fs::OpenOptions::new().write(true).open(&fifo)?;
            input.write_all(b"x")?;
            writer = Some(input);
            Err::<(), _>(Error::msg("body failed"))
        },
    ))
    .unwrap_err();
    drop(writer);
    assert_eq!(error.to_string(), "body failed");
    assert_eq!(error.len(), 1, "a killed child is not an error");
    assert!(!process_exists(pid), "pid {pid} left behind");
    assert_eq!(rx.try_recv().unwrap().signal(), Some(9));
}

/// A child is killed and reaped when the block panics.
pub fn child_killed_when_the_block_panics<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let (tx, rx) = mpsc::channel::<ExitStatus>();
    assert!(panics::<R, _>(with(
        process::spawn::<R::Processes>(command::<R>(&pid_file, "exec sleep 30"))
            .on_exit(move |status| tx.send(status).unwrap()),
        async |_child| -> Result<(), Error> {
            pid_from(&pid_file);
            panic!("boom");
        },
    )));
    let pid = pid_from(&pid_file);
    assert!(!process_exists(pid), "pid {pid} left behind");
    assert_eq!(rx.try_recv().unwrap().signal(), Some(9));
}

/// A child the block waited for is left as it is, and `on_exit` gets the
/// status the block saw.
pub fn child_waited_for_in_the_block_is_left_alone_and_its_status_kept<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let (tx, rx) = mpsc::channel::<ExitStatus>();
    let status = R::Harness::block_on(with(
        process::spawn::<R::Processes>(command::<R>(&pid_file, "exit 3"))
            .on_exit(move |status| tx.send(status).unwrap()),
        async |child| Ok(Some(R::Processes::wait(child).await?)),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(status.code(), Some(3));
    assert_eq!(rx.try_recv().unwrap().code(), Some(3));
}

/// A program that cannot be spawned fails the enter.
pub fn child_that_cannot_spawn_fails_the_enter<R: Resources>() {
    let missing = std::process::Command::new("/nonexistent/program");
    let error = R::Harness::block_on(with(
        process::spawn::<R::Processes>(missing.into()),
        async |_| Ok(()),
    ))
    .unwrap_err();
    assert_eq!(
        error.downcast::<std::io::Error>().unwrap().kind(),
        ErrorKind::NotFound
    );
}

/// A scope dropped with no runtime to run its exit still leaves no child
/// running: the child is killed when its handle is dropped.
pub fn child_of_a_cancelled_scope_is_killed<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let mut pid = 0;
    R::Harness::block_on(async {
        let sleeper = process::spawn::<R::Processes>(command::<R>(&pid_file, "exec sleep 30"));
        poll_once_then_drop(with(sleeper, async |_child| {
            pid = pid_from(&pid_file);
            std::future::pending::<()>().await;
            Ok(())
        }));
    });
    assert_ne!(pid, 0);
    // Killed on drop; the runtime reaps it in the background, so only "no
    // longer running" is certain here.
    assert!(eventually_not_running(pid), "pid {pid} still running");
}

/// A scope bound to the runtime, dropped mid-block inside its task, still
/// kills and reaps the child, and `on_exit` gets its status: the runtime
/// runs the exit.
pub fn child_scope_cancelled_mid_block_is_still_killed_and_reaped<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let (status_tx, status_rx) = mpsc::channel::<ExitStatus>();
    let ctx = process::spawn::<R::Processes>(command::<R>(&pid_file, "exec sleep 30"))
        .on_exit(move |status| status_tx.send(status).unwrap());
    let entered = Arc::new(AtomicBool::new(false));
    let entered_set = entered.clone();
    let reported = pid_file.clone();
    let scope = with_runtime(R::Harness::runtime(), ctx, async move |_child| {
        pid_from(&reported); // the child is up
        entered_set.store(true, SeqCst);
        std::future::pending::<()>().await;
        Ok(())
    });
    let mut status = None;
    R::Harness::block_on(async {
        cancel_in_task::<R>(
            async move {
                let _ = scope.await;
            },
            entered,
        )
        .await;
        eventually::<R::Harness>(|| {
            status = status.or(status_rx.try_recv().ok());
            status.is_some()
        })
        .await;
    });
    let pid = pid_from(&pid_file);
    assert_eq!(status.expect("on_exit called").signal(), Some(9));
    assert!(!process_exists(pid), "pid {pid} left behind");
}
