//! The conformance suite on tokio, multi-thread and current-thread.

use std::future::Future;

use async_with_testkit::Harness;
use async_with_tokio::Tokio;
use tokio::runtime::{Builder, Runtime};

fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Spawns `task`, waits for `suspended`, then drops the runtime.
fn shutdown(
    runtime: Runtime,
    task: impl Future<Output = ()> + Send + 'static,
    suspended: impl Future<Output = ()>,
) {
    runtime.spawn(task);
    runtime.block_on(suspended);
    drop(runtime);
}

mod multi_thread {
    use super::*;

    struct MultiThread;

    impl Harness for MultiThread {
        type Runtime = Tokio;

        fn runtime() -> Tokio {
            Tokio
        }

        fn block_on<F: Future>(future: F) -> F::Output {
            multi_thread().block_on(future)
        }

        fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            shutdown(multi_thread(), task, suspended);
        }
    }

    async_with_testkit::conformance!(MultiThread);
}

mod current_thread {
    use super::*;

    struct CurrentThread;

    impl Harness for CurrentThread {
        type Runtime = Tokio;

        fn runtime() -> Tokio {
            Tokio
        }

        fn block_on<F: Future>(future: F) -> F::Output {
            current_thread().block_on(future)
        }

        fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            shutdown(current_thread(), task, suspended);
        }
    }

    async_with_testkit::conformance!(CurrentThread);
}
