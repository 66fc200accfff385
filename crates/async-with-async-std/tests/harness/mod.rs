//! How the testkit's suites drive async-std.

#![allow(dead_code, unreachable_pub)] // each test binary uses some of it

use std::future::Future;

use async_with_async_std::AsyncStd;
use async_with_testkit::Harness;

/// async-std's global runtime.
pub struct AsyncStdHarness;

impl Harness for AsyncStdHarness {
    type Runtime = AsyncStd;

    /// The global runtime cannot be shut down.
    const SHUTS_DOWN: bool = false;

    fn block_on<F: Future>(future: F) -> F::Output {
        async_std::task::block_on(future)
    }

    /// async-std's global runtime cannot be shut down: the task is
    /// cancelled (its future dropped) instead.
    fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let task = async_std::task::spawn(task);
        async_std::task::block_on(async {
            suspended.await;
            task.cancel().await;
        });
    }
}
