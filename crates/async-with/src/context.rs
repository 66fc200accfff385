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
