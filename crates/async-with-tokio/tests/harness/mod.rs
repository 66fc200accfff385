//! How the testkit's suites drive tokio: current-thread, and multi-thread
//! with a given number of workers.

#![allow(dead_code, unreachable_pub)] // each test binary uses some of them

use std::future::Future;

use async_with_testkit::Harness;
use async_with_tokio::Tokio;
use tokio::runtime::{Builder, Runtime};

/// tokio's current-thread runtime, a fresh one per check.
pub struct CurrentThread;

/// tokio's multi-thread runtime with `WORKERS` workers, a fresh one per
/// check.
pub struct MultiThread<const WORKERS: usize>;

fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
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

impl Harness for CurrentThread {
    type Runtime = Tokio;

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

impl<const WORKERS: usize> Harness for MultiThread<WORKERS> {
    type Runtime = Tokio;

    fn block_on<F: Future>(future: F) -> F::Output {
        multi_thread(WORKERS).block_on(future)
    }

    fn shutdown_while_suspended<F>(task: F, suspended: impl Future<Output = ()>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        shutdown(multi_thread(WORKERS), task, suspended);
    }
}
