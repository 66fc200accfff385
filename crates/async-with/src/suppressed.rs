//! A block left without a value: an exit suppressed its error.
//!
//! Python's `async with suppress(KeyError): value = lookup()` leaves `value`
//! unbound when the error is suppressed. A Rust block must produce its value
//! or an error, and a body may return any `T` (a `File`, a struct without
//! `Default`), so there is no value to make up. The scope returns the
//! [`Suppressed`] error instead, and [`AllowSuppressed::allow_suppressed`]
//! turns exactly that error into `None`, Python's unbound name.
//!
//! A scope whose exit never suppresses never returns `Suppressed`; one
//! whose exit may suppress is read through `.allow_suppressed()`. Forgetting
//! it is not silent: the `Suppressed` error says what happened and keeps
//! the error that was suppressed as its [`source`](StdError::source).

use std::error::Error as StdError;
use std::fmt;

use crate::Error;

/// The error a scope returns when an exit suppressed its block's error: the
/// block ended without a value, and every later exit succeeded.
///
/// [`AllowSuppressed::allow_suppressed`] turns it into `Ok(None)`. The error
/// that was suppressed stays reachable through
/// [`suppressed_error`](Self::suppressed_error) and
/// [`source`](StdError::source).
///
/// # Examples
///
/// ```
/// use async_with::{Suppressed, suppress, with};
///
/// # futures_lite::future::block_on(async {
/// let missing = with(suppress::<std::num::ParseIntError>(), async |()| {
///     Ok("twelve".parse::<u32>()?)
/// })
/// .await
/// .unwrap_err();
/// let suppressed = missing.downcast_ref::<Suppressed>().unwrap();
/// assert_eq!(
///     suppressed.suppressed_error().unwrap().to_string(),
///     "invalid digit found in string"
/// );
/// # });
/// ```
pub struct Suppressed {
    error: Option<Error>,
}

impl Suppressed {
    pub(crate) fn new(error: Option<Error>) -> Self {
        Self { error }
    }

    /// The error the exit suppressed, as it stood when it was suppressed.
    /// `None` when an exit's [`Error::replace_pending`] dropped it.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{Error, Suppressed, suppress_if, with};
    /// # futures_lite::future::block_on(async {
    /// let error = with(suppress_if(|_| true), async |()| Err::<u8, _>(Error::msg("gone")))
    ///     .await
    ///     .unwrap_err();
    /// let suppressed = error.downcast_ref::<Suppressed>().unwrap();
    /// assert_eq!(suppressed.suppressed_error().unwrap().to_string(), "gone");
    /// # });
    /// ```
    #[must_use]
    pub fn suppressed_error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Takes the error the exit suppressed.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{Error, Suppressed, suppress_if, with};
    /// # futures_lite::future::block_on(async {
    /// let error = with(suppress_if(|_| true), async |()| Err::<u8, _>(Error::msg("gone")))
    ///     .await
    ///     .unwrap_err();
    /// let suppressed: Suppressed = error.downcast().unwrap();
    /// assert_eq!(suppressed.into_suppressed_error().unwrap().to_string(), "gone");
    /// # });
    /// ```
    #[must_use]
    pub fn into_suppressed_error(self) -> Option<Error> {
        self.error
    }
}

impl fmt::Debug for Suppressed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Suppressed")
            .field("error", &self.error)
            .finish()
    }
}

impl fmt::Display for Suppressed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an exit suppressed the block's error, so the block has no value \
             (`.allow_suppressed()` on the scope's result gives `None` instead)",
        )
    }
}

impl StdError for Suppressed {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.error {
            Some(error) => Some(&**error),
            None => None,
        }
    }
}

/// Reads a scope's result for a block whose error an exit may suppress:
/// `Ok(Some(value))` when the block returned a value, `Ok(None)` when an
/// exit suppressed its error ([`Suppressed`]), `Err` for any other error.
///
/// Python: `async with suppress(E): x = f()` leaves `x` unbound when `E`
/// is suppressed; here `x` is `None`.
///
/// Implemented for the result of every scope: [`with`](crate::with),
/// [`ExitStack::scope`](crate::ExitStack::scope), task groups, and the
/// adapters' bound forms.
///
/// # Examples
///
/// ```
/// use async_with::{AllowSuppressed, suppress, with};
/// use std::num::ParseIntError;
///
/// async fn parse(text: &str) -> Result<Option<u32>, async_with::Error> {
///     with(suppress::<ParseIntError>(), async |()| Ok(text.parse::<u32>()?))
///         .await
///         .allow_suppressed()
/// }
/// # futures_lite::future::block_on(async {
/// assert_eq!(parse("12").await?, Some(12));
/// assert_eq!(parse("twelve").await?, None);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub trait AllowSuppressed<T> {
    /// `None` in place of a [`Suppressed`] error; see the trait docs.
    ///
    /// # Errors
    ///
    /// Every error but a lone [`Suppressed`], unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{AllowSuppressed, Error, suppress_if, with};
    /// # futures_lite::future::block_on(async {
    /// let nothing: Option<String> =
    ///     with(suppress_if(|_| true), async |()| Err(Error::msg("no such key")))
    ///         .await
    ///         .allow_suppressed()?;
    /// assert_eq!(nothing, None);
    /// # Ok::<(), Error>(()) }).unwrap();
    /// ```
    fn allow_suppressed(self) -> Result<Option<T>, Error>;
}

impl<T> AllowSuppressed<T> for Result<T, Error> {
    fn allow_suppressed(self) -> Result<Option<T>, Error> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(error) if error.len() == 1 && error.is::<Suppressed>() => Ok(None),
            Err(error) => Err(error),
        }
    }
}
