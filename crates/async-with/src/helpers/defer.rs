use std::fmt;
use std::future::Future;

use crate::{AsyncContext, Error, Exit, Outcome};

/// A context whose exit is an async callback: Go's `defer`, Python's
/// `push_async_callback` as a context of its own. The callback cannot
/// suppress errors; an error it returns joins the pending ones.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use async_with::{defer, with};
/// # futures_lite::future::block_on(async {
/// let cleaned = AtomicBool::new(false);
/// let _ = with(defer(async || {
///     cleaned.store(true, Ordering::SeqCst);
///     Ok(())
/// }), async |()| Err::<(), _>(async_with::Error::msg("body failed")))
/// .await;
/// assert!(cleaned.load(Ordering::SeqCst));
/// # });
/// ```
#[doc(alias = "push_async_callback")]
#[doc(alias = "finally")]
pub fn defer<F, Fut>(callback: F) -> Defer<F>
where
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = Result<(), Error>> + Send,
{
    Defer { callback }
}

/// The context [`defer`] returns.
///
/// # Examples
///
/// ```
/// let _ctx = async_with::defer(async || Ok(()));
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Defer<F> {
    callback: F,
}

impl<F> fmt::Debug for Defer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Defer").finish_non_exhaustive()
    }
}

impl<F, Fut> AsyncContext for Defer<F>
where
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = Result<(), Error>> + Send,
{
    type Resource = ();

    async fn enter(&mut self) -> Result<(), Error> {
        Ok(())
    }

    async fn exit(self, (): (), _outcome: Outcome) -> Result<Exit, Error> {
        (self.callback)().await?;
        Ok(Exit::Propagate)
    }
}
