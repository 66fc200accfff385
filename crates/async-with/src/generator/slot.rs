//! Where a generator-style context's resource crosses between its closure
//! and the scope that drives it, without a lock.
//!
//! This module and `stack/arena.rs` hold the crate's only `unsafe` code.
//!
//! # Why it needs no lock
//!
//! The resource goes back and forth once per scope, and at every moment
//! exactly one side may touch it. An atomic `state` says which side that
//! is; the side that owns a state is the only one that moves out of it, so
//! the handoffs before the block are plain `Release` stores read with
//! `Acquire` loads (on x86, ordinary moves):
//!
//! | state      | owned by        | left by                                   |
//! |------------|-----------------|-------------------------------------------|
//! | `EMPTY`    | the closure     | [`Slot::offer`] (the yield) -> `YIELDED`  |
//! | `YIELDED`  | the driver      | [`Slot::take_yielded`] -> `LENT`          |
//! | `LENT`     | the driver      | [`Slot::resume`] -> `RESUMED`             |
//! | `RESUMED`  | either, by CAS  | [`Slot::claim`] or [`Slot::take_unclaimed`] -> `TAKEN` |
//! | `TAKEN`    | nobody          | (final)                                   |
//!
//! `RESUMED` is the one state both sides may leave: the closure claims the
//! resource back, or the driver, once the closure is done, drops what it did
//! not claim. A yield handle of a boxed context is `'static` and `Send`, so a
//! closure could hand its pending yield to another thread that polls it
//! while the driver looks; both therefore leave `RESUMED` by
//! compare-and-swap, and the loser touches nothing. A handle is consumed by
//! its yield and a yield offers once, so no other state has two contenders.
#![allow(unsafe_code)]

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::Outcome;

const EMPTY: u8 = 0;
const YIELDED: u8 = 1;
const LENT: u8 = 2;
const RESUMED: u8 = 3;
const TAKEN: u8 = 4;

/// The resource between the closure's yield and the block, and the resource
/// and outcome between the block and the closure's resumption.
pub(crate) struct Slot<R> {
    state: AtomicU8,
    held: UnsafeCell<Held<R>>,
}

enum Held<R> {
    Nothing,
    Yielded(R),
    Resumed(R, Outcome),
}

// SAFETY: `held` is only touched by the side that owns the current `state`
// (see the module docs), with the ownership handed over by `Release` stores
// or compare-and-swaps and taken with `Acquire` loads, so no two threads
// touch it at once and each sees the other's writes. What crosses threads
// through it is the `R` (hence `R: Send`) and an `Outcome`, which is `Send`.
unsafe impl<R: Send> Sync for Slot<R> {}

impl<R> Slot<R> {
    pub(crate) fn new() -> Self {
        Self {
            state: AtomicU8::new(EMPTY),
            held: UnsafeCell::new(Held::Nothing),
        }
    }

    /// Moves `held` out, leaving nothing.
    ///
    /// # Safety
    ///
    /// The caller owns the current state (module docs).
    unsafe fn take(&self) -> Held<R> {
        // SAFETY: the caller owns the state, so nothing else reads or writes
        // `held` until the caller hands the state on.
        unsafe { std::mem::replace(&mut *self.held.get(), Held::Nothing) }
    }

    /// Puts `value` in `held`.
    ///
    /// # Safety
    ///
    /// The caller owns the current state (module docs).
    unsafe fn put(&self, value: Held<R>) {
        debug_assert!(
            // SAFETY: as below, the caller owns the state: reading is sound.
            matches!(unsafe { &*self.held.get() }, Held::Nothing),
            "a slot is written only when empty"
        );
        // SAFETY: as for `take`. The old value is `Nothing` in every state a
        // `put` is made from, and `Nothing` owns nothing, so writing over it
        // without dropping it leaks nothing (and spares the drop of a value
        // that is never there).
        unsafe { self.held.get().write(value) }
    }

    /// The closure yields `resource`. Called once, by the yield.
    pub(crate) fn offer(&self, resource: R) {
        // A yield handle is consumed by its only yield, so this holds; if it
        // did not, the resource is dropped rather than raced for.
        let state = self.state.load(Ordering::Acquire);
        debug_assert_eq!(state, EMPTY, "a slot is offered a resource once");
        if state != EMPTY {
            return;
        }
        // SAFETY: `EMPTY` is the closure's, and this is the closure.
        unsafe { self.put(Held::Yielded(resource)) };
        self.state.store(YIELDED, Ordering::Release);
    }

    /// The driver takes the yielded resource, if the closure yielded.
    pub(crate) fn take_yielded(&self) -> Option<R> {
        if self.state.load(Ordering::Acquire) != YIELDED {
            return None;
        }
        // SAFETY: `YIELDED` is the driver's, and this is the driver.
        let held = unsafe { self.take() };
        self.state.store(LENT, Ordering::Release);
        match held {
            Held::Yielded(resource) => Some(resource),
            Held::Nothing | Held::Resumed(..) => None,
        }
    }

    /// The driver gives the resource back, with how the block ended.
    #[inline]
    pub(crate) fn resume(&self, resource: R, outcome: Outcome) {
        let state = self.state.load(Ordering::Acquire);
        debug_assert_eq!(state, LENT, "only a lent resource is resumed");
        if state != LENT {
            return;
        }
        // SAFETY: `LENT` is the driver's, and this is the driver.
        unsafe { self.put(Held::Resumed(resource, outcome)) };
        self.state.store(RESUMED, Ordering::Release);
    }

    /// The closure takes the resource and the outcome back, once resumed.
    pub(crate) fn claim(&self) -> Option<(R, Outcome)> {
        self.state
            .compare_exchange(RESUMED, TAKEN, Ordering::AcqRel, Ordering::Acquire)
            .ok()?;
        // SAFETY: the compare-and-swap made this side the owner of `RESUMED`,
        // and nobody acts on `TAKEN`.
        match unsafe { self.take() } {
            Held::Resumed(resource, outcome) => Some((resource, outcome)),
            Held::Nothing | Held::Yielded(_) => None,
        }
    }

    /// The driver drops a resource the closure never took back; says
    /// whether there was one.
    pub(crate) fn take_unclaimed(&self) -> bool {
        if self.state.load(Ordering::Acquire) != RESUMED {
            return false;
        }
        self.claim().is_some()
    }
}
