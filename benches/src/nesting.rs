//! Nesting at a depth fixed by a type: `Level<Level<Leaf>>` is depth 2.
//!
//! Each construct is written once, for one [`Level`]; the depth comes from
//! the type, so the compiler sees the whole nesting statically (no boxing, no
//! recursion at run time), exactly as it would see hand-written nested
//! blocks. Hand-written, `with` and generator-style code therefore have the
//! same shape and differ only in the construct.

use std::future::Future;
use std::panic::{AssertUnwindSafe, resume_unwind};

use async_with::{Error, Yield, context, with};
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
