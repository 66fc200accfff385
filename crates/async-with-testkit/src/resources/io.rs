//! How the checks read and write a runtime's files and streams.

use std::future::Future;
use std::io;

use futures_lite::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Reads and writes a file or stream `S` of one runtime. The runtimes fall
/// in two families by the I/O traits they implement: those of
/// `futures-io` (smol, async-std: [`FuturesIo`]) and tokio's own (the tokio
/// adapter's tests implement this for them).
///
/// # Examples
///
/// ```
/// use async_with_testkit::resources::{AsyncIo, FuturesIo};
///
/// # futures_lite::future::block_on(async {
/// let mut buffer = futures_lite::io::Cursor::new(Vec::new());
/// FuturesIo::write_all(&mut buffer, b"hello").await?;
/// assert_eq!(buffer.into_inner(), b"hello");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait AsyncIo<S>: 'static {
    /// Writes all of `bytes` to `stream`.
    fn write_all<'a>(
        stream: &'a mut S,
        bytes: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;

    /// Reads `stream` to its end, as text.
    fn read_to_string(stream: &mut S) -> impl Future<Output = io::Result<String>> + Send + '_;
}

/// [`AsyncIo`] for the types that implement `futures-io`'s traits (smol's
/// and async-std's files and streams).
///
/// # Examples
///
/// ```
/// use async_with_testkit::resources::{AsyncIo, FuturesIo};
///
/// # futures_lite::future::block_on(async {
/// let mut text = futures_lite::io::Cursor::new(b"remember".to_vec());
/// assert_eq!(FuturesIo::read_to_string(&mut text).await?, "remember");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct FuturesIo;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> AsyncIo<S> for FuturesIo {
    async fn write_all<'a>(stream: &'a mut S, bytes: &'a [u8]) -> io::Result<()> {
        AsyncWriteExt::write_all(stream, bytes).await
    }

    async fn read_to_string(stream: &mut S) -> io::Result<String> {
        let mut text = String::new();
        AsyncReadExt::read_to_string(stream, &mut text).await?;
        Ok(text)
    }
}
