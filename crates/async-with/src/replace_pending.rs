//! An exit that rewrites the pending error instead of adding its own:
//! Python's `raise Wrapper() from exc` in `__aexit__`, and
//! `contextlib.suppress` splitting an exception group.

use std::error::Error as StdError;
use std::fmt;

use crate::Error;

/// How an exit rewrites the pending error.
type Rewrite = Box<dyn FnOnce(Error) -> Option<Error> + Send + Sync>;

/// The error an exit returns to have the pending error rewritten: made by
/// [`Error::replace_pending`]. The scope applies it and never passes it on.
struct ReplacePending(Rewrite);

impl fmt::Debug for ReplacePending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplacePending")
    }
}

impl fmt::Display for ReplacePending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an exit's rewrite of the pending error, applied by the scope that ran it")
    }
}

impl StdError for ReplacePending {}

impl Error {
    /// What an exit returns, as its error, to replace the error pending in
    /// its scope by what `rewrite` makes of it: the same error wrapped
    /// (Python's `raise Wrapper() from exc` in `__aexit__`), part of it
    /// (`contextlib.suppress` splitting an exception group), or nothing
    /// (`None`: suppressed, like [`Exit::Suppress`](crate::Exit::Suppress)).
    ///
    /// `rewrite` receives the pending error itself, by value, with every
    /// error it holds: a wrapper's `source()` is the original, which still
    /// downcasts to its own type, and nothing is listed twice. An error
    /// returned any other way is added after the pending one instead. With
    /// nothing pending (the block succeeded, or was cancelled) there is
    /// nothing to rewrite and `rewrite` is not called; a pending panic is
    /// never rewritten, only the errors beside it.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{Error, Outcome, context, with};
    ///
    /// #[derive(Debug)]
    /// struct QueryFailed(Error);
    ///
    /// impl std::fmt::Display for QueryFailed {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("query failed")
    ///     }
    /// }
    ///
    /// impl std::error::Error for QueryFailed {
    ///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
    ///         Some(&*self.0)
    ///     }
    /// }
    ///
    /// # futures_lite::future::block_on(async {
    /// let wrapping = context(async |scope| {
    ///     let ((), outcome) = scope.yield_(()).await;
    ///     if let Outcome::Failed(_) = outcome {
    ///         return Err(Error::replace_pending(|original| Some(Error::new(QueryFailed(original)))));
    ///     }
    ///     Ok(())
    /// });
    /// let error = with(wrapping, async |()| Err::<(), _>(std::fmt::Error.into())).await.unwrap_err();
    /// assert_eq!(error.len(), 1);
    /// let wrapper = error.downcast_ref::<QueryFailed>().unwrap();
    /// assert!(wrapper.0.is::<std::fmt::Error>()); // the original, with its type
    /// # });
    /// ```
    pub fn replace_pending<F>(rewrite: F) -> Error
    where
        F: FnOnce(Error) -> Option<Error> + Send + Sync + 'static,
    {
        Error::new(ReplacePending(Box::new(rewrite)))
    }

    /// The rewrite this error carries, if it is one made by
    /// [`Error::replace_pending`]; else the error itself.
    pub(crate) fn into_rewrite(self) -> Result<Rewrite, Error> {
        if self.len() != 1 || !self.is::<ReplacePending>() {
            return Err(self);
        }
        match self
            .into_errors()
            .pop()
            .map(|e| e.downcast::<ReplacePending>())
        {
            Some(Ok(replace)) => Ok(replace.0),
            Some(Err(_)) | None => unreachable!("checked to be one `ReplacePending`"),
        }
    }
}
