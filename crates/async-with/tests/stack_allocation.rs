//! `ExitStack` allocates once per entry: the entry's box, which also holds
//! its exit future while it runs. The list of entries grows by doubling.
//!
//! `allocation-counter` counts this thread's allocations only.

mod common;

use allocation_counter::measure;
use async_with::{ExitStack, nullcontext};
use common::block_on;

#[test]
fn entering_and_closing_allocates_once_per_entry_plus_the_growth_of_the_list() {
    for entries in [1_usize, 10, 1_000] {
        // Doubling from empty: at most log2(2 * entries) + 1 list allocations.
        let growth = (usize::BITS - (2 * entries).leading_zeros()) as u64 + 1;
        let info = measure(|| {
            block_on(async {
                let mut stack = ExitStack::new();
                for n in 0..entries {
                    stack.enter(nullcontext(n)).await?;
                    stack.push_callback(|| async { Ok(()) });
                }
                stack.close().await
            })
            .unwrap();
        });
        let per_entry = 2 * entries as u64;
        assert!(
            info.count_total <= per_entry + growth,
            "{entries} contexts and {entries} callbacks: {} allocations",
            info.count_total
        );
        assert!(info.count_total >= per_entry, "each entry is boxed");
    }
}
