//! The one error type every construct returns, and how several errors are kept.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

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
/// # Into the rest of a Rust program
///
/// `Error` does not implement `std::error::Error` itself: that would clash
/// with the blanket `From` above, as it does for `anyhow::Error`. It goes
/// where a standard error is expected the way `anyhow::Error` does:
///
/// - `?` converts it into `Box<dyn std::error::Error + Send + Sync>` and
///   `Box<dyn std::error::Error>` ([`BoxError`]), and, with this crate's
///   `anyhow` feature, into `anyhow::Error`. A lone error arrives as the
///   user's own box, so it still downcasts to the user's type; an aggregate
///   arrives as an [`ErrorList`].
/// - It dereferences to `dyn std::error::Error + Send + Sync`, so a
///   thiserror variant `#[error(transparent)] Scope(#[from] async_with::Error)`
///   compiles and delegates its `Display` and `source()` to it.
///
/// Seen as a standard error, an aggregate is a `source()` chain: the newest
/// error first (its `Display` says how many came before), then each earlier
/// error from newer to older, then the oldest error's own sources. The
/// oldest error is the block's own failure, so it is the chain's root cause,
/// which `anyhow` prints last under "Caused by". Each link displays one
/// error; to reach the errors by type, use [`errors`](Error::errors) (or
/// [`ErrorList::errors`] after a downcast). The chain is a list, not a
/// recursion: walking, formatting and dropping 10,000 links takes no stack.
///
/// # Size
///
/// `Error` is one pointer wide, so `Result<T, Error>` is as small as `T`
/// plus a tag and is passed up through nested scopes in registers: the
/// success path of every scope pays for the size of its error type.
pub struct Error(Box<Errors>);

/// What an [`Error`] points to: the newest error, then the earlier ones as
/// a list from newer to older, which is also their `source()` chain.
struct Errors {
    newest: BoxError,
    /// Turns `newest`, when it is the only error, into an `anyhow::Error`
    /// of its own type, which a `BoxError` cannot give back to anyhow.
    #[cfg(feature = "anyhow")]
    newest_into_anyhow: fn(BoxError) -> anyhow::Error,
    /// The earlier errors, the next older one first.
    older: Chain,
    /// How many errors the list holds, `newest` included.
    len: usize,
}

/// Earlier errors, newer to older: a list that drops one link at a time,
/// so a list of any length drops without recursion.
#[derive(Default)]
struct Chain(Option<Box<Link>>);

/// One earlier error in an [`Errors`] list.
struct Link {
    error: BoxError,
    /// As [`Errors::newest_into_anyhow`], kept for when this error is the
    /// one left after the others were taken out (a cancel scope removing
    /// its own signal).
    #[cfg(feature = "anyhow")]
    into_anyhow: fn(BoxError) -> anyhow::Error,
    older: Chain,
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
        #[cfg_attr(not(feature = "anyhow"), allow(unused_mut))]
        let mut error = Self::from_boxed(Box::new(error));
        #[cfg(feature = "anyhow")]
        {
            error.0.newest_into_anyhow = crate::anyhow_interop::typed::<E>;
        }
        error
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
            len: weight(&error),
            newest: error,
            #[cfg(feature = "anyhow")]
            newest_into_anyhow: anyhow::Error::from_boxed,
            older: Chain::default(),
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
        match shared_in(&self.0.newest) {
            Some(shared) => shared.newest(),
            None => &*self.0.newest,
        }
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
        let mut newest_first = Vec::with_capacity(self.len());
        for member in std::iter::once(&self.0.newest).chain(self.0.links().map(|link| &link.error))
        {
            match shared_in(member) {
                Some(shared) => newest_first.extend(shared.errors().rev()),
                None => newest_first.push(&**member),
            }
        }
        newest_first.into_iter().rev()
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
            mut older,
            len,
            ..
        } = *self.0;
        let mut newest_first = Vec::with_capacity(len);
        newest_first.push(newest);
        while let Some(link) = older.pop() {
            newest_first.push(link.error);
        }
        newest_first.reverse();
        newest_first
    }

    /// This error without the members `drop_it` picks, in the same order,
    /// each keeping all it had (its type for anyhow); `None` if none is
    /// left.
    pub(crate) fn without(
        self,
        mut drop_it: impl FnMut(&(dyn StdError + Send + Sync + 'static)) -> bool,
    ) -> Option<Self> {
        // Errors still shared with another scope cannot be split: they go
        // together, when `drop_it` picks every one of them.
        self.without_members(|member| match shared_in(member) {
            Some(shared) => shared.errors().all(&mut drop_it),
            None => drop_it(&**member),
        })
    }

    /// This error without the shared errors `shared` stands for, and
    /// whether they were there.
    pub(crate) fn without_shared(self, shared: &Arc<Error>) -> (Option<Self>, bool) {
        let mut found = false;
        let kept = self.without_members(|member| {
            let is_it = member
                .downcast_ref::<Retained>()
                .is_some_and(|retained| Arc::ptr_eq(&retained.0, shared));
            found |= is_it;
            is_it
        });
        (kept, found)
    }

    /// This error without the members `drop_it` picks, each as it is
    /// stored.
    fn without_members(self, mut drop_it: impl FnMut(&BoxError) -> bool) -> Option<Self> {
        let Errors {
            newest,
            mut older,
            #[cfg(feature = "anyhow")]
            newest_into_anyhow,
            ..
        } = *self.0;
        let mut kept = Vec::new();
        let mut keep = |error: BoxError, #[cfg(feature = "anyhow")] into_anyhow| {
            if !drop_it(&error) {
                #[cfg_attr(not(feature = "anyhow"), allow(unused_mut))]
                let mut error = Self::from_boxed(error);
                #[cfg(feature = "anyhow")]
                {
                    error.0.newest_into_anyhow = into_anyhow;
                }
                kept.push(error);
            }
        };
        keep(
            newest,
            #[cfg(feature = "anyhow")]
            newest_into_anyhow,
        );
        while let Some(link) = older.pop() {
            keep(
                link.error,
                #[cfg(feature = "anyhow")]
                link.into_anyhow,
            );
        }
        let mut oldest_first = kept.into_iter().rev();
        let mut error = oldest_first.next()?;
        for newer in oldest_first {
            error.push(newer);
        }
        Some(error)
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
        self.0.len
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
        let Errors {
            newest,
            older: mut newer_older,
            len,
            #[cfg(feature = "anyhow")]
            newest_into_anyhow,
        } = *newer.0;
        let this = &mut *self.0;
        // This list, newest first, goes below the newer one's oldest error.
        let previous = Box::new(Link {
            error: std::mem::replace(&mut this.newest, newest),
            #[cfg(feature = "anyhow")]
            into_anyhow: std::mem::replace(&mut this.newest_into_anyhow, newest_into_anyhow),
            older: std::mem::take(&mut this.older),
        });
        let mut tail = &mut newer_older.0;
        while let Some(link) = tail {
            tail = &mut link.older.0;
        }
        *tail = Some(previous);
        this.older = newer_older;
        this.len += len;
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
        self.newest().is::<E>()
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
        self.newest().downcast_ref()
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
        if self.0.len > 1 || !self.0.newest.is::<E>() {
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
    /// becomes an [`ErrorList`], whose `source()` chain reaches every error.
    fn from(error: Error) -> Self {
        if error.0.len == 1 {
            error.0.newest
        } else {
            Box::new(ErrorList(error))
        }
    }
}

impl From<Error> for Box<dyn StdError + 'static> {
    /// As the conversion into [`BoxError`], for code whose error type is
    /// the plain `Box<dyn Error>`.
    fn from(error: Error) -> Self {
        BoxError::from(error)
    }
}

impl std::ops::Deref for Error {
    type Target = dyn StdError + Send + Sync + 'static;

    /// A lone error is the user's own; an aggregate is the head of its
    /// `source()` chain (see [`Error`]).
    fn deref(&self) -> &Self::Target {
        if self.0.len == 1 {
            &*self.0.newest
        } else {
            &*self.0
        }
    }
}

impl AsRef<dyn StdError + Send + Sync + 'static> for Error {
    fn as_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &**self
    }
}

impl AsRef<dyn StdError + 'static> for Error {
    fn as_ref(&self) -> &(dyn StdError + 'static) {
        &**self
    }
}

impl Error {
    /// A lone error as an `anyhow::Error` of its own type; an aggregate
    /// handed back.
    #[cfg(feature = "anyhow")]
    pub(crate) fn into_anyhow_if_lone(self) -> Result<anyhow::Error, Self> {
        if self.0.len > 1 {
            return Err(self);
        }
        let Errors {
            newest,
            newest_into_anyhow,
            ..
        } = *self.0;
        Ok(newest_into_anyhow(newest))
    }
}

impl Error {
    /// Whether any error, in no particular order, satisfies `check`: for
    /// the crate's own checks, without `errors()`'s ordered collection.
    pub(crate) fn any(
        &self,
        mut check: impl FnMut(&(dyn StdError + Send + Sync + 'static)) -> bool,
    ) -> bool {
        self.any_dyn(&mut check)
    }

    fn any_dyn(
        &self,
        check: &mut dyn FnMut(&(dyn StdError + Send + Sync + 'static)) -> bool,
    ) -> bool {
        std::iter::once(&self.0.newest)
            .chain(self.0.links().map(|link| &link.error))
            .any(|member| match shared_in(member) {
                Some(shared) => shared.any_dyn(check),
                None => check(&**member),
            })
    }
}

/// Errors a scope keeps while another part of the program still holds
/// them (an exit that kept its [`Outcome`](crate::Outcome) alive, a stack
/// closed as a context telling its exits the block's error). They count,
/// and [`Error::errors`] yields them, as the errors they are.
pub(crate) struct Retained(pub(crate) Arc<Error>);

impl fmt::Debug for Retained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Retained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl StdError for Retained {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.0.newest())
    }
}

/// The shared errors a stored member stands for, if it is [`Retained`].
fn shared_in(member: &BoxError) -> Option<&Error> {
    member
        .downcast_ref::<Retained>()
        .map(|retained| &*retained.0)
}

/// How many errors a stored member counts for.
fn weight(member: &BoxError) -> usize {
    shared_in(member).map_or(1, Error::len)
}

impl Errors {
    /// The earlier errors, newer to older.
    fn links(&self) -> impl Iterator<Item = &Link> {
        std::iter::successors(self.older.0.as_deref(), |link| link.older.0.as_deref())
    }
}

impl Chain {
    /// Takes the next older link off the front.
    fn pop(&mut self) -> Option<Box<Link>> {
        let mut link = self.0.take()?;
        self.0 = link.older.0.take();
        Some(link)
    }

    /// The front link as a standard error: the head of a `source()` chain.
    fn head(&self) -> Option<&(dyn StdError + 'static)> {
        self.0
            .as_deref()
            .map(|link| link as &(dyn StdError + 'static))
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        while self.pop().is_some() {}
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.newest)?;
        match self.len - 1 {
            0 => Ok(()),
            1 => f.write_str(" (after 1 earlier error)"),
            n => write!(f, " (after {n} earlier errors)"),
        }
    }
}

impl fmt::Debug for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 1 {
            return fmt::Debug::fmt(&self.newest, f);
        }
        let earlier: Vec<&BoxError> = self.links().map(|link| &link.error).collect();
        f.debug_struct("Error")
            .field("newest", &self.newest)
            .field("earlier_newest_first", &earlier)
            .finish()
    }
}

impl StdError for Errors {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.older.head().or_else(|| self.newest.source())
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.error, f)
    }
}

impl StdError for Link {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.older.head().or_else(|| self.error.source())
    }
}

/// An aggregate [`Error`] seen as one `std::error::Error`, for code that needs
/// a standard error (`Box<dyn Error>`, `anyhow`).
///
/// It displays the newest error and how many came before; its `source()`
/// chain goes through every earlier error, newer to older, to the oldest
/// one's own sources. [`ErrorList::errors`] reaches them by type.
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
    /// The next older error, then each older one in turn, then the oldest
    /// error's own sources (see [`Error`]).
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.0.source()
    }
}

impl fmt::Display for Error {
    /// `{}` shows the newest error and how many came before it; `{:#}` lists
    /// every error, oldest first, each with its `source()` chain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(&*self.0, f);
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
        fmt::Debug::fmt(&*self.0, f)
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
