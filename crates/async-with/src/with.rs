//! `with`: Python's `async with` statement.

use std::future::Future;

use crate::cancel_scope::{Cancellable, Shielded, Unstoppable};
use crate::handover::{CancelPolicyOf, HandOverTogether};
use crate::unwind::{succeeded, unwound};
use crate::{CancelPolicy, Error, LocalAsyncContext, NoRuntime, Outcome};

/// Anything [`with`] can run a block in: every
/// [`AsyncContext`](crate::AsyncContext) and [`LocalAsyncContext`], and
/// generator-style contexts made by [`context`](crate::context).
///
/// Bound generic code on `With` to accept both, as Python code accepts any
/// async context manager.
///
/// # Examples
///
/// ```
/// use async_with::{With, nullcontext};
///
/// async fn twice<C: With<Resource = u32>>(ctx: C) -> Result<u32, async_with::Error> {
///     ctx.with(async |n| Ok(*n * 2)).await
/// }
/// # futures_lite::future::block_on(async {
/// assert_eq!(twice(nullcontext(21)).await?, 42);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub trait With: Sized {
    /// What the block works with.
    type Resource;

    /// Enters, runs `body` with the resource, exits with the body's outcome.
    /// See [`with`].
    fn with<B, T>(self, body: B) -> impl Future<Output = Result<T, Error>>
    where
        B: AsyncFnOnce(&mut Self::Resource) -> Result<T, Error>;
}

impl<C: LocalAsyncContext> With for C {
    type Resource = C::Resource;

    fn with<B, T>(self, body: B) -> impl Future<Output = Result<T, Error>>
    where
        B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
    {
        // `NoRuntime` hands nothing over, so there is no chain to gather
        // (`with_runtime`'s wrapper would be inert, and take room in every
        // level of a nesting).
        scope(NoRuntime, self, body)
    }
}

/// Python's `async with context as resource: body`.
///
/// Enters `context`, lends the resource to `body`, then exits with the
/// body's outcome, and returns the body's value or the error.
///
/// - **Order**: enter, body, exit; nested `with`s exit innermost first.
/// - **Errors**: a failed enter returns its error and runs no exit. A failed
///   body or exit returns the newest error; every earlier one is reachable
///   through [`Error::errors`] (body first).
/// - **Suppression**: the body may return any `T`. When the exit suppresses
///   the body's error there is no value, so `with` returns the
///   [`Suppressed`](crate::Suppressed) error;
///   [`.allow_suppressed()`](crate::AllowSuppressed) reads it as `None`,
///   Python's name left unbound by a suppressed block.
/// - **Panics**: a panic in the body or the exit is caught, the exit still
///   runs (told [`Outcome::Panicked`](crate::Outcome::Panicked)), then the
///   original panic resumes with its original payload.
/// - **Cancellation**: if this future is dropped after the enter completed
///   and before the exit ran, the resource and the context are dropped
///   synchronously and the skipped exit is reported through
///   [`diagnostics`](crate::diagnostics); a runtime adapter runs the exit on
///   its runtime instead. An exit never runs twice, and never without its
///   enter.
///
/// Nesting any number of `with`s allocates nothing on the heap.
///
/// # Examples
///
/// ```
/// use async_with::{context, with};
///
/// # futures_lite::future::block_on(async {
/// let connection = context(async |scope| {
///     println!("ENTER A");
///     let (name, _outcome) = scope.yield_("A").await;
///     println!("EXIT {name}");
///     Ok(())
/// });
/// let used = with(connection, async |name| Ok(format!("using {name}"))).await?;
/// assert_eq!(used, "using A");
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "async with")]
pub fn with<C, B, T>(context: C, body: B) -> impl Future<Output = Result<T, Error>>
where
    C: With,
    B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
{
    context.with(body)
}

/// [`with`] with an explicit [`CancelPolicy`]: what to do with the entered
/// context if this future is dropped mid-way. Runtime adapters call this with
/// their own policy; the core's is [`NoRuntime`].
///
/// # Examples
///
/// ```
/// use async_with::{NoRuntime, nullcontext, with_runtime};
/// # futures_lite::future::block_on(async {
/// let n = with_runtime(NoRuntime, nullcontext(1), async |n| Ok(*n)).await?;
/// assert_eq!(n, 1);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub fn with_runtime<P, C, B, T>(
    policy: P,
    context: C,
    body: B,
) -> impl Future<Output = Result<T, Error>>
where
    P: CancelPolicy<C>,
    C: LocalAsyncContext,
    B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
{
    // Dropped mid-way, a scope whose policy hands exits over gathers its
    // own and those of the scopes inside it into one chain.
    HandOverTogether::<_, CancelPolicyOf<P, C>>::new(scope(policy, context, body))
}

/// One scope: enter, the block, the exit.
///
/// Written for the size of the future, which every enclosing scope and task
/// holds whole. The layout rules it follows:
/// - An `async fn` copies its arguments into locals and keeps both. This is
///   a function returning an `async move` block, and the context stays in
///   one place ([`Scope`]) from its enter to its exit.
/// - A local that holds something at two awaits, or that was ever borrowed,
///   is stored beside every state, the block's future included. How the
///   block ended is moved whole into what one exit path keeps (see
///   `unwind::succeeded`), so that it shares room with the block's future.
fn scope<P, C, B, T>(policy: P, context: C, body: B) -> impl Future<Output = Result<T, Error>>
where
    P: CancelPolicy<C>,
    C: LocalAsyncContext,
    B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
{
    let mut scope = Scope {
        stage: Stage::Entering(context),
        policy,
    };
    async move {
        let resource = scope.context().enter().await?;
        // From here until `disarm`, dropping this future hands the context to
        // the policy: there is no await between the enter completing and
        // this line.
        scope.arm(resource);
        // Panics are caught, and a cancel scope stops the body at a
        // suspension point (see `cancel_scope`).
        let ended = Cancellable::new(body(scope.resource())).await;
        let (context, resource) = scope.disarm();
        // `ended` is moved whole into what each path keeps (see
        // `succeeded`), never matched apart.
        match ended {
            // The common case: no bookkeeping, and the exit's panic, if
            // any, needs no catching (nothing is pending for it to be
            // weighed against). Everything else is out of line.
            Ok(Ok(_)) => {
                let value = succeeded(ended);
                // Suppressing no error is propagating: either answer keeps
                // the value.
                match Unstoppable::new(context.exit(resource, Outcome::Success)).await {
                    Ok(_) => Ok(value),
                    Err(error) => exit_failed_after_success(error).map(|()| value),
                }
            }
            _ => {
                let mut unwind = unwound(ended);
                let exited = Shielded::new(context.exit(resource, unwind.outcome())).await;
                unwind.record_exit(exited);
                unwind.finish(None)
            }
        }
    }
}

/// An exit that failed after its block succeeded: its error, unless it
/// only asked to rewrite a pending error (there is none).
#[cold]
#[inline(never)]
fn exit_failed_after_success(error: Error) -> Result<(), Error> {
    match error.into_rewrite() {
        Ok(_nothing_to_rewrite) => Ok(()),
        Err(error) => Err(error),
    }
}

/// A scope's context from its enter to its exit: dropped after the enter
/// completed and before the exit started (the scope's future dropped
/// mid-way), it hands the context and its resource to the policy.
struct Scope<C: LocalAsyncContext, P: CancelPolicy<C>> {
    stage: Stage<C, C::Resource>,
    policy: P,
}

enum Stage<C, R> {
    Entering(C),
    Entered(C, R),
    Exiting,
}

impl<C: LocalAsyncContext, P: CancelPolicy<C>> Scope<C, P> {
    fn context(&mut self) -> &mut C {
        match &mut self.stage {
            Stage::Entering(context) => context,
            _ => unreachable!("a scope enters its context once, first"),
        }
    }

    fn arm(&mut self, resource: C::Resource) {
        match std::mem::replace(&mut self.stage, Stage::Exiting) {
            Stage::Entering(context) => self.stage = Stage::Entered(context, resource),
            _ => unreachable!("a scope arms once, after its enter"),
        }
    }

    fn resource(&mut self) -> &mut C::Resource {
        match &mut self.stage {
            Stage::Entered(_, resource) => resource,
            _ => unreachable!("the resource is lent only before the exit starts"),
        }
    }

    fn disarm(&mut self) -> (C, C::Resource) {
        match std::mem::replace(&mut self.stage, Stage::Exiting) {
            Stage::Entered(context, resource) => (context, resource),
            _ => unreachable!("an entered context is disarmed once"),
        }
    }

    /// Dropped mid-way: hands an entered context to the policy.
    #[cold]
    #[inline(never)]
    fn cancelled(&mut self) {
        if let Stage::Entered(context, resource) =
            std::mem::replace(&mut self.stage, Stage::Exiting)
        {
            self.policy.cancelled(context, resource);
        }
    }
}

impl<C: LocalAsyncContext, P: CancelPolicy<C>> Drop for Scope<C, P> {
    fn drop(&mut self) {
        if let Stage::Entered(..) = self.stage {
            self.cancelled();
        }
    }
}
