//! smol's real resources as contexts: after each exit the test checks what
//! a user would see on the resource itself (bytes on disk, end-of-file at
//! the peer, the child reaped, the lock free).
//!
//! Linux only: processes are checked in `/proc`, flush failures come from
//! `/dev/full`.
#![cfg(target_os = "linux")]

use std::future::Future;
use std::io::{ErrorKind, Read};
use std::os::fd::AsFd;
use std::os::unix::process::ExitStatusExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use async_with::{Error, with};
use async_with_smol::{fs, net, process, sync};
use async_with_testkit::resources::{
    Peer, eventually_not_running, poll_once_then_drop, process_exists, process_running,
    refused_addr,
};
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::lock::{Mutex, Semaphore};
use smol::process::Command;

fn run<F: Future>(future: F) -> F::Output {
    smol::block_on(future)
}

fn panics<F: Future>(future: F) -> bool {
    catch_unwind(AssertUnwindSafe(|| run(future))).is_err()
}

fn write_options() -> smol::fs::OpenOptions {
    let mut options = smol::fs::OpenOptions::new();
    options.write(true);
    options
}

// ---- files ----

#[test]
fn file_bytes_are_on_disk_after_the_exit_without_a_flush_in_the_block() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    run(with(fs::create(&path), async |file| {
        file.write_all(b"hello ").await?;
        file.write_all(b"world").await?;
        Ok(())
    }))
    .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"hello world");
}

#[test]
fn file_is_flushed_when_the_block_fails_and_the_block_error_reaches_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.txt");
    let error = run(with(fs::create(&path), async |file| {
        file.write_all(b"partial").await?;
        Err::<(), _>(Error::msg("parse failed"))
    }))
    .unwrap_err();
    assert_eq!(error.len(), 1);
    assert_eq!(error.to_string(), "parse failed");
    assert_eq!(std::fs::read(&path).unwrap(), b"partial");
}

#[test]
fn file_is_flushed_when_the_block_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("panicked.txt");
    assert!(panics(with(
        fs::create(&path),
        async |file| -> Result<(), Error> {
            file.write_all(b"before the panic").await?;
            panic!("boom");
        }
    )));
    assert_eq!(std::fs::read(&path).unwrap(), b"before the panic");
}

#[test]
fn file_flush_failure_is_the_exit_error_after_the_block_error() {
    // /dev/full accepts the write (async-fs writes on a thread) and
    // fails it with "no space left" when the exit flushes.
    let error = run(with(
        fs::open_with(write_options(), "/dev/full"),
        async |file| {
            file.write_all(b"lost").await?;
            Err::<(), _>(Error::msg("parse failed"))
        },
    ))
    .unwrap_err();
    let messages: Vec<String> = error.errors().map(|e| e.to_string()).collect();
    assert_eq!(messages[0], "parse failed", "{messages:?}");
    let storage_full = error.errors().skip(1).any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == ErrorKind::StorageFull)
    });
    assert!(storage_full, "{messages:?}");
}

#[test]
fn file_flush_failure_alone_is_an_io_error() {
    let error = run(with(
        fs::open_with(write_options(), "/dev/full").sync_on_exit(false),
        async |file| {
            file.write_all(b"lost").await?;
            Ok(())
        },
    ))
    .unwrap_err();
    let io = error.downcast::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), ErrorKind::StorageFull);
}

#[test]
fn file_open_reads_and_a_missing_file_fails_the_enter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "remember").unwrap();
    let text = run(with(fs::open(&path), async |file| {
        let mut text = String::new();
        file.read_to_string(&mut text).await?;
        Ok(text)
    }))
    .unwrap();
    assert_eq!(text, "remember");

    let mut ran = false;
    let error = run(with(fs::open(dir.path().join("missing")), async |_| {
        ran = true;
        Ok(())
    }))
    .unwrap_err();
    assert!(!ran);
    assert_eq!(
        error.downcast::<std::io::Error>().unwrap().kind(),
        ErrorKind::NotFound
    );
}

// ---- TCP ----

#[test]
fn tcp_peer_sees_eof_after_the_exit_while_the_socket_is_still_open() {
    let peer = Peer::start();
    // A duplicate of the socket outlives the scope: the peer can only see
    // end-of-file because the exit shut the write half down.
    let mut kept = None;
    run(with(net::connect(peer.addr), async |stream| {
        stream.write_all(b"PING").await?;
        kept = Some(std::net::TcpStream::from(
            stream.as_fd().try_clone_to_owned()?,
        ));
        Ok(())
    }))
    .unwrap();
    let report = peer.report();
    assert!(report.saw_eof);
    assert_eq!(report.received, b"PING");
    // The read half is still open: the peer's reply arrives.
    let mut reply = String::new();
    kept.unwrap().read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "bye");
}

#[test]
fn tcp_peer_sees_eof_when_the_block_fails() {
    let peer = Peer::start();
    let mut kept = None;
    let error = run(with(net::connect(peer.addr), async |stream| {
        stream.write_all(b"half a req").await?;
        kept = Some(std::net::TcpStream::from(
            stream.as_fd().try_clone_to_owned()?,
        ));
        Err::<(), _>(Error::msg("gave up"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "gave up");
    let report = peer.report();
    assert!(report.saw_eof);
    assert_eq!(report.received, b"half a req");
    drop(kept);
}

#[test]
fn tcp_refused_connection_fails_the_enter() {
    let addr = refused_addr();
    let mut ran = false;
    let error = run(with(net::connect(addr), async |_| {
        ran = true;
        Ok(())
    }))
    .unwrap_err();
    assert!(!ran);
    assert_eq!(
        error.downcast::<std::io::Error>().unwrap().kind(),
        ErrorKind::ConnectionRefused
    );
}

#[test]
fn tcp_stream_already_connected_is_shut_down_on_exit() {
    let peer = Peer::start();
    let connected = std::net::TcpStream::connect(peer.addr).unwrap();
    connected.set_nonblocking(true).unwrap();
    let mut kept = None;
    run(async {
        let stream = smol::net::TcpStream::try_from(connected)?;
        with(net::shutdown_on_exit(stream), async |stream| {
            stream.write_all(b"HELLO").await?;
            kept = Some(std::net::TcpStream::from(
                stream.as_fd().try_clone_to_owned()?,
            ));
            Ok(())
        })
        .await
    })
    .unwrap();
    let report = peer.report();
    assert!(report.saw_eof);
    assert_eq!(report.received, b"HELLO");
    drop(kept);
}

// ---- child processes ----

fn sleep_30() -> Command {
    let mut command = Command::new("sleep");
    command.arg("30");
    command
}

#[test]
fn child_still_running_is_killed_and_reaped_and_its_status_observed() {
    let (tx, rx) = mpsc::channel::<ExitStatus>();
    let ctx = process::spawn(sleep_30()).on_exit(move |status| tx.send(status).unwrap());
    assert!(format!("{ctx:?}").contains("sleep"), "{ctx:?}");
    let pid = run(with(ctx, async |child| {
        let pid = child.id();
        assert!(process_running(pid));
        Ok(pid)
    }))
    .unwrap();
    assert!(!process_exists(pid), "pid {pid} left behind");
    assert_eq!(rx.try_recv().unwrap().signal(), Some(9));
}

#[test]
fn child_waiting_on_stdin_is_killed_and_reaped_when_the_block_fails() {
    let mut cat = Command::new("cat");
    cat.stdin(Stdio::piped()).stdout(Stdio::null());
    let (tx, rx) = mpsc::channel::<ExitStatus>();
    let mut pid = 0;
    let error = run(with(
        process::spawn(cat).on_exit(move |status| tx.send(status).unwrap()),
        async |child| {
            pid = child.id();
            child.stdin.as_mut().unwrap().write_all(b"x").await?;
            Err::<(), _>(Error::msg("body failed"))
        },
    ))
    .unwrap_err();
    assert_eq!(error.to_string(), "body failed");
    assert_eq!(error.len(), 1, "a killed child is not an error");
    assert!(!process_exists(pid), "pid {pid} left behind");
    assert_eq!(rx.try_recv().unwrap().signal(), Some(9));
}

#[test]
fn child_killed_when_the_block_panics() {
    let (tx, rx) = mpsc::channel::<ExitStatus>();
    let (pid_tx, pid_rx) = mpsc::channel::<u32>();
    assert!(panics(with(
        process::spawn(sleep_30()).on_exit(move |status| tx.send(status).unwrap()),
        async |child| -> Result<(), Error> {
            pid_tx.send(child.id()).unwrap();
            panic!("boom");
        },
    )));
    let pid = pid_rx.try_recv().unwrap();
    assert!(!process_exists(pid), "pid {pid} left behind");
    assert_eq!(rx.try_recv().unwrap().signal(), Some(9));
}

#[test]
fn child_waited_for_in_the_block_is_left_alone_and_its_status_kept() {
    let (tx, rx) = mpsc::channel::<ExitStatus>();
    let mut exit_code = Command::new("sh");
    exit_code.args(["-c", "exit 3"]);
    let status = run(with(
        process::spawn(exit_code).on_exit(move |status| tx.send(status).unwrap()),
        async |child| Ok(Some(child.status().await?)),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(status.code(), Some(3));
    assert_eq!(rx.try_recv().unwrap().code(), Some(3));
}

#[test]
fn child_that_cannot_spawn_fails_the_enter() {
    let error = run(with(
        process::spawn(Command::new("/nonexistent/program")),
        async |_| Ok(()),
    ))
    .unwrap_err();
    assert_eq!(
        error.downcast::<std::io::Error>().unwrap().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn child_of_a_cancelled_scope_is_killed() {
    let mut pid = 0;
    run(async {
        poll_once_then_drop(with(process::spawn(sleep_30()), async |child| {
            pid = child.id();
            std::future::pending::<()>().await;
            Ok(())
        }));
    });
    assert_ne!(pid, 0);
    // Killed on drop; async-process reaps it in the background, so only
    // "no longer running" is certain here.
    assert!(eventually_not_running(pid), "pid {pid} still running");
}

// ---- locks ----

#[test]
fn arc_mutex_is_held_in_the_block_and_free_after_success_error_and_panic() {
    let mutex = Arc::new(Mutex::new(Vec::new()));
    run(with(sync::lock_owned(mutex.clone()), async |log| {
        assert!(mutex.try_lock().is_none(), "held in the block");
        log.push("ok");
        Ok(())
    }))
    .unwrap();
    assert_eq!(*mutex.try_lock().unwrap(), ["ok"]);

    let error = run(with(sync::lock_owned(mutex.clone()), async |log| {
        log.push("failed");
        Err::<(), _>(Error::msg("body failed"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "body failed");
    assert_eq!(*mutex.try_lock().unwrap(), ["ok", "failed"]);

    assert!(panics(with(
        sync::lock_owned(mutex.clone()),
        async |log| -> Result<(), Error> {
            log.push("panicked");
            panic!("boom");
        }
    )));
    assert_eq!(*mutex.try_lock().unwrap(), ["ok", "failed", "panicked"]);
}

#[test]
fn borrowed_mutex_is_free_after_error_and_panic() {
    let mutex = Mutex::new(0);
    let error = run(with(sync::lock(&mutex), async |n| {
        **n += 1;
        Err::<(), _>(Error::msg("body failed"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "body failed");
    assert_eq!(*mutex.try_lock().unwrap(), 1);

    assert!(panics(with(
        sync::lock(&mutex),
        async |n| -> Result<(), Error> {
            **n += 1;
            panic!("boom");
        }
    )));
    assert_eq!(*mutex.try_lock().unwrap(), 2);
}

#[test]
fn mutex_of_a_cancelled_scope_is_free() {
    let mutex = Arc::new(Mutex::new(()));
    poll_once_then_drop(with(sync::lock_owned(mutex.clone()), async |_| {
        std::future::pending::<()>().await;
        Ok(())
    }));
    assert!(mutex.try_lock().is_some());
}

#[test]
fn semaphore_permit_is_given_back_after_success_error_and_panic() {
    let slots = Arc::new(Semaphore::new(1));
    run(with(sync::acquire_owned(slots.clone()), async |_| {
        assert!(slots.try_acquire().is_none(), "taken in the block");
        Ok(())
    }))
    .unwrap();
    assert!(slots.try_acquire().is_some());

    let error = run(with(sync::acquire(&slots), async |_| {
        assert!(slots.try_acquire().is_none(), "taken in the block");
        Err::<(), _>(Error::msg("body failed"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "body failed");
    assert!(slots.try_acquire().is_some());

    assert!(panics(with(
        sync::acquire_owned(slots.clone()),
        async |_| -> Result<(), Error> {
            panic!("boom");
        }
    )));
    assert!(slots.try_acquire().is_some());
}

#[test]
fn semaphore_of_a_cancelled_scope_is_given_back() {
    let slots = Arc::new(Semaphore::new(1));
    poll_once_then_drop(with(sync::acquire_owned(slots.clone()), async |_| {
        std::future::pending::<()>().await;
        Ok(())
    }));
    assert!(slots.try_acquire().is_some());
}

// ---- cancellation: the crate's `with` runs the exit on smol ----

#[test]
fn tcp_scope_cancelled_mid_block_still_shuts_the_stream_down() {
    let peer = Peer::start();
    let addr = peer.addr;
    let (kept_tx, kept_rx) = mpsc::channel();
    run(async move {
        let (entered, is_entered) = smol::channel::bounded(1);
        let scope = smol::spawn(async_with_smol::with(
            net::connect(addr),
            async move |stream| {
                stream.write_all(b"PING").await?;
                let kept = std::net::TcpStream::from(stream.as_fd().try_clone_to_owned()?);
                kept_tx.send(kept).unwrap();
                entered.send(()).await.unwrap();
                std::future::pending::<()>().await;
                Ok(())
            },
        ));
        is_entered.recv().await.unwrap();
        assert!(scope.cancel().await.is_none(), "cancelled mid-block");
    });
    // The duplicate keeps the socket open: only the exit, run on the
    // runtime after the cancellation, can have shut it down.
    let _kept = kept_rx.recv().unwrap();
    let report = peer.report();
    assert!(report.saw_eof);
    assert_eq!(report.received, b"PING");
}

#[test]
fn child_scope_cancelled_mid_block_is_still_killed_and_reaped() {
    let (status_tx, status_rx) = mpsc::channel::<ExitStatus>();
    let pid = run(async move {
        let (entered, is_entered) = smol::channel::bounded(1);
        let ctx = process::spawn(sleep_30()).on_exit(move |status| status_tx.send(status).unwrap());
        let scope = smol::spawn(async_with_smol::with(ctx, async move |child| {
            entered.send(child.id()).await.unwrap();
            std::future::pending::<()>().await;
            Ok(())
        }));
        let pid = is_entered.recv().await.unwrap();
        assert!(scope.cancel().await.is_none(), "cancelled mid-block");
        pid
    });
    let status = status_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(status.signal(), Some(9));
    assert!(!process_exists(pid), "pid {pid} left behind");
}
