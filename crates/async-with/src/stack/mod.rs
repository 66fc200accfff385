//! `ExitStack`: Python's `AsyncExitStack`, for a number of contexts decided
//! at run time.
//!
//! [`ExitStack`] here is the stack generic over its [`Flavor`] and its
//! [`StackPolicy`]; applications name it through an alias that fixes both:
//! [`async_with::ExitStack`](crate::ExitStack) and
//! [`LocalExitStack`](crate::LocalExitStack) (no runtime), or a runtime
//! adapter crate's `ExitStack`.
//!
//! # Examples
//!
//! ```
//! use async_with::stack::ExitStack;
//! use async_with::{NoRuntime, Sendable, nullcontext};
//!
//! # futures_lite::future::block_on(async {
//! // The same type as `async_with::ExitStack`, spelled out.
//! let mut stack: ExitStack<Sendable, NoRuntime> = async_with::ExitStack::new();
//! stack.enter(nullcontext(1)).await?;
//! stack.close().await?;
//! # Ok::<(), async_with::Error>(()) }).unwrap();
//! ```

mod arena;
mod as_context;
mod drain;
mod entry;
mod flavor;
mod handle;
mod policy;
mod spare;
mod sync_entry;

use std::fmt;
use std::future::{Future, poll_fn};
use std::marker::PhantomData;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::task::Poll;

pub use as_context::Entered;
pub use entry::Entry;
pub use flavor::{Borrowed, Flavor, Local, Sendable};
use handle::Findable;
pub use handle::Handle;
pub use policy::{PendingExits, StackPolicy};

use self::arena::Arena;
use self::drain::Drain;
use self::entry::EntryFor;
use self::entry::sealed::EntryImpl;
use self::sync_entry::SyncEntry;
use crate::cancel_scope::Cancellable;
use crate::handover::{HandOverTogether, NotedTask, StackPolicyOf};
use crate::unwind::{Ended, Unwind};
use crate::{AsyncContext, Error, Exit, LocalAsyncContext, Outcome};

/// A stack of async exits, entered one by one at run time and closed
/// together, last in first out: Python's `contextlib.AsyncExitStack`.
///
/// Enter contexts in a loop or under conditions, and use their resources
/// side by side: [`enter`](ExitStack::enter) takes `&self`, so the resources
/// of several entries can be borrowed at once, as in Python
/// (`a = enter(A); b = enter(B); use(a, b)`).
///
/// - **Order**: exits run newest first, one at a time, each awaited; a failed
///   enter registers nothing, and an entered context is registered before
///   [`enter`](ExitStack::enter) returns (no await between the two).
/// - **Errors**: a failing exit does not stop the others; each later exit
///   sees the newest pending error; the caller gets every error, oldest
///   first, in one [`Error`]. An exit that suppresses clears the errors
///   before it.
/// - **Panics**: under [`scope`](ExitStack::scope) or [`with`](crate::with),
///   a panic in the body or an exit is caught, every exit still runs (told
///   [`Outcome::Panicked`]), then the panic resumes.
/// - **Cleanups of every kind**: contexts ([`enter`](ExitStack::enter),
///   [`push_entered`](ExitStack::push_entered)), async callbacks and exits,
///   values with an async cleanup ([`adopt`](ExitStack::adopt)), and
///   synchronous ones ([`push_sync_callback`](ExitStack::push_sync_callback),
///   [`push_drop`](ExitStack::push_drop)), all in one newest-first order.
/// - **A stack is a context**: under [`with`](crate::with), or entered on
///   another stack, it lends itself to the block and closes as the block
///   ended (see its `AsyncContext` impl). [`setup`](ExitStack::setup) keeps
///   what a setup entered only if the setup succeeds (Python's `pop_all`
///   idiom).
/// - **Cancellation**: [`close`](ExitStack::close) is resumable: dropped
///   during an exit, that exit is abandoned and a second `close` runs the
///   rest. A stack dropped with exits left hands them to its
///   [`StackPolicy`]: with [`NoRuntime`](crate::NoRuntime), the resources' synchronous `Drop`
///   runs newest first and the skipped exits are reported through
///   [`diagnostics`](crate::diagnostics); a runtime adapter runs them.
/// - **Cost**: entries live in memory the stack takes in chunks, each twice
///   the size of the last, so a stack of `n` entries asks the allocator
///   about `log2(n)` times, and a stack closed and filled again not at all
///   (a stack that grew past 64 KiB gives its memory back when closed). A
///   dropped stack leaves up to 16 KiB of it to the next stack made on the
///   same thread, so short-lived stacks of a few entries do not allocate. An
///   entry's exit future is made where its entry lives, so it need not be
///   `Unpin`. Closing is a loop: a million entries close without growing
///   the call stack.
///
/// # `Send` and `'static`
///
/// Entries are type-erased, so whether the stack is `Send` is chosen when it
/// is made, and so is what a dropped stack does with its exits (its
/// [`StackPolicy`]): name the stack through an alias that fixes both,
/// [`async_with::ExitStack`](crate::ExitStack) and
/// [`LocalExitStack`](crate::LocalExitStack) here, `ExitStack` in a runtime
/// adapter crate. `ExitStack` (the [`Sendable`] flavor) is `Send + Sync` and takes
/// [`AsyncContext`]s and `Send` callbacks; [`LocalExitStack`](crate::LocalExitStack) takes
/// any [`LocalAsyncContext`] and is `!Send`.
///
/// Entries of [`ExitStack`](crate::ExitStack) and
/// [`LocalExitStack`](crate::LocalExitStack) are `'static` (they own what
/// they clean up, like the tasks of a `JoinSet`), so that a dropped stack's
/// exits can be handed to a runtime. Entries that borrow from the caller (a
/// transaction over `&mut Connection`) go on a
/// [`ScopedExitStack`](crate::ScopedExitStack) (the [`Borrowed`] flavor),
/// which cannot outlive what they borrow and is `!Send`: a `Send` stack
/// with a lifetime would make today's compiler fail to prove an async
/// closure over `&ExitStack<'a>` `Send` inside `tokio::spawn`
/// ("implementation of `AsyncFnOnce` is not general enough",
/// rust-lang/rust#64552), which would break [`scope`](ExitStack::scope)
/// where it is needed most. Nested [`with`](crate::with)s borrow freely
/// and are `Send`.
///
/// # Examples
///
/// ```
/// use async_with::{ExitStack, nullcontext};
///
/// # futures_lite::future::block_on(async {
/// let mut stack = ExitStack::new();
/// let mut names = Vec::new();
/// for name in ["A", "B", "C"] {
///     names.push(stack.enter(nullcontext(name)).await?);
/// }
/// stack.push_callback(|| async {
///     println!("runs first: the newest exit");
///     Ok(())
/// });
/// assert_eq!(names.iter().map(|n| **n).collect::<String>(), "ABC");
/// stack.close().await?;
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "AsyncExitStack")]
#[doc(alias = "AsyncDisposableStack")]
pub struct ExitStack<K: Flavor, P: StackPolicy<K>> {
    arena: Arena<K::Entry>,
    /// Errors and panics from a `close` that was interrupted, for the next.
    pending: Mutex<Unwind>,
    /// The task that first entered a context into the stack, when its
    /// policy hands exits over: a dropped stack's exits are chained after
    /// what that task handed over just before.
    task: OnceLock<NotedTask>,
    policy: P,
}

impl<P: StackPolicy<Sendable> + Default> ExitStack<Sendable, P> {
    /// An empty `Send` stack whose exits, if it is dropped before they ran,
    /// go to the policy its type names: none for
    /// [`async_with::ExitStack`](crate::ExitStack), the runtime for an
    /// adapter crate's `ExitStack`.
    ///
    /// # Examples
    ///
    /// ```
    /// let stack = async_with::ExitStack::new();
    /// assert!(stack.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_policy(P::default())
    }
}

impl<P: StackPolicy<Sendable>> ExitStack<Sendable, P> {
    /// An empty `Send` stack whose exits, if it is dropped before they ran,
    /// go to `policy` (a runtime adapter's marker type, for instance). Both
    /// type parameters are inferred: the flavor is [`Sendable`], the policy
    /// is `policy`'s type.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::NoRuntime;
    /// use async_with::stack::ExitStack;
    /// # futures_lite::future::block_on(async {
    /// let stack = ExitStack::with_policy(NoRuntime);
    /// stack.enter(async_with::nullcontext(1)).await?;
    /// assert_eq!(stack.len(), 1);
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn with_policy(policy: P) -> Self {
        Self::flavored(policy)
    }
}

impl<P: StackPolicy<Local>> ExitStack<Local, P> {
    /// [`with_policy`](ExitStack::with_policy) for a
    /// [`LocalExitStack`](crate::LocalExitStack), whose entries may be
    /// `!Send`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    /// use async_with::NoRuntime;
    /// use async_with::stack::ExitStack;
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::local_with_policy(NoRuntime);
    /// let shared = stack.push_drop(Rc::new(1)); // `!Send`
    /// assert_eq!(**shared, 1);
    /// stack.close().await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn local_with_policy(policy: P) -> Self {
        Self::flavored(policy)
    }
}

impl<P: StackPolicy<Local> + Default> ExitStack<Local, P> {
    /// An empty [`LocalExitStack`](crate::LocalExitStack), whose entries
    /// may be `!Send`.
    ///
    /// # Examples
    ///
    /// ```
    /// let stack = async_with::LocalExitStack::new();
    /// assert!(stack.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::local_with_policy(P::default())
    }
}

impl<'a, P: StackPolicy<Borrowed<'a>> + Default> ExitStack<Borrowed<'a>, P> {
    /// An empty [`ScopedExitStack`](crate::ScopedExitStack), whose entries
    /// may borrow from the caller.
    ///
    /// # Examples
    ///
    /// ```
    /// let stack = async_with::ScopedExitStack::new();
    /// assert!(stack.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::flavored(P::default())
    }
}

impl<K: Flavor, P: StackPolicy<K> + Default> Default for ExitStack<K, P> {
    fn default() -> Self {
        Self::flavored(P::default())
    }
}

impl<K: Flavor, P: StackPolicy<K>> ExitStack<K, P> {
    fn flavored(policy: P) -> Self {
        Self {
            arena: Arena::new(),
            pending: Mutex::new(Unwind::default()),
            task: OnceLock::new(),
            policy,
        }
    }

    /// How many exits are registered.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures_lite::future::block_on(async {
    /// let stack = async_with::ExitStack::new();
    /// stack.enter(async_with::nullcontext(())).await?;
    /// assert_eq!(stack.len(), 1);
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.arena.len()
    }

    /// Whether no exit is registered.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(async_with::ExitStack::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The resource of the entry `handle` names, if that entry is still on
    /// this stack and its exit has not started. Finds it from the newest
    /// entry down, so it costs one step per entry above it.
    ///
    /// # Examples
    ///
    /// See [`enter_handle`](ExitStack::enter_handle) and [`Handle`].
    pub fn get_mut<R>(&mut self, handle: &Handle<R>) -> Option<&mut R> {
        let entry = self.arena.find(handle.address)?;
        (handle.resource)(entry.payload_any()?, handle.id)
    }

    /// Moves every registered exit into a new stack, leaving this one empty
    /// and usable: Python's `pop_all`, to hand resources over to a caller
    /// once setup succeeded.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{ExitStack, nullcontext};
    /// # futures_lite::future::block_on(async {
    /// let mut setup = ExitStack::new();
    /// setup.enter(nullcontext("A")).await?;
    /// setup.enter(nullcontext("B")).await?;
    /// // every step succeeded: keep the resources past this scope
    /// let mut kept = setup.pop_all();
    /// assert_eq!((setup.len(), kept.len()), (0, 2));
    /// setup.close().await?; // closes nothing
    /// kept.close().await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "move")]
    pub fn pop_all(&mut self) -> Self
    where
        P: Clone,
    {
        Self {
            arena: self.arena.take_all(),
            pending: Mutex::new(Unwind::default()),
            task: self.task.clone(),
            policy: self.policy.clone(),
        }
    }

    /// Runs every registered exit, newest first, and returns every error
    /// they raised: Python's `aclose()`.
    ///
    /// Resumable: if this future is dropped during an exit, that exit is
    /// abandoned (never re-run), and the next `close` runs only the exits not
    /// yet started, and returns the errors of both.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{Error, ExitStack};
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::new();
    /// stack.push_callback(|| async { Err(Error::msg("first registered, runs last")) });
    /// stack.push_callback(|| async { Err(Error::msg("runs first")) });
    /// let error = stack.close().await.unwrap_err();
    /// let order: Vec<_> = error.errors().map(|e| e.to_string()).collect();
    /// assert_eq!(order, ["runs first", "first registered, runs last"]);
    /// # });
    /// ```
    #[doc(alias = "aclose")]
    #[doc(alias = "disposeAsync")]
    pub async fn close(&mut self) -> Result<(), Error> {
        self.close_with(Ok(())).await
    }

    /// Runs every registered exit as if the block had ended with `ended`:
    /// on `Err`, each exit sees the error and may suppress it. Python's
    /// `__aexit__(exc_type, exc, tb)` on the stack.
    ///
    /// Resumable like [`close`](ExitStack::close). `ended` is recorded when
    /// the future is first polled: a `close_with` dropped unpolled drops
    /// its error with it.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{Error, ExitStack, suppress};
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::new();
    /// stack.enter(suppress::<std::fmt::Error>()).await?;
    /// stack.close_with(Err(std::fmt::Error.into())).await?; // suppressed
    /// # Ok::<(), Error>(()) }).unwrap();
    /// ```
    pub async fn close_with(&mut self, ended: Result<(), Error>) -> Result<(), Error> {
        let Self { arena, pending, .. } = self;
        let state = pending.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Err(error) = ended {
            state.record_error(error);
        }
        Drain::new(arena, state).await;
        // Nothing to report: leave the record as it is, empty.
        if state.is_clean() {
            return Ok(());
        }
        std::mem::take(state).finish(Some(()))
    }

    /// Runs `body` with this stack, then closes it with the body's outcome:
    /// Python's `async with AsyncExitStack() as stack: body`.
    ///
    /// A panic in the body or an exit is caught, every exit runs, then the
    /// original panic resumes. A suppressed error leaves the body without a
    /// value: the scope returns [`Suppressed`](crate::Suppressed) (see
    /// [`AllowSuppressed`](crate::AllowSuppressed)).
    /// Inside a [`CancelScope`](crate::CancelScope) or
    /// [`timeout`](crate::timeout), the body stops at its next suspension
    /// point once the scope is cancelled, and the exits run inline, told the
    /// cancellation error.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{ExitStack, nullcontext};
    /// # futures_lite::future::block_on(async {
    /// let total = ExitStack::new()
    ///     .scope(async |stack| {
    ///         let a = stack.enter(nullcontext(1)).await?;
    ///         let b = stack.enter(nullcontext(2)).await?;
    ///         Ok(*a + *b)
    ///     })
    ///     .await?;
    /// assert_eq!(total, 3);
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn scope<B, T>(self, body: B) -> impl Future<Output = Result<T, Error>>
    where
        B: AsyncFnOnce(&Self) -> Result<T, Error>,
    {
        // Dropped mid-way, the scope hands over its exits and those of the
        // scopes inside it as one chain.
        HandOverTogether::<_, StackPolicyOf<P, K>>::new(self.run_scope(body))
    }

    async fn run_scope<B, T>(mut self, body: B) -> Result<T, Error>
    where
        B: AsyncFnOnce(&Self) -> Result<T, Error>,
    {
        // Panics are caught, and a cancel scope stops the body at a
        // suspension point; the exits below then run inline.
        let ended = Cancellable::new(body(&self)).await;
        self.close_after(ended).await
    }

    /// Records how the body `ended`, runs every exit, and ends the scope:
    /// the body's value, or the error, or the panic resumed.
    async fn close_after<T>(&mut self, ended: Ended<T>) -> Result<T, Error> {
        let Self { arena, pending, .. } = self;
        let state = pending.get_mut().unwrap_or_else(PoisonError::into_inner);
        let value = state.record_body(ended);
        Drain::new(arena, state).await;
        std::mem::take(state).finish(value)
    }

    /// Runs `body` with this stack and, if it succeeds, gives the stack
    /// back holding everything the body entered, with the body's value:
    /// Python's "keep the resources once setup succeeded" idiom,
    /// `async with AsyncExitStack() as stack: ...; self._stack = stack.pop_all()`.
    ///
    /// If the body fails, every exit runs told its error and the error is
    /// returned; if it panics, every exit runs told `Panicked` and the
    /// panic resumes; an error the exits suppress gives
    /// [`Suppressed`](crate::Suppressed) (nothing was kept). If this future
    /// is dropped mid-way, the stack's exits go to its [`StackPolicy`], as
    /// for [`scope`](ExitStack::scope). Nothing entered is ever left
    /// without its exit.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{Error, ExitStack, nullcontext};
    /// # futures_lite::future::block_on(async {
    /// // Setup succeeds: the caller keeps both resources, to close later.
    /// let (mut kept, names) = ExitStack::new()
    ///     .setup(async |stack| {
    ///         let a = stack.enter(nullcontext("a")).await?;
    ///         let b = stack.enter(nullcontext("b")).await?;
    ///         Ok(format!("{a}{b}"))
    ///     })
    ///     .await?;
    /// assert_eq!((kept.len(), names.as_str()), (2, "ab"));
    /// kept.close().await?;
    ///
    /// // Setup fails half-way: what was entered is closed, told the error.
    /// let error = ExitStack::new()
    ///     .setup(async |stack| {
    ///         stack.enter(nullcontext("a")).await?;
    ///         Err::<(), _>(Error::msg("second connection refused"))
    ///     })
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(error.to_string(), "second connection refused");
    /// # Ok::<(), Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "pop_all")]
    pub fn setup<B, T>(self, body: B) -> impl Future<Output = Result<(Self, T), Error>>
    where
        B: AsyncFnOnce(&Self) -> Result<T, Error>,
    {
        HandOverTogether::<_, StackPolicyOf<P, K>>::new(self.run_setup(body))
    }

    async fn run_setup<B, T>(mut self, body: B) -> Result<(Self, T), Error>
    where
        B: AsyncFnOnce(&Self) -> Result<T, Error>,
    {
        match Cancellable::new(body(&self)).await {
            Ok(Ok(value)) => Ok((self, value)),
            // A failed body leaves no value: the close ends in its error,
            // `Suppressed`, or its panic.
            failed => match self.close_after(failed).await {
                Ok(_) => unreachable!("a failed body has no value to return"),
                Err(error) => Err(error),
            },
        }
    }

    /// Registers the entry `make` returns, written straight into place.
    #[inline]
    fn push<T>(&self, make: impl FnOnce() -> T) -> std::pin::Pin<&mut T>
    where
        K: flavor::Holds<T>,
        T: Entry,
    {
        self.arena.push(make, K::erase::<T>)
    }
}

/// The methods that register exits, for one flavor: the `Send` one asks for
/// `Send` parts, the local one does not.
macro_rules! registering_methods {
    ($flavor:ty, [$($lifetime:lifetime)?], $context_bound:ident, $life:lifetime, $($send:tt)*) => {
impl<$($lifetime,)? P: StackPolicy<$flavor>> ExitStack<$flavor, P> {
    /// Enters `context` and registers its exit; returns its resource,
    /// borrowed for as long as the stack is: Python's
    /// `await stack.enter_async_context(cm)`.
    ///
    /// If the enter fails, nothing is registered and the error is returned.
    /// Once the enter has completed, the exit is registered before this
    /// future completes, with no await in between: dropping this future
    /// cannot lose the exit.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{ExitStack, nullcontext};
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::new();
    /// let a = stack.enter(nullcontext(String::from("A"))).await?;
    /// let b = stack.enter(nullcontext(String::from("B"))).await?;
    /// a.push_str(b); // both resources at once
    /// assert_eq!(a, "AB");
    /// stack.close().await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "enter_async_context")]
    #[doc(alias = "enter_context")]
    pub async fn enter<C>(&self, mut context: C) -> Result<&mut C::Resource, Error>
    where
        C: $context_bound + $life,
    {
        if P::HANDS_OVER && self.task.get().is_none() {
            self.note_task().await;
        }
        let resource = <C as $context_bound>::enter(&mut context).await?;
        Ok(self.push_entered(context, resource))
    }

    /// [`enter`](ExitStack::enter), giving back a [`Handle`] instead of a
    /// borrow: the resource is reached later, through the stack, with
    /// [`get_mut`](ExitStack::get_mut), once the stack can be borrowed
    /// mutably (after a loop, in another task, after
    /// [`pop_all`](ExitStack::pop_all)).
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{ExitStack, nullcontext};
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::new();
    /// let handle = stack.enter_handle(nullcontext(String::from("conn"))).await?;
    /// stack.enter(nullcontext(1)).await?; // other entries come and go
    /// stack.get_mut(&handle).unwrap().push_str(" #1");
    /// assert_eq!(stack.get_mut(&handle).unwrap(), "conn #1");
    /// stack.close().await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub async fn enter_handle<C>(&self, mut context: C) -> Result<Handle<C::Resource>, Error>
    where
        C: $context_bound + 'static,
    {
        if P::HANDS_OVER && self.task.get().is_none() {
            self.note_task().await;
        }
        let resource = <C as $context_bound>::enter(&mut context).await?;
        let id = Handle::<C::Resource>::next_id();
        let entry = self.push(|| Findable::new(EntryFor::new((id, context, resource), |(_, context, resource): (u64, C, C::Resource), outcome| {
            <C as $context_bound>::exit(context, resource, outcome)
        })));
        Ok(Handle {
            address: std::ptr::from_ref(&*entry).cast::<()>() as usize,
            id,
            resource: |payload, id| match payload.downcast_mut::<(u64, C, C::Resource)>() {
                Some((entry_id, _, resource)) if *entry_id == id => Some(resource),
                _ => None,
            },
            kind: PhantomData,
        })
    }

    /// Registers the exit of a context entered elsewhere, with the resource
    /// its enter gave, and lends the resource back: Python's
    /// `push_async_exit(cm)` for a context manager already entered. The
    /// exit runs with the others, newest first, told how the block ended.
    ///
    /// Python's `push_async_exit(cm)` registers `cm.__aexit__` without
    /// calling `__aenter__`; here an exit takes the resource its enter
    /// gave, so the context is pushed with that resource. A context whose
    /// enter gives nothing (`Resource = ()`) is pushed unentered with
    /// `push_entered(cm, ())`.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{AsyncContext, ExitStack, nullcontext};
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::new();
    /// let mut context = nullcontext(String::from("entered by hand"));
    /// let resource = context.enter().await?; // before the stack existed, say
    /// let lent = stack.push_entered(context, resource);
    /// lent.push_str(", exited by the stack");
    /// stack.close().await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "push_async_exit")]
    #[inline]
    pub fn push_entered<C>(&self, context: C, resource: C::Resource) -> &mut C::Resource
    where
        C: $context_bound + $life,
    {
        let entry = self.push(|| EntryFor::new((context, resource), |(context, resource): (C, C::Resource), outcome| {
            <C as $context_bound>::exit(context, resource, outcome)
        }));
        match entry.payload() {
            Some((_, resource)) => resource,
            None => unreachable!("a new entry holds its payload"),
        }
    }

    /// Registers an exit callback that sees how the block ended and may
    /// suppress its error: Python's `push_async_exit`.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::{ExitStack, Exit, Outcome};
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::new();
    /// stack.push_exit(|outcome: Outcome| async move {
    ///     Ok(if outcome.error().is_some() { Exit::Suppress } else { Exit::Propagate })
    /// });
    /// stack.close_with(Err(async_with::Error::msg("swallowed"))).await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "push_async_exit")]
    pub fn push_exit<M, F>(&self, exit: M)
    where
        M: FnOnce(Outcome) -> F + $($send)* $life,
        F: Future<Output = Result<Exit, Error>> + $($send)* $life,
    {
        self.push(|| EntryFor::new(exit, |exit: M, outcome| exit(outcome)));
    }

    /// Registers an async cleanup callback, which cannot suppress errors:
    /// Python's `push_async_callback`.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::ExitStack;
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::new();
    /// stack.push_callback(|| async {
    ///     println!("cleaning up");
    ///     Ok(())
    /// });
    /// stack.close().await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "push_async_callback")]
    pub fn push_callback<M, F>(&self, callback: M)
    where
        M: FnOnce() -> F + $($send)* $life,
        F: Future<Output = Result<(), Error>> + $($send)* $life,
    {
        self.push(|| EntryFor::new(callback, |callback: M, _outcome| async move {
            callback().await?;
            Ok(Exit::Propagate)
        }));
    }

    /// Takes `value` into the stack with its own async cleanup, and lends
    /// it back: for resources that are not contexts (a connection closed by
    /// `conn.close().await`).
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::ExitStack;
    /// # futures_lite::future::block_on(async {
    /// let mut stack = ExitStack::new();
    /// let buffer = stack.adopt(Vec::new(), |lines: Vec<&str>| async move {
    ///     println!("flushing {} lines", lines.len());
    ///     Ok(())
    /// });
    /// buffer.push("hello");
    /// stack.close().await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub fn adopt<T, M, F>(&self, value: T, cleanup: M) -> &mut T
    where
        T: $($send)* $life,
        M: FnOnce(T) -> F + $($send)* $life,
        F: Future<Output = Result<(), Error>> + $($send)* $life,
    {
        let entry = self.push(|| EntryFor::new((value, cleanup), |(value, cleanup): (T, M), _outcome| async move {
            cleanup(value).await?;
            Ok(Exit::Propagate)
        }));
        match entry.payload() {
            Some((value, _)) => value,
            None => unreachable!("a new entry holds its payload"),
        }
    }

    /// Registers a synchronous cleanup callback, run in turn with the
    /// other exits (newest first), which cannot suppress errors: Python's
    /// `ExitStack.callback`, TC39's `DisposableStack.defer`.
    ///
    /// Nothing in it is awaited, so a stack dropped before it was closed
    /// runs it right there, told the block was cancelled, rather than
    /// skipping it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use async_with::ExitStack;
    /// # futures_lite::future::block_on(async {
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let mut stack = ExitStack::new();
    /// let first = Arc::clone(&log);
    /// stack.push_sync_callback(move || {
    ///     first.lock().unwrap().push("sync, registered first");
    ///     Ok(())
    /// });
    /// let second = Arc::clone(&log);
    /// stack.push_callback(move || async move {
    ///     second.lock().unwrap().push("async");
    ///     Ok(())
    /// });
    /// stack.close().await?;
    /// assert_eq!(*log.lock().unwrap(), ["async", "sync, registered first"]);
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "callback")]
    #[doc(alias = "defer")]
    pub fn push_sync_callback<M>(&self, callback: M)
    where
        M: FnOnce() -> Result<(), Error> + $($send)* $life,
    {
        self.push(|| SyncEntry::new(callback, |callback: M, _outcome| {
            callback()?;
            Ok(Exit::Propagate)
        }));
    }

    /// Takes `value` into the stack, whose `Drop` is its cleanup, and
    /// lends it back: the value is dropped in turn with the other exits
    /// (newest first), not when the stack is. TC39's
    /// `DisposableStack.use`.
    ///
    /// A stack dropped before it was closed drops the value right there,
    /// in the same order; nothing is reported as skipped.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with::ExitStack;
    /// # futures_lite::future::block_on(async {
    /// struct Lock(&'static str);
    /// impl Drop for Lock {
    ///     fn drop(&mut self) {
    ///         println!("released {}", self.0);
    ///     }
    /// }
    /// let mut stack = ExitStack::new();
    /// let lock = stack.push_drop(Lock("a"));
    /// assert_eq!(lock.0, "a");
    /// stack.push_callback(|| async {
    ///     println!("runs first, while the lock is held");
    ///     Ok(())
    /// });
    /// stack.close().await?; // then "released a"
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    #[doc(alias = "use")]
    pub fn push_drop<T>(&self, value: T) -> &mut T
    where
        T: $($send)* $life,
    {
        let entry = self.push(|| SyncEntry::new(value, |value: T, _outcome| {
            drop(value);
            Ok(Exit::Propagate)
        }));
        match entry.payload() {
            Some(value) => value,
            None => unreachable!("a new entry holds its payload"),
        }
    }
}
    };
}

registering_methods!(Sendable, [], AsyncContext, 'static, Send+);
registering_methods!(Local, [], LocalAsyncContext, 'static,);
registering_methods!(Borrowed<'a>, ['a], LocalAsyncContext, 'a,);

impl<K: Flavor, P: StackPolicy<K>> ExitStack<K, P> {
    /// Remembers the task polling this stack (see `task`).
    #[cold]
    fn note_task(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(|cx| {
            let _ = self.task.set(NotedTask::new(cx.waker().clone()));
            Poll::Ready(())
        })
    }
}

impl<K: Flavor, P: StackPolicy<K>> Drop for ExitStack<K, P> {
    fn drop(&mut self) {
        if !self.arena.is_empty() {
            let exits = PendingExits::new(self.arena.take_all(), self.task.take());
            self.policy.cancelled(exits);
        }
    }
}

impl<K: Flavor, P: StackPolicy<K>> fmt::Debug for ExitStack<K, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExitStack")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}
