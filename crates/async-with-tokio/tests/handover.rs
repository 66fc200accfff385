//! Exits handed to tokio by dropped scopes (the testkit's handover checks):
//! on the current-thread runtime and on multi-thread runtimes with 1, 2 and
//! 4 workers. A binary of its own: the storm counts the process's threads.

mod harness;

mod current_thread {
    async_with_testkit::handover!(super::harness::CurrentThread);
}

mod one_worker {
    async_with_testkit::handover!(super::harness::MultiThread<1>);
}

mod two_workers {
    async_with_testkit::handover!(super::harness::MultiThread<2>);
}

mod four_workers {
    async_with_testkit::handover!(super::harness::MultiThread<4>);
}
