//! Every runtime the benches run on, built once, outside the timed loops.
//!
//! criterion 0.8 ships executors for tokio and smol only; [`AsyncStd`] and
//! [`BlockOn`] implement its public
//! [`AsyncExecutor`] trait for the
//! others. criterion's async `iter` drives the whole timed loop inside one
//! `block_on`, so an iteration costs the future itself, not a runtime entry.

use std::fmt;
use std::future::Future;

use criterion::async_executor::{AsyncExecutor, SmolExecutor};
use tokio::runtime::Runtime;

/// Which runtime a [`BenchRuntime`] is, for benches that use the runtime's
/// own resources (its mutex, sockets, files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// tokio, current-thread or multi-thread.
    Tokio,
    /// smol (global executor, async-io reactor).
    Smol,
    /// async-std.
    AsyncStd,
    /// `futures_lite::future::block_on`: no executor to spawn on; I/O goes
    /// through async-io (smol's reactor), which runs its own thread.
    BlockOn,
}

/// A runtime the benches run on: a criterion executor with a name, a way to
/// spawn, and its [`Kind`].
///
/// # Examples
///
/// ```
/// use async_with_benches::runtime::{BenchRuntime, BlockOn};
/// use criterion::async_executor::AsyncExecutor;
///
/// assert_eq!(BlockOn.name(), "block_on");
/// assert!(BlockOn.spawn(async { 1 }).is_none());
/// assert_eq!(BlockOn.block_on(async { 2 }), 2);
/// ```
pub trait BenchRuntime: AsyncExecutor + Copy {
    /// The name used in bench ids and in the report.
    fn name(self) -> &'static str;

    /// Which runtime this is.
    fn kind(self) -> Kind;

    /// Spawns `future` as a task, returning a future of its output; `None`
    /// when this runtime has no executor to spawn on. Call it from inside
    /// [`AsyncExecutor::block_on`] of the same runtime.
    fn spawn<T: Send + 'static>(
        self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Option<impl Future<Output = T> + Send + 'static>;

    /// Spawns `future` as a detached task; `false` when this runtime has no
    /// executor to spawn on.
    fn spawn_detached(self, future: impl Future<Output = ()> + Send + 'static) -> bool;
}

/// tokio, current-thread or multi-thread, borrowed from [`Runtimes`].
#[derive(Clone, Copy)]
pub struct Tokio<'rt> {
    runtime: &'rt Runtime,
    name: &'static str,
}

impl fmt::Debug for Tokio<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokio").field("name", &self.name).finish()
    }
}

impl AsyncExecutor for Tokio<'_> {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }
}

impl BenchRuntime for Tokio<'_> {
    fn name(self) -> &'static str {
        self.name
    }

    fn kind(self) -> Kind {
        Kind::Tokio
    }

    fn spawn<T: Send + 'static>(
        self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Option<impl Future<Output = T> + Send + 'static> {
        let handle = self.runtime.spawn(future);
        Some(async move { handle.await.expect("a bench task panicked") })
    }

    fn spawn_detached(self, future: impl Future<Output = ()> + Send + 'static) -> bool {
        drop(self.runtime.spawn(future)); // a dropped JoinHandle detaches
        true
    }
}

/// smol: `smol::block_on`, tasks on smol's global executor.
#[derive(Debug, Clone, Copy)]
pub struct Smol;

impl AsyncExecutor for Smol {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        SmolExecutor.block_on(future)
    }
}

impl BenchRuntime for Smol {
    fn name(self) -> &'static str {
        "smol"
    }

    fn kind(self) -> Kind {
        Kind::Smol
    }

    fn spawn<T: Send + 'static>(
        self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Option<impl Future<Output = T> + Send + 'static> {
        Some(smol::spawn(future))
    }

    fn spawn_detached(self, future: impl Future<Output = ()> + Send + 'static) -> bool {
        smol::spawn(future).detach(); // a dropped smol Task cancels
        true
    }
}

/// async-std: `async_std::task::block_on`, tasks from `async_std::task::spawn`.
///
/// async-std is discontinued upstream (RUSTSEC-2025-0052); it is measured
/// because the project still ships an adapter for it.
#[derive(Debug, Clone, Copy)]
pub struct AsyncStd;

impl AsyncExecutor for AsyncStd {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        async_std::task::block_on(future)
    }
}

impl BenchRuntime for AsyncStd {
    fn name(self) -> &'static str {
        "async-std"
    }

    fn kind(self) -> Kind {
        Kind::AsyncStd
    }

    fn spawn<T: Send + 'static>(
        self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Option<impl Future<Output = T> + Send + 'static> {
        Some(async_std::task::spawn(future))
    }

    fn spawn_detached(self, future: impl Future<Output = ()> + Send + 'static) -> bool {
        drop(async_std::task::spawn(future)); // a dropped JoinHandle detaches
        true
    }
}

/// A plain `futures_lite::future::block_on`: no runtime at all.
#[derive(Debug, Clone, Copy)]
pub struct BlockOn;

impl AsyncExecutor for BlockOn {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        futures_lite::future::block_on(future)
    }
}

impl BenchRuntime for BlockOn {
    fn name(self) -> &'static str {
        "block_on"
    }

    fn kind(self) -> Kind {
        Kind::BlockOn
    }

    fn spawn<T: Send + 'static>(
        self,
        _future: impl Future<Output = T> + Send + 'static,
    ) -> Option<impl Future<Output = T> + Send + 'static> {
        None::<std::future::Pending<T>>
    }

    fn spawn_detached(self, _future: impl Future<Output = ()> + Send + 'static) -> bool {
        false
    }
}

/// A bench run once per runtime, generic over it (closures cannot be).
pub trait ForEachRuntime {
    /// Registers this bench's functions for `runtime`.
    fn run<R: BenchRuntime>(&mut self, runtime: R);
}

/// The runtimes that need building: both tokio flavours.
///
/// # Examples
///
/// ```
/// use async_with_benches::{BenchRuntime, ForEachRuntime, Runtimes};
///
/// struct Names(Vec<&'static str>);
/// impl ForEachRuntime for Names {
///     fn run<R: BenchRuntime>(&mut self, runtime: R) {
///         self.0.push(runtime.name());
///     }
/// }
/// let mut names = Names(Vec::new());
/// Runtimes::new().for_each(&mut names);
/// assert_eq!(names.0, ["tokio-ct", "tokio-mt", "smol", "async-std", "block_on"]);
/// ```
#[derive(Debug)]
pub struct Runtimes {
    tokio_current_thread: Runtime,
    tokio_multi_thread: Runtime,
}

impl Runtimes {
    /// Builds the tokio runtimes (all drivers enabled).
    ///
    /// # Panics
    ///
    /// If the operating system refuses the runtime's threads or I/O driver.
    pub fn new() -> Self {
        Self {
            tokio_current_thread: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio current-thread runtime"),
            tokio_multi_thread: tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio multi-thread runtime"),
        }
    }

    /// Runs `bench` on every runtime, in the report's order.
    pub fn for_each(&self, bench: &mut impl ForEachRuntime) {
        bench.run(Tokio {
            runtime: &self.tokio_current_thread,
            name: "tokio-ct",
        });
        bench.run(Tokio {
            runtime: &self.tokio_multi_thread,
            name: "tokio-mt",
        });
        bench.run(Smol);
        bench.run(AsyncStd);
        bench.run(BlockOn);
    }
}

impl Default for Runtimes {
    fn default() -> Self {
        Self::new()
    }
}

pin_project_lite::pin_project! {
    /// A future polled through one non-inlined call.
    ///
    /// Wrapping each measured future keeps its code generated once, not once
    /// per runtime's timed loop: a deep nesting is large, and five inlined
    /// copies of each would multiply the benches' compile time. The call
    /// costs the same for every construct, so ratios are unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_benches::runtime::Opaque;
    /// assert_eq!(futures_lite::future::block_on(Opaque::new(async { 3 })), 3);
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Opaque<F> {
        #[pin]
        inner: F,
    }
}

impl<F> Opaque<F> {
    /// Wraps `inner`.
    pub fn new(inner: F) -> Self {
        Self { inner }
    }
}

impl<F: Future> Future for Opaque<F> {
    type Output = F::Output;

    #[inline(never)]
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}
