use std::error::Error as StdError;
use std::fmt;
use std::marker::PhantomData;

use crate::{AsyncContext, Error, Exit, Outcome};

/// A context that swallows errors of type `E` raised in its block, Python's
/// `contextlib.suppress(E)`.
///
/// Like Python 3.12's, it splits a group: when the block's error holds
/// several (a task group whose children failed, exits that failed after
/// the body), those of type `E` are suppressed and the rest go on, in
/// order, each with its own type; when all are `E`, the error is
/// suppressed. A block whose error was suppressed has no value: the scope
/// returns [`Suppressed`](crate::Suppressed), which
/// [`allow_suppressed`](crate::AllowSuppressed::allow_suppressed) turns into
/// `None` (Python leaves the name bound in the block unbound).
///
/// # Examples
///
/// ```
/// use std::io;
/// use async_with::{AllowSuppressed, suppress, with};
/// # futures_lite::future::block_on(async {
/// let removed = with(suppress::<io::Error>(), async |()| {
///     Err::<(), _>(io::Error::from(io::ErrorKind::NotFound).into())
/// })
/// .await
/// .allow_suppressed()?;
/// assert_eq!(removed, None);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "contextlib.suppress")]
pub fn suppress<E: StdError + 'static>() -> Suppress<OfType<E>> {
    Suppress {
        predicate: OfType(PhantomData),
    }
}

/// Which errors a [`Suppress`] swallows: each error of the block's
/// aggregate is asked on its own. Implemented by [`OfType`] (for
/// [`suppress`]) and by closures (for [`suppress_if`]).
///
/// # Examples
///
/// ```
/// use async_with::{OfType, SuppressWhen};
/// let mut of_type = OfType::<std::fmt::Error>::default();
/// assert!(of_type.suppresses(&std::fmt::Error));
/// ```
pub trait SuppressWhen: Send {
    /// Whether to swallow `error`.
    fn suppresses(&mut self, error: &(dyn StdError + Send + Sync + 'static)) -> bool;
}

impl<F> SuppressWhen for F
where
    F: FnMut(&(dyn StdError + Send + Sync + 'static)) -> bool + Send,
{
    fn suppresses(&mut self, error: &(dyn StdError + Send + Sync + 'static)) -> bool {
        self(error)
    }
}

/// Errors of type `E`: what [`suppress::<E>()`](suppress) swallows.
///
/// # Examples
///
/// See [`SuppressWhen`].
pub struct OfType<E>(PhantomData<fn() -> E>);

impl<E> Default for OfType<E> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<E> fmt::Debug for OfType<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OfType<{}>", std::any::type_name::<E>())
    }
}

impl<E: StdError + 'static> SuppressWhen for OfType<E> {
    fn suppresses(&mut self, error: &(dyn StdError + Send + Sync + 'static)) -> bool {
        error.is::<E>()
    }
}

/// A context that swallows the errors `predicate` accepts. The predicate
/// sees each error of an aggregate on its own: those it accepts are
/// suppressed, the rest go on, in order (as [`suppress`] does by type).
///
/// # Examples
///
/// ```
/// use std::io;
/// use async_with::{AllowSuppressed, suppress_if, with};
/// # futures_lite::future::block_on(async {
/// let not_found = |e: &(dyn std::error::Error + Send + Sync + 'static)| {
///     e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::NotFound)
/// };
/// with(suppress_if(not_found), async |()| {
///     Err::<(), _>(io::Error::from(io::ErrorKind::NotFound).into())
/// })
/// .await
/// .allow_suppressed()?;
/// let denied = with(suppress_if(not_found), async |()| {
///     Err::<(), _>(io::Error::from(io::ErrorKind::PermissionDenied).into())
/// })
/// .await;
/// assert!(denied.is_err());
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub fn suppress_if<P>(predicate: P) -> Suppress<P>
where
    P: FnMut(&(dyn StdError + Send + Sync + 'static)) -> bool + Send,
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

impl<P: SuppressWhen> AsyncContext for Suppress<P> {
    type Resource = ();

    const CLEANUP_IS_DROP: bool = true;

    async fn enter(&mut self) -> Result<(), Error> {
        Ok(())
    }

    async fn exit(mut self, (): (), outcome: Outcome) -> Result<Exit, Error> {
        match outcome {
            Outcome::Failed(error) => split(&mut self.predicate, &error),
            _ => Ok(Exit::Propagate),
        }
    }
}

/// Suppresses all of `error`, part of it, or none, as `predicate` says of
/// each of its errors.
fn split(predicate: &mut impl SuppressWhen, error: &Error) -> Result<Exit, Error> {
    // Newest first: the order `without` visits them in.
    let suppressed: Vec<bool> = error
        .errors()
        .rev()
        .map(|member| predicate.suppresses(member))
        .collect();
    if !suppressed.contains(&true) {
        Ok(Exit::Propagate)
    } else if !suppressed.contains(&false) {
        Ok(Exit::Suppress)
    } else {
        Err(Error::replace_pending(move |pending| {
            let mut suppressed = suppressed.into_iter();
            pending.without(|_| suppressed.next().unwrap_or(false))
        }))
    }
}
