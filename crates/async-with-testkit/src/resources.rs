//! Runtime-free helpers for the resource tests: a TCP peer that records
//! end-of-file, process checks by pid, and a manual poll for cancellation.
//! Every adapter's `tests/resources.rs` uses them.

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::pin::pin;
use std::task::{Context, Waker};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the peer observed on the one connection it accepted.
#[derive(Debug, PartialEq, Eq)]
pub struct PeerReport {
    /// Every byte read before end-of-file (or before giving up).
    pub received: Vec<u8>,
    /// Whether the peer read end-of-file (rather than timing out waiting).
    pub saw_eof: bool,
}

/// A TCP peer on 127.0.0.1: accepts one connection, reads until end-of-file
/// (giving up after 10 s so a missing shutdown fails the test instead of
/// hanging it), then replies `bye` on the same connection.
#[derive(Debug)]
pub struct Peer {
    /// Where the peer listens.
    pub addr: SocketAddr,
    thread: JoinHandle<io::Result<PeerReport>>,
}

impl Peer {
    /// Starts the peer on its own thread, listening on 127.0.0.1:0.
    pub fn start() -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let thread = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept()?;
            stream.set_read_timeout(Some(Duration::from_secs(10)))?;
            let mut received = Vec::new();
            let saw_eof = match stream.read_to_end(&mut received) {
                Ok(_) => true,
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    false
                }
                Err(error) => return Err(error),
            };
            // The other direction is still open after a half close.
            let _ = stream.write_all(b"bye");
            Ok(PeerReport { received, saw_eof })
        });
        Peer { addr, thread }
    }

    /// Waits for the peer to finish and returns what it saw.
    pub fn report(self) -> PeerReport {
        self.thread.join().expect("peer thread").expect("peer i/o")
    }
}

/// An address nothing listens on: connecting to it is refused.
pub fn refused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr")
}

/// Whether a process with this pid exists at all (a zombie still does).
pub fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether the process is alive and not a zombie.
pub fn process_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (comm) S ...": the state follows the last ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits (up to 10 s) for a killed process to stop running: a signal is
/// delivered asynchronously, so `kill` returns before the process is dead.
pub fn eventually_not_running(pid: u32) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while process_running(pid) {
        if std::time::Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// Polls `future` once and drops it: a scope cancelled at its first await
/// point that is still pending.
pub fn poll_once_then_drop<F: Future>(future: F) {
    let mut future = pin!(future);
    let polled = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
    assert!(polled.is_pending(), "the scope was meant to be suspended");
}
