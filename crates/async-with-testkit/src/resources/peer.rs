//! A TCP peer on its own thread that records what it read until
//! end-of-file, and an address that refuses connections.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the peer observed on the one connection it accepted.
///
/// # Examples
///
/// See [`Peer`].
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
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use async_with_testkit::resources::Peer;
///
/// let peer = Peer::start();
/// let mut stream = std::net::TcpStream::connect(peer.addr)?;
/// stream.write_all(b"PING")?;
/// stream.shutdown(std::net::Shutdown::Write)?;
/// let mut reply = String::new();
/// stream.read_to_string(&mut reply)?;
/// assert_eq!(reply, "bye");
/// let report = peer.report();
/// assert!(report.saw_eof);
/// assert_eq!(report.received, b"PING");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Peer {
    /// Where the peer listens.
    pub addr: SocketAddr,
    thread: JoinHandle<io::Result<PeerReport>>,
}

impl Peer {
    /// Starts the peer on its own thread, listening on 127.0.0.1:0.
    ///
    /// # Examples
    ///
    /// See [`Peer`].
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

    /// Whether the peer is done (it saw end-of-file, gave up, or failed),
    /// so that [`report`](Peer::report) will not block.
    ///
    /// # Examples
    ///
    /// ```
    /// let peer = async_with_testkit::resources::Peer::start();
    /// assert!(!peer.is_finished()); // nothing connected yet
    /// # drop(std::net::TcpStream::connect(peer.addr));
    /// ```
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Waits for the peer to finish and returns what it saw.
    ///
    /// # Examples
    ///
    /// See [`Peer`].
    pub fn report(self) -> PeerReport {
        self.thread.join().expect("peer thread").expect("peer i/o")
    }
}

/// An address nothing listens on: connecting to it is refused.
///
/// # Examples
///
/// ```
/// let addr = async_with_testkit::resources::refused_addr();
/// let refused = std::net::TcpStream::connect(addr).unwrap_err();
/// assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
/// ```
pub fn refused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr")
}
