//! The one error type every construct returns, and how several errors are kept.

use std::error::Error as StdError;
use std::fmt;

/// A boxed error as the user produced it: the unit [`Error`] keeps.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The error a scope hands back: the newest error, and every earlier one.
///
/// A block can fail more than once: the body fails, then an exit fails while
/// cleaning up, then another. Python keeps the earlier exceptions in
/// `__context__`; `Error` keeps them in a flat list, so no error is lost and an
/// aggregate of any size is built, formatted and dropped without recursion.
///
/// # Order
///
/// [`errors`](Error::errors) yields every error **in the order it happened**:
/// the body's error first, then the exits' errors in the order the exits ran
/// (innermost context first). The last one is the [`newest`](Error::newest);
/// [`Display`](fmt::Display), [`is`](Error::is) and
/// [`downcast_ref`](Error::downcast_ref) look at it.
///
/// # A lone error stays the user's own
///
/// `?` turns any `std::error::Error + Send + Sync + 'static` into an `Error`
/// without wrapping it in anything the caller has to peel off:
/// [`downcast`](Error::downcast) gives the original value back.
///
/// ```
/// use async_with::Error;
///
/// #[derive(Debug, PartialEq)]
/// struct Refused(u16);
/// impl std::fmt::Display for Refused {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         write!(f, "port {} refused the connection", self.0)
///     }
/// }
/// impl std::error::Error for Refused {}
///
/// let error = Error::from(Refused(5432));
/// assert!(error.is::<Refused>());
/// assert_eq!(error.to_string(), "port 5432 refused the connection");
/// assert_eq!(error.downcast::<Refused>().unwrap(), Refused(5432));
/// ```
///
/// `Error` does not implement `std::error::Error` itself (that would clash with
/// the blanket `From` above, as it does for `anyhow::Error`); convert it with
/// `Box::<dyn std::error::Error + Send + Sync>::from(error)` where a standard
/// error is needed.
///
/// # Size
///
/// `Error` is one pointer wide, so `Result<T, Error>` is as small as `T`
/// plus a tag and is passed up through nested scopes in registers: the
/// success path of every scope pays for the size of its error type.
pub struct Error(Box<Errors>);

/// What an [`Error`] points to.
struct Errors {
    newest: BoxError,
    /// Oldest first.
    earlier: Vec<BoxError>,
}

impl Error {
    /// Wraps a standard error.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = async_with::Error::new(std::io::Error::other("disk full"));
    /// assert_eq!(error.to_string(), "disk full");
    /// ```
    pub fn new<E>(error: E) -> Self
    where
        E: StdError + Send + Sync + 'static,
    {
        Self::from_boxed(Box::new(error))
    }

    /// Wraps an already boxed error, keeping its concrete type reachable.
    ///
    /// # Examples
    ///
    /// ```
    /// let boxed: async_with::BoxError = Box::new(std::fmt::Error);
    /// let error = async_with::Error::from_boxed(boxed);
    /// assert!(error.is::<std::fmt::Error>());
    /// ```
    pub fn from_boxed(error: BoxError) -> Self {
        Self(Box::new(Errors {
            newest: error,
            earlier: Vec::new(),
        }))
    }

    /// An error made of a message alone, for cleanup code with nothing more
    /// specific to say.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = async_with::Error::msg("lock file vanished");
    /// assert_eq!(error.to_string(), "lock file vanished");
    /// ```
    pub fn msg<M>(message: M) -> Self
    where
        M: fmt::Display + fmt::Debug + Send + Sync + 'static,
    {
        Self::new(Message(message))
    }

    /// The newest error: the one the caller would see in Python.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut error = async_with::Error::msg("body failed");
    /// error.push(async_with::Error::msg("rollback failed"));
    /// assert_eq!(error.newest().to_string(), "rollback failed");
    /// ```
    pub fn newest(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.0.newest
    }

    /// Every error, oldest first; the last is [`newest`](Error::newest).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut error = async_with::Error::msg("body failed");
    /// error.push(async_with::Error::msg("exit B failed"));
    /// error.push(async_with::Error::msg("exit A failed"));
    /// let messages: Vec<String> = error.errors().map(|e| e.to_string()).collect();
    /// assert_eq!(messages, ["body failed", "exit B failed", "exit A failed"]);
    /// ```
    pub fn errors(
        &self,
    ) -> impl DoubleEndedIterator<Item = &(dyn StdError + Send + Sync + 'static)> {
        self.0
            .earlier
            .iter()
            .chain(std::iter::once(&self.0.newest))
            .map(|boxed| &**boxed)
    }

    /// Takes every error out, oldest first.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut error = async_with::Error::msg("first");
    /// error.push(async_with::Error::msg("second"));
    /// let all = error.into_errors();
    /// assert_eq!(all.len(), 2);
    /// assert_eq!(all[0].to_string(), "first");
    /// ```
    pub fn into_errors(self) -> Vec<BoxError> {
        let Errors {
            newest,
            mut earlier,
        } = *self.0;
        earlier.push(newest);
        earlier
    }

    /// How many errors this holds (at least one).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut error = async_with::Error::msg("first");
    /// assert_eq!(error.len(), 1);
    /// error.push(async_with::Error::msg("second"));
    /// assert_eq!(error.len(), 2);
    /// ```
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        self.0.earlier.len() + 1
    }

    /// Records `newer` as having happened after every error already held.
    ///
    /// `newer`'s own errors keep their order and follow this one's, so the
    /// list stays flat however errors are combined.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut error = async_with::Error::msg("body failed");
    /// error.push(async_with::Error::msg("exit failed"));
    /// assert_eq!(error.to_string(), "exit failed (after 1 earlier error)");
    /// ```
    pub fn push(&mut self, newer: Error) {
        let Errors { newest, earlier } = *newer.0;
        let this = &mut *self.0;
        let previous = std::mem::replace(&mut this.newest, newest);
        this.earlier.reserve(earlier.len() + 1);
        this.earlier.push(previous);
        this.earlier.extend(earlier);
    }

    /// Whether the newest error is an `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = async_with::Error::new(std::fmt::Error);
    /// assert!(error.is::<std::fmt::Error>());
    /// assert!(!error.is::<std::io::Error>());
    /// ```
    pub fn is<E: StdError + 'static>(&self) -> bool {
        self.0.newest.is::<E>()
    }

    /// The newest error as an `E`, if it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = async_with::Error::new(std::io::Error::from(std::io::ErrorKind::NotFound));
    /// let io = error.downcast_ref::<std::io::Error>().unwrap();
    /// assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    /// ```
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.0.newest.downcast_ref()
    }

    /// The newest error as a mutable `E`, if it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut error = async_with::Error::new(std::fmt::Error);
    /// assert!(error.downcast_mut::<std::fmt::Error>().is_some());
    /// ```
    pub fn downcast_mut<E: StdError + 'static>(&mut self) -> Option<&mut E> {
        self.0.newest.downcast_mut()
    }

    /// The error as the user's own `E`, by value.
    ///
    /// Succeeds only for a lone error of type `E`: an aggregate is handed back
    /// unchanged rather than silently dropping its earlier errors (take those
    /// with [`into_errors`](Error::into_errors)).
    ///
    /// # Examples
    ///
    /// ```
    /// let error = async_with::Error::new(std::fmt::Error);
    /// let original: std::fmt::Error = error.downcast().unwrap();
    ///
    /// let mut two = async_with::Error::new(std::fmt::Error);
    /// two.push(async_with::Error::new(std::fmt::Error));
    /// assert!(two.downcast::<std::fmt::Error>().is_err());
    /// ```
    pub fn downcast<E: StdError + 'static>(self) -> Result<E, Self> {
        if !self.0.earlier.is_empty() || !self.0.newest.is::<E>() {
            return Err(self);
        }
        match self.0.newest.downcast::<E>() {
            Ok(original) => Ok(*original),
            Err(newest) => Err(Self::from_boxed(newest)),
        }
    }
}

impl<E> From<E> for Error
where
    E: StdError + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Self::new(error)
    }
}

impl From<Error> for BoxError {
    /// A lone error comes back as the user's original box; an aggregate
    /// becomes an [`ErrorList`] whose `source()` is the newest error.
    fn from(error: Error) -> Self {
        if error.0.earlier.is_empty() {
            error.0.newest
        } else {
            Box::new(ErrorList(error))
        }
    }
}

/// An aggregate [`Error`] seen as one `std::error::Error`, for code that needs
/// a standard error (`Box<dyn Error>`, `anyhow`).
///
/// Its `source()` is the newest error; [`ErrorList::errors`] reaches the rest.
///
/// # Examples
///
/// ```
/// let mut error = async_with::Error::msg("body failed");
/// error.push(async_with::Error::msg("exit failed"));
/// let boxed: async_with::BoxError = error.into();
/// let list = boxed.downcast_ref::<async_with::ErrorList>().unwrap();
/// assert_eq!(list.errors().count(), 2);
/// ```
pub struct ErrorList(Error);

impl ErrorList {
    /// Every error, oldest first.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut error = async_with::Error::msg("a");
    /// error.push(async_with::Error::msg("b"));
    /// let list = async_with::ErrorList::from(error);
    /// assert_eq!(list.errors().last().unwrap().to_string(), "b");
    /// ```
    pub fn errors(
        &self,
    ) -> impl DoubleEndedIterator<Item = &(dyn StdError + Send + Sync + 'static)> {
        self.0.errors()
    }

    /// The [`Error`] back.
    ///
    /// # Examples
    ///
    /// ```
    /// let list = async_with::ErrorList::from(async_with::Error::msg("a"));
    /// assert_eq!(list.into_inner().len(), 1);
    /// ```
    pub fn into_inner(self) -> Error {
        self.0
    }
}

impl From<Error> for ErrorList {
    fn from(error: Error) -> Self {
        Self(error)
    }
}

impl fmt::Debug for ErrorList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ErrorList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl StdError for ErrorList {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.0.newest())
    }
}

impl fmt::Display for Error {
    /// `{}` shows the newest error and how many came before it; `{:#}` lists
    /// every error, oldest first, each with its `source()` chain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            write!(f, "{}", self.0.newest)?;
            return match self.0.earlier.len() {
                0 => Ok(()),
                1 => f.write_str(" (after 1 earlier error)"),
                n => write!(f, " (after {n} earlier errors)"),
            };
        }
        let total = self.len();
        for (index, error) in self.errors().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            if total > 1 {
                write!(f, "{}/{total}: ", index + 1)?;
            }
            write!(f, "{error}")?;
            let mut source = error.source();
            while let Some(cause) = source {
                write!(f, ": {cause}")?;
                source = cause.source();
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.earlier.is_empty() {
            return fmt::Debug::fmt(&self.0.newest, f);
        }
        f.debug_struct("Error")
            .field("newest", &self.0.newest)
            .field("earlier", &self.0.earlier)
            .finish()
    }
}

/// The error behind [`Error::msg`].
struct Message<M>(M);

impl<M: fmt::Display> fmt::Display for Message<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<M: fmt::Debug> fmt::Debug for Message<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<M: fmt::Display + fmt::Debug> StdError for Message<M> {}
