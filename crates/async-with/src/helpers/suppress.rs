use std::error::Error as StdError;
use std::fmt;

use crate::{AsyncContext, Error, Exit, Outcome};

/// A context that swallows errors of type `E` raised in its block, Python's
/// `contextlib.suppress(E)`.
///
/// It looks at the newest error (the one Python would see). A suppressed
/// block's value is `T::default()`: return `Option<V>` from the body to tell
/// a suppressed block from a completed one.
///
/// # Examples
///
/// ```
/// use std::io;
/// use async_with::{suppress, with};
/// # futures_lite::future::block_on(async {
/// let removed = with(suppress::<io::Error>(), async |()| {
///     Err::<Option<()>, _>(io::Error::from(io::ErrorKind::NotFound).into())
/// })
/// .await?;
/// assert_eq!(removed, None);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "contextlib.suppress")]
pub fn suppress<E: StdError + 'static>() -> Suppress<fn(&Error) -> bool> {
    Suppress {
        predicate: |error| error.is::<E>(),
    }
}

/// A context that swallows the errors `predicate` accepts.
///
/// # Examples
///
/// ```
/// use std::io;
/// use async_with::{suppress_if, with};
/// # futures_lite::future::block_on(async {
/// let not_found = |e: &async_with::Error| {
///     e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::NotFound)
/// };
/// with(suppress_if(not_found), async |()| {
///     Err::<(), _>(io::Error::from(io::ErrorKind::NotFound).into())
/// })
/// .await?;
/// let denied = with(suppress_if(not_found), async |()| {
///     Err::<(), _>(io::Error::from(io::ErrorKind::PermissionDenied).into())
/// })
/// .await;
/// assert!(denied.is_err());
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub fn suppress_if<P>(predicate: P) -> Suppress<P>
where
    P: FnOnce(&Error) -> bool + Send,
{
    Suppress { predicate }
}

/// The context [`suppress`] and [`suppress_if`] return.
///
/// # Examples
///
/// ```
/// let _ctx = async_with::suppress::<std::fmt::Error>();
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Suppress<P> {
    predicate: P,
}

impl<P> fmt::Debug for Suppress<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Suppress").finish_non_exhaustive()
    }
}

impl<P> AsyncContext for Suppress<P>
where
    P: FnOnce(&Error) -> bool + Send,
{
    type Resource = ();

    const CLEANUP_IS_DROP: bool = true;

    async fn enter(&mut self) -> Result<(), Error> {
        Ok(())
    }

    async fn exit(self, (): (), outcome: Outcome) -> Result<Exit, Error> {
        Ok(match outcome {
            Outcome::Failed(error) if (self.predicate)(&error) => Exit::Suppress,
            _ => Exit::Propagate,
        })
    }
}
