//! A background task on whichever runtime the example runs on.

use std::fmt;
use std::future::Future;

use crate::RuntimeKind;

/// A task spawned by [`RuntimeKind::spawn`]. Dropping it detaches the task on
/// every runtime (unlike a bare `smol::Task`, which would cancel it);
/// [`cancel`](Background::cancel) stops it.
///
/// # Examples
///
/// ```
/// use async_with_examples::RuntimeKind;
///
/// for runtime in RuntimeKind::ALL {
///     runtime.block_on(async {
///         let (send, receive) = std::sync::mpsc::channel();
///         runtime.spawn(async move { send.send("ran").unwrap() }).join().await;
///         assert_eq!(receive.recv().unwrap(), "ran");
///     });
/// }
/// ```
pub struct Background {
    /// `None` once joined or cancelled.
    handle: Option<Handle>,
}

enum Handle {
    Tokio(tokio::task::JoinHandle<()>),
    Smol(smol::Task<()>),
    AsyncStd(async_std::task::JoinHandle<()>),
}

impl Background {
    pub(crate) fn spawn<F>(runtime: RuntimeKind, future: F) -> Background
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let handle = match runtime {
            RuntimeKind::Tokio => Handle::Tokio(tokio::spawn(future)),
            RuntimeKind::Smol => Handle::Smol(smol::spawn(future)),
            RuntimeKind::AsyncStd => Handle::AsyncStd(async_std::task::spawn(future)),
        };
        Background {
            handle: Some(handle),
        }
    }

    /// Stops the task and waits until it is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_examples::RuntimeKind;
    ///
    /// let runtime = RuntimeKind::AsyncStd;
    /// runtime.block_on(async {
    ///     runtime.spawn(futures_lite::future::pending()).cancel().await;
    /// });
    /// ```
    pub async fn cancel(mut self) {
        match self.handle.take() {
            Some(Handle::Tokio(handle)) => {
                handle.abort();
                let _ = handle.await;
            }
            Some(Handle::Smol(task)) => {
                task.cancel().await;
            }
            Some(Handle::AsyncStd(handle)) => {
                handle.cancel().await;
            }
            None => {}
        }
    }

    /// Waits until the task has finished on its own.
    ///
    /// # Examples
    ///
    /// See [`Background`].
    pub async fn join(mut self) {
        match self.handle.take() {
            Some(Handle::Tokio(handle)) => {
                let _ = handle.await;
            }
            Some(Handle::Smol(task)) => task.await,
            Some(Handle::AsyncStd(handle)) => handle.await,
            None => {}
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(Handle::Smol(task)) = self.handle.take() {
            task.detach();
        }
    }
}

impl fmt::Debug for Background {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let runtime = self.handle.as_ref().map(|handle| match handle {
            Handle::Tokio(_) => RuntimeKind::Tokio,
            Handle::Smol(_) => RuntimeKind::Smol,
            Handle::AsyncStd(_) => RuntimeKind::AsyncStd,
        });
        f.debug_struct("Background")
            .field("runtime", &runtime)
            .finish()
    }
}
