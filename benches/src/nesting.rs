//! Nesting at a depth fixed by a type: `Level<Level<Leaf>>` is depth 2.
//!
//! Each construct is written once, for one [`Level`]; the depth comes from
//! the type, so the compiler sees the whole nesting statically (no boxing, no
//! recursion at run time), exactly as it would see hand-written nested
//! blocks. Hand-written, `with` and generator-style code therefore have the
//! same shape and differ only in the construct.

use std::future::Future;
use std::panic::{AssertUnwindSafe, resume_unwind};

use async_with::{
    AsyncContext, CancelPolicy, Error, Exit, NoRuntime, Outcome, Yield, context, with,
};
use futures_lite::FutureExt;

use crate::workload::{Tick, body_work, enter_work, exit_work};

/// One nesting of the workload, run through each construct.
///
/// # Examples
///
/// ```
/// use async_with_benches::nesting::{Depth4, Depth16, Nest};
///
/// assert_eq!(Depth16::DEPTH, 16); // deeper nestings need a `recursion_limit`
/// # futures_lite::future::block_on(async {
/// let by_hand = Depth4::default().hand_written(5).await?;
/// assert_eq!(Depth4::default().hand_written_panic_safe(5).await?, by_hand);
/// assert_eq!(Depth4::default().same_guarantees_by_hand(5).await?, by_hand);
/// assert_eq!(Depth4::default().generator(5).await?, by_hand);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub trait Nest: Default {
    /// How many contexts are entered and exited.
    const DEPTH: usize;

    /// Enter, body, exit written out by hand: the physical limit.
    fn hand_written(&self, seed: u64) -> impl Future<Output = Result<u64, Error>>;

    /// [`hand_written`](Nest::hand_written) made panic-safe by hand: each
    /// level catches a panic of the block, runs its exit, then resumes the
    /// panic. The least code that keeps the guarantee cleanup is written
    /// for; a reference, not the limit the targets use.
    fn hand_written_panic_safe(&self, seed: u64) -> impl Future<Output = Result<u64, Error>>;

    /// Every guarantee of [`with`], written by hand: each level enters and
    /// exits a [`Tick`] through its [`AsyncContext`] methods, catches its
    /// block's panic, awaits the exit told the [`Outcome`], resumes the
    /// panic, and, if dropped between enter and exit, hands the context to
    /// the [`NoRuntime`] cancel policy. What a careful engineer (or a macro)
    /// would write instead of [`with`]: the reference the targets compare
    /// with.
    ///
    /// A failed block's error reaches the caller as a message: the exit owns
    /// the [`Outcome`] it is told, and the public API has no way back from
    /// it to the error's own type. Only the success path is timed.
    fn same_guarantees_by_hand(&self, seed: u64) -> impl Future<Output = Result<u64, Error>>;

    /// Each level is a [`with`] of a [`Tick`] context.
    fn with(&self, seed: u64) -> impl Future<Output = Result<u64, Error>>;

    /// Each level is a [`with`] of a generator-style [`context`].
    fn generator(&self, seed: u64) -> impl Future<Output = Result<u64, Error>>;
}

/// The body at the bottom of the nesting.
///
/// # Examples
///
/// ```
/// use async_with_benches::nesting::{Leaf, Nest};
/// # futures_lite::future::block_on(async {
/// assert_eq!(Leaf.with(9).await?, 9);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Leaf;

impl Nest for Leaf {
    const DEPTH: usize = 0;

    async fn hand_written(&self, seed: u64) -> Result<u64, Error> {
        Ok(body_work(seed))
    }

    async fn hand_written_panic_safe(&self, seed: u64) -> Result<u64, Error> {
        Ok(body_work(seed))
    }

    async fn same_guarantees_by_hand(&self, seed: u64) -> Result<u64, Error> {
        Ok(body_work(seed))
    }

    async fn with(&self, seed: u64) -> Result<u64, Error> {
        Ok(body_work(seed))
    }

    async fn generator(&self, seed: u64) -> Result<u64, Error> {
        Ok(body_work(seed))
    }
}

/// One context around `Inner`.
///
/// # Examples
///
/// ```
/// use async_with_benches::nesting::{Leaf, Level, Nest};
/// assert_eq!(<Level<Level<Leaf>>>::DEPTH, 2);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Level<Inner>(pub Inner);

impl<Inner: Nest> Nest for Level<Inner> {
    const DEPTH: usize = Inner::DEPTH + 1;

    async fn hand_written(&self, seed: u64) -> Result<u64, Error> {
        let resource = enter_work(seed).await?;
        let value = self.0.hand_written(resource).await;
        exit_work(resource, value.is_ok()).await?;
        value
    }

    async fn hand_written_panic_safe(&self, seed: u64) -> Result<u64, Error> {
        let resource = enter_work(seed).await?;
        let block = AssertUnwindSafe(self.0.hand_written_panic_safe(resource));
        match block.catch_unwind().await {
            Ok(value) => {
                exit_work(resource, value.is_ok()).await?;
                value
            }
            Err(panic) => {
                let _ = exit_work(resource, false).await;
                resume_unwind(panic)
            }
        }
    }

    async fn same_guarantees_by_hand(&self, seed: u64) -> Result<u64, Error> {
        let mut context = Tick::new(seed);
        let resource = context.enter().await?;
        // No await between the enter and the guard: a drop from here on
        // hands the context to the cancel policy, as `with` does.
        let mut entered = CancelGuard::arm(context, resource, NoRuntime);
        let block = AssertUnwindSafe(self.0.same_guarantees_by_hand(resource));
        let ended = block.catch_unwind().await;
        let (context, resource) = entered.disarm();
        match ended {
            Ok(Ok(value)) => {
                // Nothing pending: a panic of the exit just propagates, and
                // suppressing no error is propagating.
                let _: Exit = context.exit(resource, Outcome::Success).await?;
                Ok(value)
            }
            Ok(Err(error)) => exit_after_error(context, resource, error).await,
            Err(panic) => {
                // The exit's own panic or error must not replace the block's.
                let exit = AssertUnwindSafe(context.exit(resource, Outcome::Panicked));
                let _ = exit.catch_unwind().await;
                resume_unwind(panic)
            }
        }
    }

    async fn with(&self, seed: u64) -> Result<u64, Error> {
        with(Tick::new(seed), async |resource| {
            self.0.with(*resource).await
        })
        .await
    }

    async fn generator(&self, seed: u64) -> Result<u64, Error> {
        let tick = context(async move |scope: Yield<'_, u64>| {
            let resource = enter_work(seed).await?;
            let (resource, outcome) = scope.yield_(resource).await;
            exit_work(resource, outcome.is_success()).await?;
            Ok(())
        });
        with(tick, async |resource| self.0.generator(*resource).await).await
    }
}

/// The exit of a [`Nest::same_guarantees_by_hand`] level whose block
/// failed: told the error, which the caller then gets (as a message, see
/// there) with the exit's own error, if any, after it. A separate function,
/// as `with` keeps its own failure path out of line.
async fn exit_after_error(context: Tick, resource: u64, error: Error) -> Result<u64, Error> {
    let outcome = Outcome::failed(error);
    let Outcome::Failed(pending) = outcome.clone() else {
        unreachable!("a failed outcome carries its error")
    };
    let exited = context.exit(resource, outcome).await;
    let mut error = Error::msg(pending);
    match exited {
        // `Tick` never suppresses; a context that may would need the
        // library's `Suppressed`, which only `with` can build.
        Ok(Exit::Propagate | Exit::Suppress) => {}
        Err(newer) => error.push(newer),
    }
    Err(error)
}

/// An entered context whose exit has not started: dropped armed (the
/// level's future dropped mid-way), it hands the context and its resource
/// to the cancel policy.
struct CancelGuard<C: AsyncContext, P: CancelPolicy<C>> {
    entered: Option<(C, C::Resource)>,
    policy: P,
}

impl<C: AsyncContext, P: CancelPolicy<C>> CancelGuard<C, P> {
    fn arm(context: C, resource: C::Resource, policy: P) -> Self {
        Self {
            entered: Some((context, resource)),
            policy,
        }
    }

    fn disarm(&mut self) -> (C, C::Resource) {
        self.entered
            .take()
            .expect("a level disarms its guard once, before its exit")
    }
}

impl<C: AsyncContext, P: CancelPolicy<C>> Drop for CancelGuard<C, P> {
    fn drop(&mut self) {
        if let Some((context, resource)) = self.entered.take() {
            self.policy.cancelled(context, resource);
        }
    }
}

/// Four levels around `Inner`.
pub type Four<Inner> = Level<Level<Level<Level<Inner>>>>;
/// Sixteen levels around `Inner`.
pub type Sixteen<Inner> = Four<Four<Four<Four<Inner>>>>;

/// Depth 1.
pub type Depth1 = Level<Leaf>;
/// Depth 4.
pub type Depth4 = Four<Leaf>;
/// Depth 16.
pub type Depth16 = Sixteen<Leaf>;
/// Depth 64.
pub type Depth64 = Sixteen<Sixteen<Sixteen<Sixteen<Leaf>>>>;

/// Depth 64 is four sixteens.
const _: () = assert!(Depth64::DEPTH == 64);
