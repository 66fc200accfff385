//! The by-hand reference keeps `with`'s guarantees: what a caller observes
//! when the innermost block panics, fails or is dropped mid-way is the same
//! through `same_guarantees_by_hand` as through `with`.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::{Context, Waker};

use async_with::{Error, diagnostics};
use async_with_benches::nesting::{Four, Nest};

/// A block at the bottom of a nesting that ends the way `$end` does.
macro_rules! leaf {
    ($name:ident, $end:expr) => {
        #[derive(Debug, Default)]
        struct $name;

        impl Nest for $name {
            const DEPTH: usize = 0;

            async fn hand_written(&self, _: u64) -> Result<u64, Error> {
                $end.await
            }

            async fn hand_written_panic_safe(&self, _: u64) -> Result<u64, Error> {
                $end.await
            }

            async fn same_guarantees_by_hand(&self, _: u64) -> Result<u64, Error> {
                $end.await
            }

            async fn with(&self, _: u64) -> Result<u64, Error> {
                $end.await
            }

            async fn generator(&self, _: u64) -> Result<u64, Error> {
                $end.await
            }
        }
    };
}

leaf!(Panics, async { std::panic::panic_any(7_u32) });
leaf!(Fails, async { Err(Error::msg("block failed")) });
leaf!(Pends, std::future::pending::<Result<u64, Error>>());

fn block_on<T>(future: impl Future<Output = T>) -> T {
    futures_lite::future::block_on(future)
}

#[test]
fn a_panic_resumes_with_its_own_payload() {
    let nest = Four::<Panics>::default();
    for payload in [
        catch_unwind(AssertUnwindSafe(|| {
            block_on(nest.same_guarantees_by_hand(1))
        })),
        catch_unwind(AssertUnwindSafe(|| block_on(nest.with(1)))),
    ] {
        let payload = payload.expect_err("the block panicked");
        assert_eq!(payload.downcast_ref::<u32>(), Some(&7));
    }
}

#[test]
fn a_failed_block_reaches_the_caller_as_with_reports_it() {
    let nest = Four::<Fails>::default();
    let by_hand = block_on(nest.same_guarantees_by_hand(1)).unwrap_err();
    let with = block_on(nest.with(1)).unwrap_err();
    assert_eq!(by_hand.to_string(), "block failed");
    assert_eq!(by_hand.to_string(), with.to_string());
}

/// How many exits were reported skipped when `future`, polled once, is
/// dropped.
fn skipped_when_dropped(future: impl Future) -> u64 {
    let before = diagnostics::skipped_exits();
    let mut future = Box::pin(future);
    let polled = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
    assert!(polled.is_pending());
    drop(future);
    diagnostics::skipped_exits() - before
}

#[test]
fn a_dropped_nesting_hands_every_entered_context_to_the_policy() {
    diagnostics::set_hook(|_| {}); // silence the report; the count still moves
    let nest = Four::<Pends>::default();
    // One test, so that no other test drops a scope between the counts.
    assert_eq!(skipped_when_dropped(nest.same_guarantees_by_hand(1)), 4);
    assert_eq!(skipped_when_dropped(nest.with(1)), 4);
    diagnostics::reset_hook();
}
