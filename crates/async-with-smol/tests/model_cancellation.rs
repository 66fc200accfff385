//! Generated `ExitStack` programs (see `async_with_testkit::model`) dropped
//! after every number of polls under smol: no exit runs twice or without
//! its enter, every entered resource is exited, and every exit skipped by
//! the drop runs later on smol's blocking pool, told `Cancelled`, the
//! stack's newest first.

mod harness;

use async_with_testkit::model::cancel::every_poll_cases;
use async_with_testkit::model::quiet;
use harness::SmolHarness;

#[test]
fn dropped_programs_run_their_exits_on_smol() {
    quiet();
    async_with::diagnostics::set_hook(|_| {});
    every_poll_cases::<SmolHarness>(300, 16, "proptest-regressions/model_cancellation.txt");
}
