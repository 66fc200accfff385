//! The conformance suite on tokio, multi-thread and current-thread.

mod harness;

mod multi_thread {
    async_with_testkit::conformance!(super::harness::MultiThread<2>);
}

mod current_thread {
    async_with_testkit::conformance!(super::harness::CurrentThread);
}
