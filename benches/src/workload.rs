//! The micro-workload of every context in the benches: small, but opaque to
//! the optimizer, identical in every construct.

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;

use async_with::{AsyncContext, Error, Exit, ExitStack, Outcome};

/// The enter half of the workload: derives a resource from `seed`.
///
/// # Examples
///
/// ```
/// # futures_lite::future::block_on(async {
/// let resource = async_with_benches::workload::enter_work(1).await?;
/// assert_eq!(resource, 32);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub async fn enter_work(seed: u64) -> Result<u64, Error> {
    Ok(black_box(seed).wrapping_mul(31).wrapping_add(1))
}

/// The exit half of the workload: consumes the resource and the outcome.
///
/// # Examples
///
/// ```
/// # futures_lite::future::block_on(async {
/// async_with_benches::workload::exit_work(32, true).await?;
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub async fn exit_work(resource: u64, success: bool) -> Result<(), Error> {
    black_box((resource, success));
    Ok(())
}

/// The body at the bottom of every nesting: reads the innermost resource.
///
/// # Examples
///
/// ```
/// assert_eq!(async_with_benches::workload::body_work(7), 7);
/// ```
pub fn body_work(resource: u64) -> u64 {
    black_box(resource)
}

/// The workload as an [`AsyncContext`] (Python's class with
/// `__aenter__`/`__aexit__`).
///
/// # Examples
///
/// ```
/// use async_with::with;
/// use async_with_benches::workload::Tick;
///
/// # futures_lite::future::block_on(async {
/// let resource = with(Tick::new(1), async |resource| Ok(*resource)).await?;
/// assert_eq!(resource, 32);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Tick {
    seed: u64,
}

impl Tick {
    /// A context whose resource derives from `seed`.
    ///
    /// # Examples
    ///
    /// ```
    /// let _tick = async_with_benches::workload::Tick::new(3);
    /// ```
    pub fn new(seed: u64) -> Self {
        Self { seed }
    }
}

impl AsyncContext for Tick {
    type Resource = u64;

    async fn enter(&mut self) -> Result<u64, Error> {
        enter_work(self.seed).await
    }

    async fn exit(self, resource: u64, outcome: Outcome) -> Result<Exit, Error> {
        exit_work(resource, outcome.is_success()).await?;
        Ok(Exit::Propagate)
    }
}

/// A cleanup future as a hand-written dynamic stack holds it.
pub type BoxedCleanup = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// The hand-written limit for a dynamic stack (what `ExitStack` is measured
/// against): `entries` enters, each pushing its boxed cleanup future on a
/// `Vec`, then the cleanups popped and awaited in LIFO order.
///
/// # Examples
///
/// ```
/// # futures_lite::future::block_on(async {
/// let sum = async_with_benches::workload::boxed_vec(3).await?;
/// assert_eq!(sum, 1 + 32 + 63);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub async fn boxed_vec(entries: u64) -> Result<u64, Error> {
    let mut cleanups: Vec<BoxedCleanup> = Vec::new();
    let mut sum = 0_u64;
    for seed in 0..entries {
        let resource = enter_work(seed).await?;
        sum = sum.wrapping_add(resource);
        cleanups.push(Box::pin(exit_work(resource, true)));
    }
    let value = body_work(sum);
    while let Some(cleanup) = cleanups.pop() {
        cleanup.await?;
    }
    Ok(value)
}

/// The same dynamic stack through [`ExitStack`]: `entries` [`Tick`]s
/// entered, then closed (Python's `AsyncExitStack`).
///
/// # Examples
///
/// ```
/// use async_with_benches::workload::{boxed_vec, exit_stack};
/// # futures_lite::future::block_on(async {
/// assert_eq!(exit_stack(3).await?, boxed_vec(3).await?);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub async fn exit_stack(entries: u64) -> Result<u64, Error> {
    let mut stack = ExitStack::new();
    let mut sum = 0_u64;
    for seed in 0..entries {
        sum = sum.wrapping_add(*stack.enter(Tick::new(seed)).await?);
    }
    let value = body_work(sum);
    stack.close().await?;
    Ok(value)
}
