//! The protocol: Python's `__aenter__` / `__aexit__`, as a `Send` trait and
//! a local variant.
//!
//! This is the pattern of the Rust async working group's `trait-variant`
//! crate, written out: [`AsyncContext`] promises `Send` futures, so generic
//! code bounded on it can be spawned on a multi-threaded runtime;
//! [`LocalAsyncContext`] promises nothing, for contexts with `!Send` parts;
//! a blanket impl makes every `AsyncContext` a `LocalAsyncContext`. It is
//! written by hand rather than generated so that each trait carries its own
//! docs, and so that the `Send` trait also requires `Self: Send` and
//! `Resource: Send`: its futures hold both, so a context that is not `Send`
//! could never satisfy it, and generic code gets the bounds for free.

use std::future::Future;

use crate::{Error, Exit, Outcome};

/// Something entered and exited asynchronously: the Rust form of Python's
/// `__aenter__` / `__aexit__`, with `Send` futures.
///
/// - [`enter`](AsyncContext::enter) may fail; it yields the
///   [`Resource`](AsyncContext::Resource) the block works with (Python's
///   `as x`). A failed enter has nothing to clean up: its exit never runs.
/// - [`exit`](AsyncContext::exit) runs exactly once after every successful
///   enter. It gets the context and the resource back **by value**, so it can
///   call consuming methods such as `tx.commit()`, and is told the block's
///   [`Outcome`]. It may fail, may [`Exit::Suppress`] an error (never a
///   panic), or may rewrite the pending error ([`Error::replace_pending`]:
///   wrap it, keep part of it).
///
/// Implement it with `async fn`; the compiler checks that the futures are
/// `Send`. In return, a context is usable wherever `Send` is required:
/// `tokio::spawn`, an [`ExitStack`](crate::ExitStack), generic code bounded
/// on `C: AsyncContext`, and a runtime adapter's cancellation, which runs
/// the exit of a dropped scope on the runtime. A context with `!Send` parts
/// (an `Rc`, a `RefCell` borrowed across an await) implements
/// [`LocalAsyncContext`] instead; every `AsyncContext` is also a
/// `LocalAsyncContext`.
///
/// # Examples
///
/// A transaction that commits on success and rolls back otherwise:
///
/// ```
/// use async_with::{AsyncContext, Error, Exit, Outcome, with};
///
/// #[derive(Default)]
/// struct Database {
///     committed: Vec<String>,
/// }
///
/// struct Transaction<'db> {
///     db: &'db mut Database,
/// }
///
/// impl<'db> AsyncContext for Transaction<'db> {
///     type Resource = Vec<String>; // the pending writes
///
///     async fn enter(&mut self) -> Result<Vec<String>, Error> {
///         Ok(Vec::new())
///     }
///
///     async fn exit(self, writes: Vec<String>, outcome: Outcome) -> Result<Exit, Error> {
///         if outcome.is_success() {
///             self.db.committed.extend(writes);
///         }
///         Ok(Exit::Propagate)
///     }
/// }
///
/// # futures_lite::future::block_on(async {
/// let mut db = Database::default();
/// with(Transaction { db: &mut db }, async |writes| {
///     writes.push("INSERT alice".to_string());
///     Ok(())
/// })
/// .await?;
/// let failed = with(Transaction { db: &mut db }, async |writes| {
///     writes.push("INSERT bob".to_string());
///     Err::<(), _>(Error::msg("constraint violated"))
/// })
/// .await;
/// assert!(failed.is_err());
/// assert_eq!(db.committed, ["INSERT alice"]);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
///
/// A wrapper generic over an inner context is written the obvious way, and
/// is `Send` because the inner one is; a generic function using it can be
/// spawned:
///
/// ```
/// use async_with::{AsyncContext, Error, Exit, Outcome, nullcontext, with};
///
/// /// Retries the inner context's enter once.
/// struct RetryEnter<C>(C);
///
/// impl<C: AsyncContext> AsyncContext for RetryEnter<C> {
///     type Resource = C::Resource;
///
///     async fn enter(&mut self) -> Result<C::Resource, Error> {
///         match self.0.enter().await {
///             Ok(resource) => Ok(resource),
///             Err(_) => self.0.enter().await,
///         }
///     }
///
///     async fn exit(self, resource: C::Resource, outcome: Outcome) -> Result<Exit, Error> {
///         self.0.exit(resource, outcome).await
///     }
/// }
///
/// async fn use_twice<C: AsyncContext<Resource = u32>>(context: C) -> Result<u32, Error> {
///     with(RetryEnter(context), async |n| Ok(*n * 2)).await
/// }
///
/// fn assert_send<F: Future + Send>(future: F) -> F {
///     future
/// }
/// # futures_lite::future::block_on(async {
/// // `tokio::spawn(use_twice(..))` needs exactly this:
/// let doubled = assert_send(use_twice(nullcontext(21))).await?;
/// assert_eq!(doubled, 42);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
#[doc(alias = "__aenter__")]
#[doc(alias = "__aexit__")]
#[doc(alias = "AbstractAsyncContextManager")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an `AsyncContext` with `Send` futures",
    label = "this context's futures are not known to be `Send`",
    note = "a context with `!Send` parts implements `LocalAsyncContext`: use it with the core's `async_with::with` or an `async_with::LocalExitStack`",
    note = "a generator-style context from `async_with::context` goes to `async_with::with`; to hand one to a runtime, put it on a stack or return it from a function, make it with an adapter's `context` or with `boxed_context`"
)]
pub trait AsyncContext: Send {
    /// What the block works with (Python's `as x`).
    type Resource: Send;

    /// Whether dropping the resource and the context does all the exit
    /// would do when told [`Outcome::Cancelled`] (a lock guard, whose drop
    /// unlocks). A scope dropped mid-way then drops them at once, with
    /// nothing to report and nothing to hand to a runtime. Default: no.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{AsyncContext, Error, Exit, Outcome};
    ///
    /// /// Holds a permit; giving it back is dropping it.
    /// struct Permit(std::sync::Arc<std::sync::atomic::AtomicUsize>);
    ///
    /// impl AsyncContext for Permit {
    ///     type Resource = ();
    ///     const CLEANUP_IS_DROP: bool = true;
    ///
    ///     async fn enter(&mut self) -> Result<(), Error> {
    ///         self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    ///         Ok(())
    ///     }
    ///
    ///     async fn exit(self, (): (), _: Outcome) -> Result<Exit, Error> {
    ///         Ok(Exit::Propagate) // the drop of `self` below gives it back
    ///     }
    /// }
    ///
    /// impl Drop for Permit {
    ///     fn drop(&mut self) {
    ///         self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    ///     }
    /// }
    /// assert!(Permit::CLEANUP_IS_DROP);
    /// ```
    const CLEANUP_IS_DROP: bool = false;

    /// Acquires the resource (`__aenter__`).
    ///
    /// Called at most once. If it fails (or panics, or is cancelled), nothing
    /// was entered and [`exit`](AsyncContext::exit) does not run.
    #[doc(alias = "__aenter__")]
    fn enter(&mut self) -> impl Future<Output = Result<Self::Resource, Error>> + Send;

    /// Releases the resource (`__aexit__`), told how the block ended.
    ///
    /// Runs exactly once after a successful enter. An error it returns is added
    /// to the pending errors (nothing is lost); [`Exit::Suppress`] swallows the
    /// pending error; [`Error::replace_pending`] rewrites it.
    #[doc(alias = "__aexit__")]
    fn exit(
        self,
        resource: Self::Resource,
        outcome: Outcome,
    ) -> impl Future<Output = Result<Exit, Error>> + Send
    where
        Self: Sized;
}

/// [`AsyncContext`] without the `Send` requirement: for contexts with
/// `!Send` parts, used with the core's [`with`](crate::with) and a
/// [`LocalExitStack`](crate::LocalExitStack).
///
/// Every [`AsyncContext`] is a `LocalAsyncContext`, so code that accepts any
/// context, `Send` or not, bounds on this trait. Implement it only for a
/// context that cannot be `Send`.
///
/// # Examples
///
/// A context lending an `Rc`, for a single-threaded executor:
///
/// ```
/// use std::rc::Rc;
/// use async_with::{Error, Exit, LocalAsyncContext, Outcome, with};
///
/// struct Shared(Rc<String>);
///
/// impl LocalAsyncContext for Shared {
///     type Resource = Rc<String>;
///
///     async fn enter(&mut self) -> Result<Rc<String>, Error> {
///         Ok(Rc::clone(&self.0))
///     }
///
///     async fn exit(self, _: Rc<String>, _: Outcome) -> Result<Exit, Error> {
///         Ok(Exit::Propagate)
///     }
/// }
///
/// # futures_lite::future::block_on(async {
/// let name = Rc::new(String::from("local"));
/// let len = with(Shared(name), async |name| Ok(name.len())).await?;
/// assert_eq!(len, 5);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
#[doc(alias = "__aenter__")]
#[doc(alias = "__aexit__")]
pub trait LocalAsyncContext {
    /// What the block works with (Python's `as x`).
    type Resource;

    /// See [`AsyncContext::CLEANUP_IS_DROP`].
    const CLEANUP_IS_DROP: bool = false;

    /// Acquires the resource (`__aenter__`). See [`AsyncContext::enter`].
    #[doc(alias = "__aenter__")]
    fn enter(&mut self) -> impl Future<Output = Result<Self::Resource, Error>>;

    /// Releases the resource (`__aexit__`). See [`AsyncContext::exit`].
    #[doc(alias = "__aexit__")]
    fn exit(
        self,
        resource: Self::Resource,
        outcome: Outcome,
    ) -> impl Future<Output = Result<Exit, Error>>
    where
        Self: Sized;
}

impl<C: AsyncContext> LocalAsyncContext for C {
    type Resource = C::Resource;

    const CLEANUP_IS_DROP: bool = <C as AsyncContext>::CLEANUP_IS_DROP;

    #[inline]
    fn enter(&mut self) -> impl Future<Output = Result<Self::Resource, Error>> {
        <C as AsyncContext>::enter(self)
    }

    #[inline]
    fn exit(
        self,
        resource: Self::Resource,
        outcome: Outcome,
    ) -> impl Future<Output = Result<Exit, Error>> {
        <C as AsyncContext>::exit(self, resource, outcome)
    }
}
