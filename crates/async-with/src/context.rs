//! The protocol: Python's `__aenter__` / `__aexit__`.

use std::future::Future;

use crate::{Error, Exit, Outcome};

/// Something entered and exited asynchronously: the Rust form of Python's
/// `__aenter__` / `__aexit__`.
///
/// - [`enter`](AsyncContext::enter) may fail; it yields the
///   [`Resource`](AsyncContext::Resource) the block works with (Python's
///   `as x`). A failed enter has nothing to clean up: its exit never runs.
/// - [`exit`](AsyncContext::exit) runs exactly once after every successful
///   enter. It gets the context and the resource back **by value**, so it can
///   call consuming methods such as `tx.commit()`, and is told the block's
///   [`Outcome`]. It may fail, and may [`Exit::Suppress`] an error (never a
///   panic).
///
/// Implement it with `async fn`; the scope future is `Send` whenever the
/// context, its resource and the futures of its methods are. Generic code
/// that must *require* `Send` cannot yet name the futures of trait methods on
/// stable Rust, so the constructs here never need to: they are generic, and
/// auto traits flow from the concrete types at the call site. Runtime
/// adapters that move an exit to another task move the context and resource
/// (`Send + 'static`) and create the exit's future there.
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
#[doc(alias = "__aenter__")]
#[doc(alias = "__aexit__")]
#[doc(alias = "AbstractAsyncContextManager")]
pub trait AsyncContext {
    /// What the block works with (Python's `as x`).
    type Resource;

    /// Acquires the resource (`__aenter__`).
    ///
    /// Called at most once. If it fails (or panics, or is cancelled), nothing
    /// was entered and [`exit`](AsyncContext::exit) does not run.
    #[doc(alias = "__aenter__")]
    fn enter(&mut self) -> impl Future<Output = Result<Self::Resource, Error>>;

    /// Releases the resource (`__aexit__`), told how the block ended.
    ///
    /// Runs exactly once after a successful enter. An error it returns is added
    /// to the pending errors (nothing is lost); [`Exit::Suppress`] swallows the
    /// pending error.
    #[doc(alias = "__aexit__")]
    fn exit(
        self,
        resource: Self::Resource,
        outcome: Outcome,
    ) -> impl Future<Output = Result<Exit, Error>>
    where
        Self: Sized;
}

/// An [`AsyncContext`] whose enter and exit futures are `Send`: what a
/// `Send` [`ExitStack`](crate::ExitStack) can hold.
///
/// A stack stores its entries type-erased, so it must know, when an entry is
/// pushed, that the entry's exit future is `Send`; and a context returned as
/// `impl SendAsyncContext` hides the type its futures' `Send`-ness would be
/// read from. Stable Rust cannot yet say
/// that of a generic trait method's future (return-type notation,
/// rust-lang/rust#109417), but it can for a concrete type. This trait is that
/// proof, written once per context type; the bodies are always the same
/// line, and [`send_context!`](crate::send_context) writes them for you. `with`
/// needs none of this, nor does [`LocalExitStack`](crate::LocalExitStack).
///
/// # Examples
///
/// ```
/// use async_with::{AsyncContext, Error, ExitStack, Exit, Outcome};
///
/// struct Conn(&'static str);
///
/// impl AsyncContext for Conn {
///     type Resource = String;
///     async fn enter(&mut self) -> Result<String, Error> {
///         Ok(format!("connection {}", self.0))
///     }
///     async fn exit(self, _: String, _: Outcome) -> Result<Exit, Error> {
///         Ok(Exit::Propagate)
///     }
/// }
/// async_with::send_context!(Conn);
///
/// # futures_lite::future::block_on(async {
/// let mut stack = ExitStack::new();
/// let a = stack.enter(Conn("A")).await?;
/// assert_eq!(a, "connection A");
/// stack.close().await?;
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
pub trait SendAsyncContext: AsyncContext<Resource: Send> + Send {
    /// [`AsyncContext::enter`], with its future proven `Send`.
    fn enter_send(&mut self) -> impl Future<Output = Result<Self::Resource, Error>> + Send;

    /// [`AsyncContext::exit`], with its future proven `Send`.
    fn exit_send(
        self,
        resource: Self::Resource,
        outcome: Outcome,
    ) -> impl Future<Output = Result<Exit, Error>> + Send;
}

/// Implements [`SendAsyncContext`] for context types whose exit future is
/// `Send`; the compiler checks that it is.
///
/// For a generic type, write the impl by hand with the bounds it needs; the
/// bodies are `self.enter()` and `self.exit(resource, outcome)`.
///
/// # Examples
///
/// ```
/// # use async_with::{AsyncContext, Error, Exit, Outcome};
/// struct Lock;
/// impl AsyncContext for Lock {
///     type Resource = ();
///     async fn enter(&mut self) -> Result<(), Error> { Ok(()) }
///     async fn exit(self, (): (), _: Outcome) -> Result<Exit, Error> { Ok(Exit::Propagate) }
/// }
/// async_with::send_context!(Lock);
/// ```
#[macro_export]
macro_rules! send_context {
    ($($context:ty),+ $(,)?) => {$(
        impl $crate::SendAsyncContext for $context {
            fn enter_send(
                &mut self,
            ) -> impl ::core::future::Future<
                Output = ::core::result::Result<
                    <Self as $crate::AsyncContext>::Resource,
                    $crate::Error,
                >,
            > + ::core::marker::Send {
                <Self as $crate::AsyncContext>::enter(self)
            }

            fn exit_send(
                self,
                resource: <Self as $crate::AsyncContext>::Resource,
                outcome: $crate::Outcome,
            ) -> impl ::core::future::Future<
                Output = ::core::result::Result<$crate::Exit, $crate::Error>,
            > + ::core::marker::Send {
                <Self as $crate::AsyncContext>::exit(self, resource, outcome)
            }
        }
    )+};
}
