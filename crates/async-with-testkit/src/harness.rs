//! What the suite needs from a runtime adapter's tests.

use std::future::Future;

use async_with::Runtime;

/// How the conformance suite drives one runtime: implemented once per
/// adapter (or per runtime flavour) in its `tests/conformance.rs`.
///
/// # Examples
///
/// ```
/// use async_with_testkit::Harness;
/// # use std::time::Duration;
/// # use async_with::Runtime;
/// # #[derive(Clone, Debug, Default)]
/// # struct Threads;
/// # impl Runtime for Threads {
/// #     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
/// #         std::thread::spawn(move || futures_lite::future::block_on(task));
/// #     }
/// #     fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send + 'static + use<> { async move { std::thread::sleep(d) } }
/// # }
///
/// struct ThreadsHarness;
///
/// impl Harness for ThreadsHarness {
///     type Runtime = Threads;
///     fn block_on<F: Future>(future: F) -> F::Output {
///         futures_lite::future::block_on(future)
///     }
///     fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
///     where
///         F: Future<Output = ()> + Send + 'static,
///     {
///         // Threads cannot be shut down: drop the task instead.
///         let mut task = Box::pin(task);
///         futures_lite::future::block_on(futures_lite::future::or(async { (&mut task).await }, suspended));
///     }
/// }
/// ```
pub trait Harness: 'static {
    /// The adapter's runtime marker.
    type Runtime: Runtime + Default;

    /// Whether [`shutdown_while_suspended`](Harness::shutdown_while_suspended)
    /// shuts down the runtime the exits run on (tokio's: exits not run by
    /// then are reported), or only drops the task (async-std's global
    /// runtime, or a smol executor whose handed-over exits run on smol's
    /// global one: they all run). The suite checks what follows from it.
    const SHUTS_DOWN: bool = true;

    /// The runtime marker value.
    fn runtime() -> Self::Runtime {
        Self::Runtime::default()
    }

    /// Runs `future` to completion on a fresh runtime, as a test's main
    /// future.
    fn block_on<F: Future>(future: F) -> F::Output;

    /// Starts a fresh runtime, spawns `task` on it, waits for `suspended`
    /// (the task signals it is suspended inside its scopes), then shuts the
    /// runtime down with the task still on it. A runtime that cannot be
    /// shut down (async-std's global one) drops the task instead.
    fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
    where
        F: Future<Output = ()> + Send + 'static;
}
