//! `ExitStack` keeps its entries in memory that grows in chunks, each twice
//! the last, and reuses it after a close: the allocator is asked a
//! logarithmic number of times, not once per entry, and a stack that grew
//! large gives its memory back when it is closed. A dropped stack leaves
//! its memory to the next stack made on the same thread.
//!
//! `allocation-counter` counts this thread's allocations only.

mod common;

use allocation_counter::measure;
use async_with::{Error, ExitStack, nullcontext};
use common::block_on;

/// Enters `entries` contexts and as many callbacks, each holding `payload`
/// bytes, then closes the stack.
async fn fill_and_close(stack: &mut ExitStack, entries: usize) -> Result<(), Error> {
    for n in 0..entries {
        stack.enter(nullcontext(n)).await?;
        let payload = [n as u8; 32];
        stack.push_callback(move || async move {
            std::hint::black_box(payload);
            Ok(())
        });
    }
    stack.close().await
}

/// At most how many times a list or a chunk list doubling from empty to
/// `items` items allocates.
fn doublings(items: usize) -> u64 {
    u64::from(usize::BITS - (2 * items).leading_zeros()) + 1
}

#[test]
fn entering_and_closing_allocates_logarithmically_in_the_entries() {
    for entries in [1_usize, 10, 1_000, 10_000] {
        let info = measure(|| block_on(fill_and_close(&mut ExitStack::new(), entries)).unwrap());
        // The list of pointers, and the chunks: their bytes double from
        // 512, and no entry is over 128 bytes.
        let bound = doublings(2 * entries) + doublings(2 * entries * 128 / 512);
        assert!(
            info.count_total <= bound,
            "{entries} contexts and {entries} callbacks: {} allocations, bound {bound}",
            info.count_total
        );
        if entries >= 1_000 {
            assert!(
                info.count_total < entries as u64 / 10,
                "{entries} entries: {} allocations",
                info.count_total
            );
        }
    }
}

#[test]
fn a_closed_stack_reuses_its_memory() {
    // A close keeps the largest chunk only: the next fill of the same size
    // may add one more, and from then on the stack allocates nothing.
    let mut stack = ExitStack::new();
    block_on(fill_and_close(&mut stack, 100)).unwrap();
    let second = measure(|| block_on(fill_and_close(&mut stack, 100)).unwrap());
    assert!(second.count_total <= 1, "second fill: {second:?}");
    let third = measure(|| block_on(fill_and_close(&mut stack, 100)).unwrap());
    assert_eq!(third.count_total, 0, "third fill: {third:?}");
}

#[test]
fn a_stack_that_grew_large_gives_its_memory_back_when_closed() {
    let mut stack = ExitStack::new();
    let info = measure(|| block_on(fill_and_close(&mut stack, 100_000)).unwrap());
    assert!(info.bytes_max > 8_000_000, "peak: {} bytes", info.bytes_max);
    assert!(
        info.bytes_current <= 1024,
        "kept after the close: {} bytes",
        info.bytes_current
    );
    // Still usable, and a small stack keeps its memory as before.
    let small = measure(|| block_on(fill_and_close(&mut stack, 10)).unwrap());
    assert!(small.bytes_current > 0, "{small:?}");
}

#[test]
fn a_new_stack_starts_with_the_memory_of_the_last_one_dropped_on_its_thread() {
    let warm = || {
        let mut stack = ExitStack::new();
        block_on(fill_and_close(&mut stack, 10)).unwrap();
    };
    warm();
    let next = measure(warm);
    assert_eq!(next.count_total, 0, "{next:?}");
    // What the thread keeps is one chunk of at most 16 KiB, whatever the
    // stacks before it.
    let large = measure(|| {
        let mut stack = ExitStack::new();
        block_on(fill_and_close(&mut stack, 100_000)).unwrap();
    });
    assert!(large.bytes_current <= 16 * 1024, "{large:?}");
    let medium = measure(|| {
        let mut stack = ExitStack::new();
        block_on(fill_and_close(&mut stack, 300)).unwrap();
    });
    assert!(medium.bytes_current <= 16 * 1024, "{medium:?}");
}

#[test]
fn a_stack_dropped_on_another_thread_leaves_its_memory_there() {
    // A stack made on one thread and dropped on another leaves its memory
    // to the second; this thread's stack still allocates its own.
    let stack = ExitStack::new();
    block_on(stack.enter(nullcontext(1))).unwrap();
    std::thread::spawn(move || drop(stack)).join().unwrap();
    let info = measure(|| block_on(fill_and_close(&mut ExitStack::new(), 1)).unwrap());
    assert!(info.count_total >= 1, "{info:?}");
}
