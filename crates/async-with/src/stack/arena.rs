//! Entries at stable addresses, so a stack entered through `&self` can lend
//! `&mut` access to several resources at once (the typed-arena pattern).
//!
//! This module and `generator/slot.rs` hold the crate's only `unsafe` code.
//! The invariants it rests on:
//!
//! 1. Every pointer in `entries` comes from `Box::into_raw` and is owned by
//!    the arena alone; it is freed exactly once, by [`Arena::pop`] (which turns
//!    it back into a `Box`) or by `Drop`.
//! 2. No entry is freed, moved or touched through `&self`: `&self` only
//!    pushes and counts.
//!    Every path that reads or frees an entry takes `&mut self` or `self`, so
//!    the borrow checker ends every loan made by [`Arena::push`] first.
//! 3. [`Arena::push`] lends the new entry once, to its caller; the arena never
//!    creates another reference to an entry while that loan can be alive.
//! 4. Through `&self`, the list of entries is touched only while the `busy`
//!    flag is held, so two threads pushing through a shared stack take turns;
//!    through `&mut self` no flag is needed. This is a `Mutex` cut down to
//!    what a push needs: one atomic swap to take it and a plain store to
//!    give it back, and no poisoning (a push cannot leave the list
//!    half-updated).
#![allow(unsafe_code)]

use std::cell::UnsafeCell;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};

/// Owns type-erased entries `D` (`dyn Entry`, possibly `+ Send`).
pub(crate) struct Arena<D: ?Sized> {
    entries: UnsafeCell<Vec<Owned<D>>>,
    /// Held while a `&self` method touches `entries` (invariant 4).
    busy: AtomicBool,
}

// SAFETY: through `&self` the arena only pushes and counts, and only while
// holding `busy` (invariant 4), which excludes every other `&self` access, as a
// `Mutex` would; so sharing it is sound when its entries may be sent, like
// `Mutex<Vec<Box<D>>>` for `D: Send`. (`Send` follows from the fields.)
unsafe impl<D: ?Sized + Send> Sync for Arena<D> {}

/// A pointer the arena owns, from `Box::into_raw`.
struct Owned<D: ?Sized>(NonNull<D>);

// SAFETY: `Owned<D>` is a `Box<D>` that the arena frees by hand (invariant 1):
// sending it to another thread sends the `D`, which is sound when `D: Send`,
// exactly as for `Box<D>`. It is never shared (the arena's `Sync` impl
// covers the list that holds it), so it needs no `Sync` impl of its own.
unsafe impl<D: ?Sized + Send> Send for Owned<D> {}

impl<D: ?Sized> Arena<D> {
    pub(crate) fn new() -> Self {
        Self {
            entries: UnsafeCell::new(Vec::new()),
            busy: AtomicBool::new(false),
        }
    }

    /// Stores `entry` and lends it, pinned, for as long as `self` is borrowed.
    ///
    /// `erase` turns the concrete pointer into the stored `dyn` one (an
    /// unsizing coercion, the same address).
    #[allow(clippy::mut_from_ref)] // the point of the arena: see the module docs
    #[inline]
    pub(crate) fn push<T>(&self, entry: T, erase: fn(NonNull<T>) -> NonNull<D>) -> Pin<&mut T> {
        let concrete = NonNull::from(Box::leak(Box::new(entry)));
        self.with_entries(|entries| entries.push(Owned(erase(concrete))));
        // SAFETY: `concrete` points to a live, boxed `T` that the arena owns
        // (invariant 1) and that stays put until `pop`/`Drop`, which need
        // `&mut self`, so not before this `&self` loan ends (invariant 2). The
        // arena lends this entry nowhere else (invariant 3), so the `&mut` is
        // unique. The entry is heap-allocated and never moved, so pinning it
        // is sound.
        unsafe { Pin::new_unchecked(&mut *concrete.as_ptr()) }
    }

    /// Takes the newest entry back, pinned.
    pub(crate) fn pop(&mut self) -> Option<Pin<Box<D>>> {
        let Owned(pointer) = self.entries_mut().pop()?;
        // SAFETY: `pointer` came from `Box::into_raw` (via `Box::leak`) and
        // was just removed from the arena, so it is freed only by this box
        // (invariant 1). `&mut self` proves no loan from `push` is alive
        // (invariant 2).
        Some(Box::into_pin(unsafe { Box::from_raw(pointer.as_ptr()) }))
    }

    /// Moves every entry into a new arena, leaving this one empty.
    pub(crate) fn take_all(&mut self) -> Self {
        Self {
            entries: UnsafeCell::new(std::mem::take(self.entries_mut())),
            busy: AtomicBool::new(false),
        }
    }

    /// Whether no entry is left; through `&mut self`, so without the flag.
    pub(crate) fn is_empty(&mut self) -> bool {
        self.entries_mut().is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.with_entries(|entries| entries.len())
    }

    /// Runs `f` on the list of entries, holding `busy` (invariant 4).
    #[inline]
    fn with_entries<T>(&self, f: impl FnOnce(&mut Vec<Owned<D>>) -> T) -> T {
        let _busy = Busy::take(&self.busy);
        // SAFETY: `busy` is held until `_busy` drops, after `f` returned or
        // unwound, and every `&self` access to `entries` holds it; `&mut self`
        // accesses cannot overlap a `&self` borrow. So this `&mut` is unique.
        f(unsafe { &mut *self.entries.get() })
    }

    fn entries_mut(&mut self) -> &mut Vec<Owned<D>> {
        self.entries.get_mut()
    }
}

/// The `busy` flag, held until dropped.
struct Busy<'a>(&'a AtomicBool);

impl<'a> Busy<'a> {
    #[inline]
    fn take(flag: &'a AtomicBool) -> Self {
        // Another thread holds it only for one push into the list.
        while flag.swap(true, Ordering::Acquire) {
            std::thread::yield_now();
        }
        Self(flag)
    }
}

impl Drop for Busy<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl<D: ?Sized> Drop for Arena<D> {
    /// Frees what is left, newest first, one at a time (no recursion).
    fn drop(&mut self) {
        while let Some(entry) = self.pop() {
            drop(entry);
        }
    }
}
