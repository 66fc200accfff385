//! TCP connections as contexts: the write half is shut down on exit, so the
//! peer sees end-of-file.
//!
//! Python's `async with` over a stream writer closes it at the end of the
//! block. Dropping a stream closes the socket too, but silently; the exit
//! here shuts the write half down ([`Tcp::shutdown`], which sends FIN), and
//! reports an error if that fails.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6, ToSocketAddrs};

use async_with::{AsyncContext, Error, Exit, MisuseError, Outcome};

/// A runtime's TCP streams: how [`Connect`] and [`ShutdownOnExit`] end
/// one. Implemented by each adapter's runtime marker for its stream type.
///
/// # Examples
///
/// The binding of the runtime-agnostic `async-net` crate (the smol
/// adapter's):
///
/// ```
/// use std::io;
/// use std::net::SocketAddr;
/// use async_net::TcpStream;
/// use async_with_resources::net::{self, ConnectTo, Tcp};
/// use futures_lite::AsyncWriteExt;
///
/// #[derive(Debug)]
/// struct AsyncNet;
///
/// impl Tcp for AsyncNet {
///     type Stream = TcpStream;
///
///     async fn shutdown(stream: &mut TcpStream) -> io::Result<()> {
///         stream.close().await
///     }
/// }
///
/// impl ConnectTo<SocketAddr> for AsyncNet {
///     async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
///         TcpStream::connect(addr).await
///     }
/// }
///
/// let ctx = net::connect::<AsyncNet, _>("127.0.0.1:8080".parse::<SocketAddr>()?);
/// # drop(ctx);
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
pub trait Tcp: 'static {
    /// The runtime's TCP stream.
    type Stream: fmt::Debug + Send + 'static;

    /// Shuts the write half of `stream` down, after writing out anything
    /// buffered: the peer reads end-of-file after the last byte written.
    fn shutdown(stream: &mut Self::Stream) -> impl Future<Output = io::Result<()>> + Send;
}

/// How a runtime connects to an address of type `A` (each runtime resolves
/// its own set of address types).
///
/// # Examples
///
/// See [`Tcp`].
pub trait ConnectTo<A>: Tcp {
    /// Resolves `addr` and connects to the first address that accepts.
    fn connect(addr: A) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

/// A context that connects to `addr` on runtime `B`; the block gets the
/// stream, and the exit shuts its write half down. Adapters expose it as
/// `net::connect`.
///
/// # Examples
///
/// ```
/// use std::net::SocketAddr;
/// use async_with_resources::net::{self, Connect, ConnectTo};
///
/// fn database<B: ConnectTo<SocketAddr>>(addr: SocketAddr) -> Connect<B, SocketAddr> {
///     net::connect(addr)
/// }
/// ```
pub fn connect<B: ConnectTo<A>, A>(addr: A) -> Connect<B, A> {
    Connect {
        addr: Some(addr),
        binding: PhantomData,
    }
}

/// A connection made on enter and shut down on exit, on runtime `B`
/// ([`connect`]).
///
/// - **Enter** connects; an error (refused, unreachable) is the
///   [`std::io::Error`] itself, and no exit runs. Entering it twice is a
///   [`MisuseError::EnteredTwice`].
/// - **Exit** runs whatever the block's outcome: it shuts the write half
///   down ([`Tcp::shutdown`]), so the peer reads end-of-file after the last
///   byte the block wrote, then closes the socket. An error doing so joins
///   the block's own error in the aggregate, except
///   [`io::ErrorKind::NotConnected`]: the peer already reset the
///   connection, so there is no one left to tell. The exit never
///   suppresses.
///
/// # Examples
///
/// See [`connect`].
///
/// ```
/// use async_with_resources::net::{Connect, ConnectTo};
///
/// fn local<B: ConnectTo<&'static str>>() -> Connect<B, &'static str> {
///     async_with_resources::net::connect("127.0.0.1:8080")
/// }
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Connect<B, A> {
    addr: Option<A>,
    binding: PhantomData<fn() -> B>,
}

// By hand: the binding marker need not be `Debug`.
impl<B, A: fmt::Debug> fmt::Debug for Connect<B, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect").field("addr", &self.addr).finish()
    }
}

impl<B: ConnectTo<A>, A: Send> AsyncContext for Connect<B, A> {
    type Resource = B::Stream;

    async fn enter(&mut self) -> Result<B::Stream, Error> {
        let addr = self.addr.take().ok_or_else(|| {
            Error::from(MisuseError::EnteredTwice {
                context: "connection context",
            })
        })?;
        Ok(B::connect(addr).await?)
    }

    async fn exit(self, stream: B::Stream, _outcome: Outcome) -> Result<Exit, Error> {
        shut_down::<B>(stream).await
    }
}

/// A context for a stream that is already connected (an accepted
/// connection, a stream handed over by other code), on runtime `B`: the
/// block gets it, and the exit shuts its write half down as [`Connect`]'s
/// does. Adapters expose it as `net::shutdown_on_exit`.
///
/// # Examples
///
/// ```
/// use async_with_resources::net::{self, ShutdownOnExit, Tcp};
///
/// fn greet<B: Tcp>(stream: B::Stream) -> ShutdownOnExit<B> {
///     net::shutdown_on_exit(stream)
/// }
/// ```
pub fn shutdown_on_exit<B: Tcp>(stream: B::Stream) -> ShutdownOnExit<B> {
    ShutdownOnExit {
        stream: Some(stream),
    }
}

/// The context [`shutdown_on_exit`] returns. Entering it twice is a
/// [`MisuseError::EnteredTwice`].
///
/// # Examples
///
/// See [`shutdown_on_exit`].
///
/// ```
/// use async_with_resources::net::{ShutdownOnExit, Tcp};
///
/// fn serve<B: Tcp>(ctx: ShutdownOnExit<B>) -> impl async_with::AsyncContext<Resource = B::Stream> {
///     ctx
/// }
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct ShutdownOnExit<B: Tcp> {
    stream: Option<B::Stream>,
}

// By hand: the binding marker need not be `Debug`.
impl<B: Tcp> fmt::Debug for ShutdownOnExit<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownOnExit")
            .field("stream", &self.stream)
            .finish()
    }
}

impl<B: Tcp> AsyncContext for ShutdownOnExit<B> {
    type Resource = B::Stream;

    async fn enter(&mut self) -> Result<B::Stream, Error> {
        self.stream.take().ok_or_else(|| {
            MisuseError::EnteredTwice {
                context: "stream context",
            }
            .into()
        })
    }

    async fn exit(self, stream: B::Stream, _outcome: Outcome) -> Result<Exit, Error> {
        shut_down::<B>(stream).await
    }
}

/// Shuts the write half down; a peer that already reset the connection
/// leaves no one to tell, so `NotConnected` is not an error.
async fn shut_down<B: Tcp>(mut stream: B::Stream) -> Result<Exit, Error> {
    match B::shutdown(&mut stream).await {
        Err(error) if error.kind() != io::ErrorKind::NotConnected => Err(error.into()),
        _ => Ok(Exit::Propagate),
    }
}

/// The socket addresses of `addr` when they are known without a name
/// lookup: a socket address, an IP address and a port, or a string that
/// parses as one of these. `None` for anything that may need DNS.
///
/// Resolving through [`ToSocketAddrs`] may block, so an adapter runs it
/// on its blocking pool; a round trip there costs more than the loopback
/// connect it precedes. Adapters call this first and go to the pool only
/// for names.
///
/// # Examples
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
/// use async_with_resources::net::literal_addrs;
///
/// let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
/// assert_eq!(literal_addrs(&addr), Some(vec![addr]));
/// assert_eq!(literal_addrs(&"127.0.0.1:8080"), Some(vec![addr]));
/// assert_eq!(literal_addrs(&(Ipv4Addr::LOCALHOST, 8080)), Some(vec![addr]));
/// assert_eq!(literal_addrs(&"localhost:8080"), None); // a name: DNS
/// ```
pub fn literal_addrs<A: ToSocketAddrs + 'static>(addr: &A) -> Option<Vec<SocketAddr>> {
    let addr: &dyn Any = addr;
    let one = |addr: SocketAddr| Some(vec![addr]);
    let ip_and_port = |host: &str, port: u16| {
        host.parse::<IpAddr>()
            .ok()
            .map(|ip| vec![SocketAddr::new(ip, port)])
    };
    if let Some(addr) = addr.downcast_ref::<SocketAddr>() {
        one(*addr)
    } else if let Some(addr) = addr.downcast_ref::<SocketAddrV4>() {
        one(SocketAddr::V4(*addr))
    } else if let Some(addr) = addr.downcast_ref::<SocketAddrV6>() {
        one(SocketAddr::V6(*addr))
    } else if let Some((ip, port)) = addr.downcast_ref::<(IpAddr, u16)>() {
        one(SocketAddr::new(*ip, *port))
    } else if let Some((ip, port)) = addr.downcast_ref::<(Ipv4Addr, u16)>() {
        one(SocketAddr::from((*ip, *port)))
    } else if let Some((ip, port)) = addr.downcast_ref::<(Ipv6Addr, u16)>() {
        one(SocketAddr::from((*ip, *port)))
    } else if let Some(addrs) = addr.downcast_ref::<&'static [SocketAddr]>() {
        Some(addrs.to_vec())
    } else if let Some(text) = addr.downcast_ref::<&'static str>() {
        text.parse().ok().map(|addr| vec![addr])
    } else if let Some(text) = addr.downcast_ref::<String>() {
        text.parse().ok().map(|addr| vec![addr])
    } else if let Some((host, port)) = addr.downcast_ref::<(&'static str, u16)>() {
        ip_and_port(host, *port)
    } else if let Some((host, port)) = addr.downcast_ref::<(String, u16)>() {
        ip_and_port(host, *port)
    } else {
        None
    }
}
