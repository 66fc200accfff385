//! How the testkit's suites drive smol.

#![allow(dead_code, unreachable_pub)] // each test binary uses some of it

use std::future::Future;

use async_with_smol::Smol;
use async_with_testkit::Harness;

/// smol: tests block on `smol::block_on`; tasks, handed-over exits
/// included, run on smol's global executor (one thread unless
/// `SMOL_THREADS` says otherwise).
pub struct SmolHarness;

impl Harness for SmolHarness {
    type Runtime = Smol;

    /// A task is shut down with a local executor, but the exits it hands
    /// over run on smol's global executor, which never shuts down.
    const SHUTS_DOWN: bool = false;

    fn block_on<F: Future>(future: F) -> F::Output {
        smol::block_on(future)
    }

    /// The task runs on a local executor, dropped with the task on it.
    fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let executor = smol::Executor::new();
        executor.spawn(task).detach();
        smol::block_on(executor.run(suspended));
        drop(executor);
    }
}
