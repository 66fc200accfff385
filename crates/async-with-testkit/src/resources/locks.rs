//! Locks and semaphores: held in the block, free again after it, whatever
//! the block did, and after a scope dropped mid-way.

use std::ops::DerefMut;
use std::sync::Arc;

use async_with::{Error, with};
use async_with_resources::sync::{Acquire, hold};
use futures_lite::future::{block_on, poll_once};

use super::poll_once_then_drop;
use crate::Harness;

/// What the checks keep behind a mutex.
pub type Log = Vec<&'static str>;

/// The guard `source` gives if it is free now, without waiting.
fn try_acquire<B, S: Acquire<B>>(source: &S) -> Option<S::Guard> {
    block_on(poll_once(source.acquire())).map(|guard| guard.expect("acquired"))
}

/// A mutex behind an `Arc` is held in the block, and free after a block
/// that succeeded, failed or panicked, with what each block wrote.
pub fn owned_mutex_is_held_in_the_block_and_free_after_success_error_and_panic<H, B, M>()
where
    H: Harness,
    B: 'static,
    M: From<Log> + Send + Sync + 'static,
    Arc<M>: Acquire<B, Guard: DerefMut<Target = Log> + 'static>,
{
    let mutex = Arc::new(M::from(Log::new()));
    H::block_on(with(hold::<B, _>(mutex.clone()), async |log| {
        assert!(try_acquire(&mutex).is_none(), "held in the block");
        log.push("ok");
        Ok(())
    }))
    .unwrap();
    assert_eq!(*try_acquire(&mutex).unwrap(), ["ok"]);

    let error = H::block_on(with(hold::<B, _>(mutex.clone()), async |log| {
        log.push("failed");
        Err::<(), _>(Error::msg("body failed"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "body failed");
    assert_eq!(*try_acquire(&mutex).unwrap(), ["ok", "failed"]);

    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        H::block_on(with(
            hold::<B, _>(mutex.clone()),
            async |log| -> Result<(), Error> {
                log.push("panicked");
                panic!("boom");
            },
        ))
    }));
    assert!(panicked.is_err());
    assert_eq!(*try_acquire(&mutex).unwrap(), ["ok", "failed", "panicked"]);
}

/// A borrowed mutex is free after a block that failed or panicked.
pub fn borrowed_mutex_is_free_after_error_and_panic<H, B, M>()
where
    H: Harness,
    M: From<Log> + Sync,
    for<'a> &'a M: Acquire<B, Guard: DerefMut<Target = Log>>,
{
    let mutex = M::from(Log::new());
    let error = H::block_on(with(hold::<B, _>(&mutex), async |log| {
        log.push("failed");
        Err::<(), _>(Error::msg("body failed"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "body failed");
    assert_eq!(*try_acquire::<B, _>(&&mutex).unwrap(), ["failed"]);

    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        H::block_on(with(
            hold::<B, _>(&mutex),
            async |log| -> Result<(), Error> {
                log.push("panicked");
                panic!("boom");
            },
        ))
    }));
    assert!(panicked.is_err());
    assert_eq!(
        *try_acquire::<B, _>(&&mutex).unwrap(),
        ["failed", "panicked"]
    );
}

/// The mutex of a scope dropped mid-block is free at once: its guard's
/// `Drop` releases it, with no runtime.
pub fn mutex_of_a_cancelled_scope_is_free<B, M>()
where
    B: 'static,
    M: From<Log> + Send + Sync + 'static,
    Arc<M>: Acquire<B, Guard: 'static>,
{
    let mutex = Arc::new(M::from(Log::new()));
    poll_once_then_drop(with(hold::<B, _>(mutex.clone()), async |_| {
        std::future::pending::<()>().await;
        Ok(())
    }));
    assert!(try_acquire(&mutex).is_some());
}

/// A semaphore's permit (`semaphore` has one) is taken in the block and
/// given back after a block that succeeded, failed or panicked.
pub fn semaphore_permit_is_given_back_after_success_error_and_panic<H, B, S>(semaphore: S)
where
    H: Harness,
    B: 'static,
    S: Send + Sync + 'static,
    Arc<S>: Acquire<B, Guard: 'static>,
    for<'a> &'a S: Acquire<B>,
{
    let slots = Arc::new(semaphore);
    H::block_on(with(hold::<B, _>(slots.clone()), async |_| {
        assert!(try_acquire(&slots).is_none(), "taken in the block");
        Ok(())
    }))
    .unwrap();
    assert!(try_acquire(&slots).is_some());

    let error = H::block_on(with(hold::<B, _>(&*slots), async |_| {
        assert!(try_acquire(&slots).is_none(), "taken in the block");
        Err::<(), _>(Error::msg("body failed"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "body failed");
    assert!(try_acquire(&slots).is_some());

    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        H::block_on(with(
            hold::<B, _>(slots.clone()),
            async |_| -> Result<(), Error> {
                panic!("boom");
            },
        ))
    }));
    assert!(panicked.is_err());
    assert!(try_acquire(&slots).is_some());
}

/// The permit of a scope dropped mid-block is given back at once.
pub fn semaphore_of_a_cancelled_scope_is_given_back<B, S>(semaphore: S)
where
    B: 'static,
    S: Send + Sync + 'static,
    Arc<S>: Acquire<B, Guard: 'static>,
{
    let slots = Arc::new(semaphore);
    poll_once_then_drop(with(hold::<B, _>(slots.clone()), async |_| {
        std::future::pending::<()>().await;
        Ok(())
    }));
    assert!(try_acquire(&slots).is_some());
}
