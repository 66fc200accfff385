//! Generated `ExitStack` programs (see `async_with_testkit::model`) dropped
//! after every number of polls on a multi-thread tokio runtime: no exit runs
//! twice or without its enter, every entered resource is exited, and every
//! exit skipped by the drop runs later on the runtime, told `Cancelled`,
//! the stack's newest first.

use std::future::Future;

use async_with_testkit::Harness;
use async_with_testkit::model::cancel::every_poll_cases;
use async_with_testkit::model::quiet;
use async_with_tokio::Tokio;

struct MultiThread;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

impl Harness for MultiThread {
    type Runtime = Tokio;

    fn runtime() -> Tokio {
        Tokio
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        runtime().block_on(future)
    }

    fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let runtime = runtime();
        runtime.spawn(task);
        runtime.block_on(suspended);
    }
}

#[test]
fn dropped_programs_run_their_exits_on_tokio() {
    quiet();
    async_with::diagnostics::set_hook(|_| {});
    every_poll_cases::<MultiThread>(300, 16, "proptest-regressions/model_cancellation.txt");
}
