//! Mutex and semaphore guards as contexts: the lock is taken on enter and
//! released on exit, whatever the block did.
//!
//! async-std's `Mutex` ([`async_std::sync::Mutex`]) is the `async-lock`
//! crate's, the same type smol uses, so these are the contexts of
//! [`async_with_smol::sync`], re-exported: `lock`/`lock_owned` for a mutex,
//! `acquire`/`acquire_owned` for a semaphore (the `_owned` forms are `'static`,
//! so this crate's [`with`](crate::with) runs their exit on async-std after
//! cancellation). async-std has no semaphore; [`Semaphore`] is
//! `async-lock`'s, re-exported here.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use async_std::sync::Mutex;
//! use async_with_async_std::with;
//!
//! # async_std::task::block_on(async {
//! let log = Arc::new(Mutex::new(Vec::new()));
//! with(async_with_async_std::sync::lock_owned(log.clone()), async |log| {
//!     log.push("held across the block");
//!     Ok(())
//! })
//! .await?;
//! assert!(log.try_lock().is_some(), "released on exit");
//! # Ok::<(), async_with_async_std::Error>(()) }).unwrap();
//! ```

pub use async_lock::{Semaphore, SemaphoreGuard, SemaphoreGuardArc};
pub use async_with_smol::sync::*;
