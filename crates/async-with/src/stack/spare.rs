//! One chunk of stack memory kept per thread: a stack made after another
//! was dropped on the same thread starts with that memory, as `malloc`
//! hands a freed block to the next request of its size, rather than
//! asking the allocator for its first chunk.

use std::cell::Cell;

use bumpalo::Bump;

/// The most memory a stack keeps for its next use once its entries are
/// gone; a stack that grew past it gives its memory back.
pub(crate) const KEPT_BYTES: usize = 64 * 1024;

/// The most memory a thread keeps for its next stack: enough for the
/// stacks of a few dozen entries that a scope makes and drops, little
/// enough that a runtime's many threads hold little between them.
const SPARE_BYTES: usize = 16 * 1024;

thread_local! {
    static SPARE: Cell<Option<Bump>> = const { Cell::new(None) };
}

/// The thread's spare memory, empty, if it has some.
pub(crate) fn take() -> Option<Bump> {
    SPARE.try_with(Cell::take).ok().flatten()
}

/// Keeps `memory`, whose entries are all gone, as the thread's spare;
/// frees it instead if it holds nothing or more than [`SPARE_BYTES`], or
/// if the thread is exiting.
pub(crate) fn give_back(mut memory: Bump) {
    memory.reset();
    let kept = memory.allocated_bytes();
    if kept == 0 || kept > SPARE_BYTES {
        return;
    }
    // The spare it replaces, if any, is freed.
    let _ = SPARE.try_with(|spare| spare.set(Some(memory)));
}
