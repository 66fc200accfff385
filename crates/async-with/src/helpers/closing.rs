use std::future::Future;

use futures_core::Stream;

use crate::{AsyncContext, Error, Exit, MisuseError, Outcome};

/// Something closed by an async method: the protocol behind [`closing`].
///
/// # Examples
///
/// ```
/// use async_with::{AsyncClose, Error, closing, with};
///
/// struct Socket { open: bool }
///
/// impl AsyncClose for Socket {
///     async fn close(self) -> Result<(), Error> {
///         // flush, send a goodbye, shut down...
///         Ok(())
///     }
/// }
/// # futures_lite::future::block_on(async {
/// with(closing(Socket { open: true }), async |socket| {
///     assert!(socket.open);
///     Ok(())
/// })
/// .await?;
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
///
/// Like [`AsyncContext`], it promises a `Send` future, so that a
/// [`Closing`] goes wherever a context goes (a `Send` stack, a spawned task).
#[doc(alias = "aclose")]
pub trait AsyncClose: Send {
    /// Closes `self`, flushing whatever must reach its destination.
    #[doc(alias = "aclose")]
    fn close(self) -> impl Future<Output = Result<(), Error>> + Send;
}

/// A context that closes `value` when its block ends, Python's
/// `contextlib.aclosing`.
///
/// # Examples
///
/// See [`AsyncClose`].
///
/// ```
/// # use async_with::{AsyncClose, Error};
/// # struct Pool;
/// # impl AsyncClose for Pool { async fn close(self) -> Result<(), Error> { Ok(()) } }
/// let ctx = async_with::closing(Pool);
/// ```
#[doc(alias = "aclosing")]
pub fn closing<T: AsyncClose>(value: T) -> Closing<T> {
    Closing { value: Some(value) }
}

/// A context that closes a stream when its block ends, however the block
/// ended: Python's `async with aclosing(agen()) as values: async for ...`.
///
/// The same context as [`closing`], for a [`Stream`] with an async close.
///
/// # Examples
///
/// ```
/// use std::pin::Pin;
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::task::{Context, Poll};
/// use async_with::{AsyncClose, Error, aclosing, with};
/// use futures_lite::StreamExt;
///
/// struct Countdown { left: u32, closed: Arc<AtomicBool> }
///
/// impl futures_core::Stream for Countdown {
///     type Item = u32;
///     fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
///         let left = self.left;
///         self.left = left.saturating_sub(1);
///         Poll::Ready((left > 0).then_some(left))
///     }
/// }
///
/// impl AsyncClose for Countdown {
///     async fn close(self) -> Result<(), Error> {
///         self.closed.store(true, Ordering::SeqCst);
///         Ok(())
///     }
/// }
/// # futures_lite::future::block_on(async {
/// let closed = Arc::new(AtomicBool::new(false));
/// let stream = Countdown { left: 5, closed: closed.clone() };
/// let first_two = with(aclosing(stream), async |values| {
///     let mut taken = Vec::new();
///     while let Some(v) = values.next().await {
///         taken.push(v);
///         if taken.len() == 2 {
///             break; // the stream is closed anyway
///         }
///     }
///     Ok(taken)
/// })
/// .await?;
/// assert_eq!(first_two, [5, 4]);
/// assert!(closed.load(Ordering::SeqCst));
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
pub fn aclosing<S: Stream + AsyncClose>(stream: S) -> Closing<S> {
    closing(stream)
}

/// The context [`closing`] and [`aclosing`] return.
///
/// # Examples
///
/// ```
/// # use async_with::{AsyncClose, Error};
/// # struct Pool;
/// # impl AsyncClose for Pool { async fn close(self) -> Result<(), Error> { Ok(()) } }
/// let _ctx: async_with::Closing<Pool> = async_with::closing(Pool);
/// ```
#[derive(Debug)]
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Closing<T> {
    value: Option<T>,
}

impl<T: AsyncClose> AsyncContext for Closing<T> {
    type Resource = T;

    async fn enter(&mut self) -> Result<T, Error> {
        self.value.take().ok_or_else(|| {
            MisuseError::EnteredTwice {
                context: "closing context",
            }
            .into()
        })
    }

    async fn exit(self, value: T, _outcome: Outcome) -> Result<Exit, Error> {
        value.close().await?;
        Ok(Exit::Propagate)
    }
}
