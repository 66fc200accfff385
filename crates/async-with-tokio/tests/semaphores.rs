//! tokio's semaphore contexts, which take several permits at once and fail
//! on a closed semaphore (the testkit checks the mutexes, in
//! tests/resources.rs).

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use async_with::{Error, with};
use async_with_tokio::sync;
use tokio::sync::Semaphore;

fn run<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

fn panics<F: Future>(future: F) -> bool {
    catch_unwind(AssertUnwindSafe(|| run(future))).is_err()
}

#[test]
fn semaphore_permits_are_given_back_after_success_error_and_panic() {
    let slots = Arc::new(Semaphore::new(3));
    run(with(
        sync::acquire_owned(slots.clone()).permits(2),
        async |permit| {
            assert_eq!(permit.num_permits(), 2);
            assert_eq!(slots.available_permits(), 1);
            Ok(())
        },
    ))
    .unwrap();
    assert_eq!(slots.available_permits(), 3);

    let error = run(with(sync::acquire(&slots), async |_| {
        assert_eq!(slots.available_permits(), 2);
        Err::<(), _>(Error::msg("body failed"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "body failed");
    assert_eq!(slots.available_permits(), 3);

    assert!(panics(with(
        sync::acquire_owned(slots.clone()),
        async |_| -> Result<(), Error> {
            panic!("boom");
        }
    )));
    assert_eq!(slots.available_permits(), 3);
    assert!(slots.try_acquire_many(3).is_ok());
}

#[test]
fn closed_semaphore_fails_the_enter() {
    let slots = Arc::new(Semaphore::new(1));
    slots.close();
    let error = run(with(sync::acquire_owned(slots), async |_| Ok(()))).unwrap_err();
    assert!(error.is::<tokio::sync::AcquireError>());
}
