//! TCP connections as contexts: the write half is shut down on exit, so the
//! peer sees end-of-file.
//!
//! Python's `async with` over a stream writer closes it at the end of the
//! block. Dropping an [`async_std::net::TcpStream`] closes the socket too,
//! but silently; the exit here shuts the write half down with
//! [`TcpStream::shutdown`], which sends FIN, and reports an error if that
//! fails.

use std::io;
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};

use async_std::net::TcpStream;
use async_with_resources::net::{ConnectTo, Tcp, literal_addrs};

use crate::AsyncStd;

// The items are `async_with_resources::net`'s, with async-std filled in;
// their docs are this runtime's.
async_with_resources::net_items!(mod bound for crate::AsyncStd, async_std::net::TcpStream);

/// A context that connects to `addr`; the block gets the
/// [`async_std::net::TcpStream`], and the exit shuts its write half down.
///
/// `addr` is anything [`std::net::ToSocketAddrs`] resolves: `"127.0.0.1:8080"`, a
/// [`SocketAddr`], `("localhost", 80)`.
///
/// # Examples
///
/// ```
/// use async_with_async_std::with;
/// use std::io::Read;
/// use async_std::io::WriteExt;
///
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let addr = listener.local_addr()?;
/// let server = std::thread::spawn(move || {
///     let (mut peer, _) = listener.accept()?;
///     let mut received = String::new();
///     peer.read_to_string(&mut received)?; // returns at end-of-file
///     std::io::Result::Ok(received)
/// });
/// # async_std::task::block_on(async {
/// with(async_with_async_std::net::connect(addr), async |stream| {
///     stream.write_all(b"PING").await?;
///     Ok(())
/// })
/// .await?;
/// # Ok::<(), async_with::Error>(()) })?;
/// assert_eq!(server.join().unwrap()?, "PING");
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use bound::connect;

/// The context [`connect`] returns.
///
/// - **Enter** connects; an error (refused, unreachable) is the
///   [`std::io::Error`] itself, and no exit runs.
/// - **Exit** runs whatever the block's outcome: it shuts the write half
///   down, so the peer reads end-of-file after the last byte the block
///   wrote, then closes the socket. An error doing so joins the block's own
///   error in the aggregate, except [`io::ErrorKind::NotConnected`]: the
///   peer already reset the connection, so there is no one left to tell.
///   The exit never suppresses.
/// - **Cancellation**: with this crate's [`with`](crate::with), a scope
///   dropped mid-way still shuts the stream down, on async-std. Through the
///   core's `async_with::with` (no runtime) the stream is just dropped,
///   which closes the socket: the peer sees end-of-file or a reset, and no
///   error is reported.
///
/// # Examples
///
/// ```
/// let ctx = async_with_async_std::net::connect("127.0.0.1:8080");
/// # drop(ctx);
/// ```
pub use bound::Connect;

/// A context for a stream that is already connected (an accepted
/// connection, a stream handed over by other code): the block gets it, and
/// the exit shuts its write half down as [`Connect`]'s does.
///
/// # Examples
///
/// A server greets a client; the client reads until end-of-file:
///
/// ```
/// use std::io::Read;
/// use async_with_async_std::with;
/// use async_std::io::WriteExt;
///
/// # async_std::task::block_on(async {
/// let listener = async_std::net::TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// let client = std::thread::spawn(move || {
///     let mut greeting = String::new();
///     std::net::TcpStream::connect(addr)?.read_to_string(&mut greeting)?;
///     std::io::Result::Ok(greeting)
/// });
/// let (stream, _) = listener.accept().await?;
/// with(async_with_async_std::net::shutdown_on_exit(stream), async |stream| {
///     stream.write_all(b"220 ready").await?;
///     Ok(())
/// })
/// .await?;
/// assert_eq!(client.join().unwrap()?, "220 ready");
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub use bound::shutdown_on_exit;

/// The context [`shutdown_on_exit`] returns.
///
/// # Examples
///
/// See [`shutdown_on_exit`].
///
/// ```
/// fn greet(stream: async_std::net::TcpStream) -> async_with_async_std::net::ShutdownOnExit {
///     async_with_async_std::net::shutdown_on_exit(stream)
/// }
/// ```
pub use bound::ShutdownOnExit;

impl Tcp for AsyncStd {
    type Stream = TcpStream;

    async fn shutdown(stream: &mut TcpStream) -> io::Result<()> {
        stream.shutdown(Shutdown::Write)
    }
}

impl<A: ToSocketAddrs + Send + 'static> ConnectTo<A> for AsyncStd {
    async fn connect(addr: A) -> io::Result<TcpStream> {
        // A name is resolved on the blocking pool (it may need DNS), into
        // addresses whose type is known: the future stays `Send`. A
        // literal address needs no lookup.
        let addrs: Vec<SocketAddr> = match literal_addrs(&addr) {
            Some(addrs) => addrs,
            None => {
                async_std::task::spawn_blocking(move || addr.to_socket_addrs().map(Vec::from_iter))
                    .await?
            }
        };
        TcpStream::connect(&addrs[..]).await
    }
}
