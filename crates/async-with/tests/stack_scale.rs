//! `ExitStack` at scale: closing is a loop, memory is linear, and an
//! aggregate of ten thousand errors is safe to walk, format and drop.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_with::{Error, ExitStack, nullcontext};
use common::*;

/// Runs `f` on a thread with a 256 KiB stack: recursion per entry would
/// overflow it long before a million entries.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn a small-stack thread")
        .join()
        .expect("the small-stack thread finished")
}

#[test]
fn a_million_entries_close_newest_first_without_growing_the_call_stack() {
    const ENTRIES: usize = 1_000_000;
    let closed = on_small_stack(|| {
        let order_ok = Arc::new(AtomicUsize::new(0));
        let next_expected = Arc::new(AtomicUsize::new(ENTRIES));
        block_on(async {
            let mut stack = ExitStack::new();
            for index in 1..=ENTRIES {
                let (ok, next) = (Arc::clone(&order_ok), Arc::clone(&next_expected));
                stack.push_callback(move || async move {
                    if next.fetch_sub(1, Ordering::Relaxed) == index {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(())
                });
            }
            stack.close().await
        })
        .unwrap();
        order_ok.load(Ordering::Relaxed)
    });
    assert_eq!(closed, ENTRIES, "every exit ran, newest first");
}

#[test]
fn a_million_entries_dropped_unclosed_are_freed_without_recursion() {
    async_with::diagnostics::set_hook(|_| {});
    on_small_stack(|| {
        block_on(async {
            let stack = ExitStack::new();
            for n in 0..1_000_000_u32 {
                stack.enter(nullcontext(n)).await?;
            }
            drop(stack);
            Ok::<_, Error>(())
        })
        .unwrap();
    });
    async_with::diagnostics::reset_hook();
}

#[test]
fn ten_thousand_failing_exits_keep_all_errors_body_first_and_are_safe_to_format_and_drop() {
    const EXITS: usize = 10_000;
    let (count, first, second, last, display, alternate_lines, debug_len) = on_small_stack(|| {
        let error = block_on(async {
            let mut stack = ExitStack::new();
            for index in 0..EXITS {
                stack.push_callback(move || async move {
                    Err(Error::msg(format!("exit {index} failed")))
                });
            }
            stack.close_with(Err(BodyError("first").into())).await
        })
        .unwrap_err();
        let all = messages(&error);
        let summary = (
            error.len(),
            all[0].clone(),
            all[1].clone(),
            all[EXITS].clone(),
            error.to_string(),
            format!("{error:#}").lines().count(),
            format!("{error:?}").len(),
        );
        drop(error);
        summary
    });
    assert_eq!(count, EXITS + 1);
    assert_eq!(first, "body failed: first");
    assert_eq!(
        second,
        format!("exit {} failed", EXITS - 1),
        "newest entry exits first"
    );
    assert_eq!(last, "exit 0 failed");
    assert_eq!(display, "exit 0 failed (after 10000 earlier errors)");
    assert_eq!(alternate_lines, EXITS + 1);
    assert!(debug_len > EXITS * 10);
}
