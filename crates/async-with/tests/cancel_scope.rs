//! A cancel scope tells its own stop signal from any other scope's: what a
//! task group strips from its children's errors and `move_on_after` turns
//! into `None` rests on it.

use std::future::pending;
use std::sync::{Arc, Barrier};
use std::thread;

use async_with::{CancelScope, Cancelled, Error};
use futures_lite::future::block_on;

fn stopped_run(scope: &CancelScope) -> Error {
    block_on(scope.clone().run(pending::<Result<(), Error>>())).unwrap_err()
}

#[test]
fn each_scope_owns_its_stop_signal_and_no_other() {
    let (first, second, never) = (CancelScope::new(), CancelScope::new(), CancelScope::new());
    first.cancel();
    second.cancel();
    let (from_first, from_second) = (stopped_run(&first), stopped_run(&second));
    assert!(from_first.is::<Cancelled>() && from_second.is::<Cancelled>());
    assert!(first.stopped(&from_first) && !first.stopped(&from_second));
    assert!(second.stopped(&from_second) && !second.stopped(&from_first));
    assert!(!never.stopped(&from_first) && !never.stopped(&from_second));
}

#[test]
fn one_scope_stopping_blocks_on_many_threads_at_once_owns_every_signal() {
    const THREADS: usize = 8;
    for _ in 0..50 {
        let scope = CancelScope::new();
        scope.cancel();
        let start = Arc::new(Barrier::new(THREADS));
        let errors: Vec<Error> = (0..THREADS)
            .map(|_| {
                let (scope, start) = (scope.clone(), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    stopped_run(&scope)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|thread| thread.join().unwrap())
            .collect();
        for error in &errors {
            assert!(scope.stopped(error), "{error:?} is not the scope's own");
        }
    }
}
