//! Generated `ExitStack` programs (see `async_with_testkit::model`) dropped
//! after every number of polls under smol: no exit runs twice or without
//! its enter, every entered resource is exited, and every exit skipped by
//! the drop runs later on smol's blocking pool, told `Cancelled`, the
//! stack's newest first.

use std::future::Future;

use async_with_smol::Smol;
use async_with_testkit::Harness;
use async_with_testkit::model::cancel::every_poll_cases;
use async_with_testkit::model::quiet;

struct SmolHarness;

impl Harness for SmolHarness {
    type Runtime = Smol;

    fn runtime() -> Smol {
        Smol
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        smol::block_on(future)
    }

    fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let executor = smol::Executor::new();
        executor.spawn(task).detach();
        smol::block_on(executor.run(suspended));
    }
}

#[test]
fn dropped_programs_run_their_exits_on_smol() {
    quiet();
    async_with::diagnostics::set_hook(|_| {});
    every_poll_cases::<SmolHarness>(300, 16, "proptest-regressions/model_cancellation.txt");
}
