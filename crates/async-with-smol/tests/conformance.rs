//! The conformance suite on smol.

use std::future::Future;

use async_with_smol::Smol;
use async_with_testkit::Harness;

struct SmolHarness;

impl Harness for SmolHarness {
    type Runtime = Smol;

    fn runtime() -> Smol {
        Smol
    }

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

async_with_testkit::conformance!(SmolHarness);
