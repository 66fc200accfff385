//! The macro of [`crate::net`].

/// Defines, in a private module `$module`, an adapter's `net` items for the
/// runtime marker `$binding` (which implements [`Tcp`](crate::net::Tcp)
/// with `$stream` as its stream): `connect`, `Connect`, `shutdown_on_exit`
/// and `ShutdownOnExit`, as [`net::connect`](crate::net::connect),
/// [`net::Connect`](crate::net::Connect),
/// [`net::shutdown_on_exit`](crate::net::shutdown_on_exit) and
/// [`net::ShutdownOnExit`](crate::net::ShutdownOnExit) with `$binding`
/// filled in. The adapter re-exports each with its docs.
///
/// # Examples
///
/// ```
/// use std::io;
/// use std::net::SocketAddr;
/// use async_net::TcpStream;
/// use async_with_resources::net::{ConnectTo, Tcp};
/// use futures_lite::AsyncWriteExt;
///
/// #[derive(Debug)]
/// pub struct AsyncNet;
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
/// async_with_resources::net_items!(mod bound for crate::AsyncNet, async_net::TcpStream);
///
/// /// A context that connects to `addr` (docs and examples for this
/// /// runtime go here).
/// pub use bound::connect;
///
/// fn main() -> Result<(), std::net::AddrParseError> {
///     let ctx = connect("127.0.0.1:8080".parse::<SocketAddr>()?);
///     # drop(ctx);
///     Ok(())
/// }
/// ```
#[macro_export]
macro_rules! net_items {
    (mod $module:ident for $binding:path, $stream:ty $(,)?) => {
        mod $module {
            #[allow(missing_docs)]
            pub type Connect<A> = $crate::net::Connect<$binding, A>;

            #[allow(missing_docs)]
            pub type ShutdownOnExit = $crate::net::ShutdownOnExit<$binding>;

            #[allow(missing_docs)]
            #[doc(alias = "open_connection")]
            pub fn connect<A>(addr: A) -> Connect<A>
            where
                $binding: $crate::net::ConnectTo<A>,
            {
                $crate::net::connect(addr)
            }

            #[allow(missing_docs)]
            pub fn shutdown_on_exit(stream: $stream) -> ShutdownOnExit {
                $crate::net::shutdown_on_exit(stream)
            }
        }
    };
}
