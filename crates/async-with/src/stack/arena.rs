//! Entries at stable addresses, so a stack entered through `&self` can lend
//! `&mut` access to several resources at once (the typed-arena pattern).
//!
//! Entries are written into chunks of memory that grow as the stack does
//! (a [`Bump`]), not into one heap allocation each: a stack of 16 small
//! entries asks the allocator for three chunks, and none at all when it is
//! reused after a close. Entries leave in the reverse order they came, so the
//! memory is reused once the last one has left.
//!
//! This module and `generator/slot.rs` hold the crate's only `unsafe` code.
//! The invariants it rests on:
//!
//! 1. Every entry on the list (the newest, then each one's `below` link) is
//!    alive, in a node that `push` wrote into `memory`. It is dropped
//!    exactly once, in place, by [`Arena::drop_top`] or `Drop`, after it
//!    left the list.
//! 2. The memory of an entry is reused or freed only once the list is
//!    empty, so only after every entry was dropped: a pinned entry's
//!    memory is never invalidated before its `Drop` ran. If an entry's
//!    `Drop` panics while the arena is dropped, the memory is leaked rather
//!    than freed under the entries that were not dropped.
//! 3. No entry is dropped, moved or touched through `&self`: `&self` only
//!    pushes and counts. Every path that reads or drops an entry takes
//!    `&mut self` or `self`, so the borrow checker ends every loan made by
//!    [`Arena::push`] first.
//! 4. [`Arena::push`] lends the new entry once, to its caller; the arena
//!    never creates another reference to an entry while that loan can be
//!    alive.
//! 5. Through `&self`, the list is touched only while the `busy` flag is
//!    held, so two threads pushing through a shared stack take turns;
//!    through `&mut self` no flag is needed. This is a `Mutex` cut down to
//!    what a push needs: one atomic swap to take it and a plain store to
//!    give it back, and no poisoning (a push cannot leave the list
//!    half-updated).
#![allow(unsafe_code)]

use std::cell::UnsafeCell;
use std::mem::{self, ManuallyDrop};
use std::pin::Pin;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, Ordering};

use bumpalo::Bump;

use super::spare::{self, KEPT_BYTES};

/// Owns type-erased entries `D` (`dyn Entry`, possibly `+ Send`).
pub(crate) struct Arena<D: ?Sized> {
    list: UnsafeCell<List<D>>,
    /// Held while a `&self` method touches `list` (invariant 5).
    busy: AtomicBool,
}

/// The entries, as a list linked from the newest down, and the memory they
/// live in.
struct List<D: ?Sized> {
    top: Option<Link<D>>,
    len: usize,
    /// Dropped only by hand, once no entry lives in it (invariant 2).
    memory: ManuallyDrop<Bump>,
}

/// How an entry `T` is stored: after a header that links it into the list,
/// so the list needs no memory of its own.
struct Node<T, D: ?Sized> {
    header: Header<D>,
    entry: T,
}

/// The start of every node: the node below it, and its own entry, erased.
struct Header<D: ?Sized> {
    below: Option<Link<D>>,
    /// Set as soon as the node is written (its address is needed first).
    entry: Option<Owned<D>>,
}

/// Where a node's header is.
struct Link<D: ?Sized>(NonNull<Header<D>>);

// SAFETY: through `&self` the arena only pushes and counts, and only while
// holding `busy` (invariant 5), which excludes every other `&self` access, as a
// `Mutex` would; so sharing it is sound when its entries may be sent, like
// `Mutex<List<D>>` for `D: Send`. (`Send` follows from the fields: `Bump` is
// `Send`, and so is `Owned<D>` for `D: Send`.)
unsafe impl<D: ?Sized + Send> Sync for Arena<D> {}

/// A pointer to an entry the arena owns (invariant 1).
struct Owned<D: ?Sized>(NonNull<D>);

impl<D: ?Sized> Clone for Owned<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: ?Sized> Copy for Owned<D> {}

// SAFETY: a `Link` points to a node header in memory the same list owns
// and moves between threads with, the header naming an entry the list owns:
// sending it is sending the entries, sound when `D: Send`. Like `Owned`, it
// is never shared outside the list.
unsafe impl<D: ?Sized + Send> Send for Link<D> {}

impl<D: ?Sized> Clone for Link<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: ?Sized> Copy for Link<D> {}

// SAFETY: `Owned<D>` owns the `D` it points to, which lives in the memory of
// the same arena and moves between threads with it: sending it sends the
// `D`, which is sound when `D: Send`, exactly as for `Box<D>`. It is never
// shared (the arena's `Sync` impl covers the list that holds it), so it
// needs no `Sync` impl of its own.
unsafe impl<D: ?Sized + Send> Send for Owned<D> {}

impl<D: ?Sized> Arena<D> {
    pub(crate) fn new() -> Self {
        Self {
            list: UnsafeCell::new(List::new()),
            busy: AtomicBool::new(false),
        }
    }

    /// Stores the entry `make` returns and lends it, pinned, for as long as
    /// `self` is borrowed.
    ///
    /// `make` runs with the list held (so it must not touch the arena) and
    /// its entry is written straight into the arena's memory, not built
    /// first and copied in.
    /// `erase` turns the concrete pointer into the stored `dyn` one (an
    /// unsizing coercion, the same address); both are type parameters, not
    /// `fn` pointers, so that they are inlined rather than called.
    #[allow(clippy::mut_from_ref)] // the point of the arena: see the module docs
    #[inline]
    pub(crate) fn push<T>(
        &self,
        make: impl FnOnce() -> T,
        erase: impl FnOnce(NonNull<T>) -> NonNull<D>,
    ) -> Pin<&mut T> {
        let concrete = self.with_list(|list| {
            if list.top.is_none() {
                list.take_spare();
            }
            // The header is filled in place, after the entry: written
            // whole with the entry, it would go through a copy on the stack.
            let node = list.memory.alloc_with(|| Node {
                header: Header {
                    below: None,
                    entry: None,
                },
                entry: make(),
            });
            let concrete = NonNull::from(&mut node.entry);
            node.header.below = list.top;
            node.header.entry = Some(Owned(erase(concrete)));
            list.top = Some(Link(NonNull::from(&mut node.header)));
            list.len += 1;
            concrete
        });
        // SAFETY: `concrete` points to the live `T` just written into the
        // arena's memory, listed so that the arena owns it (invariant 1); it
        // stays put and alive until `drop_top`/`Drop`, which need `&mut self`,
        // so not before this `&self` loan ends (invariants 2 and 3). The arena
        // lends this entry nowhere else (invariant 4), so the `&mut` is
        // unique. The entry is never moved, so pinning it is sound.
        unsafe { Pin::new_unchecked(&mut *concrete.as_ptr()) }
    }

    /// The newest entry, pinned, where it lives.
    pub(crate) fn top(&mut self) -> Option<Pin<&mut D>> {
        let Owned(pointer) = self.list.get_mut().header()?.entry?;
        // SAFETY: the pointer is listed, so its entry is alive (invariant 1)
        // and never moved; `&mut self` proves no loan from `push` is alive
        // (invariant 3), and the result borrows `self` mutably, so it is the
        // only reference to the entry while it lives.
        Some(unsafe { Pin::new_unchecked(&mut *pointer.as_ptr()) })
    }

    /// The listed entry stored at `address` (where `push` wrote it), pinned,
    /// if it is still on the list. Walks the list from the newest entry.
    pub(crate) fn find(&mut self, address: usize) -> Option<Pin<&mut D>> {
        let mut link = self.list.get_mut().top;
        while let Some(Link(header)) = link {
            // SAFETY: the node is listed, so it is alive (invariant 1); its
            // header is plain data written by `push` before it was listed.
            let header = unsafe { header.as_ref() };
            let Owned(pointer) = header.entry?;
            if pointer.cast::<()>().as_ptr() as usize == address {
                // SAFETY: as in `top`: listed, so alive and never moved;
                // `&mut self` proves no other loan of it is alive, and the
                // result borrows `self` mutably.
                return Some(unsafe { Pin::new_unchecked(&mut *pointer.as_ptr()) });
            }
            link = header.below;
        }
        None
    }

    /// Drops the newest entry, where it lives. Once none is left, their
    /// memory is kept for the next pushes (or given back, past
    /// [`KEPT_BYTES`]).
    pub(crate) fn drop_top(&mut self) {
        let list = self.list.get_mut();
        let Some(Owned(pointer)) = list.unlink() else {
            return;
        };
        // SAFETY: the pointer was listed, so its entry is alive; it has just
        // left the list, so this is its one drop (invariant 1). A panic in its
        // `Drop` leaves it unlisted: it is never dropped again, and its memory
        // is reused only once the list is empty, after this call.
        unsafe { ptr::drop_in_place(pointer.as_ptr()) };
        if list.top.is_none() {
            list.reuse_memory();
        }
    }

    /// Moves every entry, with its memory, into a new arena, leaving this
    /// one empty.
    pub(crate) fn take_all(&mut self) -> Self {
        Self {
            list: UnsafeCell::new(mem::replace(self.list.get_mut(), List::new())),
            busy: AtomicBool::new(false),
        }
    }

    /// Whether no entry is left; through `&mut self`, so without the flag.
    pub(crate) fn is_empty(&mut self) -> bool {
        self.list.get_mut().top.is_none()
    }

    pub(crate) fn len(&self) -> usize {
        self.with_list(|list| list.len)
    }

    /// Runs `f` on the list, holding `busy` (invariant 5).
    #[inline]
    fn with_list<T>(&self, f: impl FnOnce(&mut List<D>) -> T) -> T {
        let _busy = Busy::take(&self.busy);
        // SAFETY: `busy` is held until `_busy` drops, after `f` returned or
        // unwound, and every `&self` access to `list` holds it; `&mut self`
        // accesses cannot overlap a `&self` borrow. So this `&mut` is unique.
        f(unsafe { &mut *self.list.get() })
    }
}

impl<D: ?Sized> List<D> {
    fn new() -> Self {
        Self {
            top: None,
            len: 0,
            // Allocates nothing until the first push.
            memory: ManuallyDrop::new(Bump::new()),
        }
    }

    /// The header of the newest node.
    fn header(&self) -> Option<&Header<D>> {
        let Link(header) = self.top?;
        // SAFETY: the node is listed, so it is alive (invariant 1). Its header
        // is plain data that is only written by `push`, before the node was
        // listed, and never lent out.
        Some(unsafe { header.as_ref() })
    }

    /// Takes the newest entry off the list; the caller drops it.
    fn unlink(&mut self) -> Option<Owned<D>> {
        let &Header { below, entry } = self.header()?;
        self.top = below;
        self.len -= 1;
        entry
    }

    /// Starts with the thread's spare memory if this list has none.
    #[inline]
    fn take_spare(&mut self) {
        if self.memory.allocated_bytes() == 0
            && let Some(spare) = spare::take()
        {
            // Replaces an arena that never allocated: nothing is freed.
            *self.memory = spare;
        }
    }

    /// Makes the memory of the entries, all gone, ready for new ones.
    fn reuse_memory(&mut self) {
        debug_assert!(self.top.is_none(), "memory is reused under no entry");
        // Safe by itself (`reset` takes `&mut`); invariant 2 is what the
        // callers keep by calling this only with no entry left.
        self.memory.reset();
        if self.memory.allocated_bytes() > KEPT_BYTES {
            let grown = mem::replace(&mut self.memory, ManuallyDrop::new(Bump::new()));
            drop(ManuallyDrop::into_inner(grown));
        }
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
    /// Drops what is left, newest first, one at a time (no recursion), then
    /// gives the memory back to the thread or frees it. A panic in an entry's
    /// `Drop` goes up from here and leaves the memory allocated (invariant 2).
    fn drop(&mut self) {
        let list = self.list.get_mut();
        while let Some(Owned(pointer)) = list.unlink() {
            // SAFETY: as in `drop_top`: listed, so alive; unlisted, so
            // dropped once.
            unsafe { ptr::drop_in_place(pointer.as_ptr()) };
        }
        // SAFETY: every entry has been dropped, so nothing lives in the
        // memory any more, and the arena, being dropped, never touches the
        // field again.
        spare::give_back(unsafe { ManuallyDrop::take(&mut list.memory) });
    }
}
