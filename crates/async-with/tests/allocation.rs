//! Zero allocation: nested `with` (depth 1 to 8, both kinds of context
//! mixed) and generator-style contexts allocate nothing on the heap on the
//! success path.
//!
//! `allocation-counter` installs a counting global allocator in this test
//! binary only; it counts the current thread's allocations, so the test
//! harness's other threads do not interfere.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use allocation_counter::{AllocationInfo, measure};
use async_with::{Error, Exit, LocalAsyncContext, Outcome, Yield, context, nullcontext, with};
use futures_lite::future::yield_now;

/// Counts enters and exits without touching the heap.
#[derive(Default)]
struct Counts {
    enters: Cell<usize>,
    exits: Cell<usize>,
    suspensions: Cell<usize>,
}

/// A `LocalAsyncContext` (its counters are `Cell`s) that suspends in its enter and its exit.
struct Plain<'a>(&'a Counts);

impl LocalAsyncContext for Plain<'_> {
    type Resource = u64;

    async fn enter(&mut self) -> Result<u64, Error> {
        yield_now().await;
        self.0.enters.set(self.0.enters.get() + 1);
        Ok(1)
    }

    async fn exit(self, resource: u64, outcome: Outcome) -> Result<Exit, Error> {
        assert!(outcome.is_success());
        assert_eq!(resource, 2, "the body's change reached the exit");
        yield_now().await;
        self.0.exits.set(self.0.exits.get() + 1);
        Ok(Exit::Propagate)
    }
}

/// Nests `with` over the listed contexts; each level's body adds one to its
/// resource, which its exit checks.
macro_rules! nest {
    ($counts:expr; ; $body:expr) => { $body };
    ($counts:expr; $ctx:expr $(, $rest:expr)* ; $body:expr) => {
        with($ctx, async |resource: &mut u64| {
            *resource += 1;
            nest!($counts; $($rest),* ; $body)
        })
        .await
    };
}

/// The same as [`Plain`], as a generator-style context (a macro rather than
/// a function, so each use has its own closure type).
macro_rules! generated {
    ($counts:expr) => {
        context(async |scope: Yield<'_, u64>| {
            let counts: &Counts = $counts;
            yield_now().await;
            counts.enters.set(counts.enters.get() + 1);
            let (resource, outcome) = scope.yield_(1).await;
            assert!(outcome.is_success());
            assert_eq!(resource, 2, "the body's change reached the exit");
            yield_now().await;
            counts.exits.set(counts.exits.get() + 1);
            Ok(())
        })
    };
}

/// Polls `future` to completion with a waker that does not allocate,
/// counting suspensions.
fn run<F: Future>(counts: &Counts, future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => counts.suspensions.set(counts.suspensions.get() + 1),
        }
    }
}

/// Runs the scope `make` builds inside a measured region; checks it ran
/// `depth` enters and exits that really suspended, and returns what the
/// region allocated.
fn measured<F, Fut>(depth: usize, make: F) -> AllocationInfo
where
    F: Fn(&'static Counts) -> Fut,
    Fut: Future<Output = Result<u32, Error>>,
{
    // Leaked so the scope futures can borrow them: a few bytes per test.
    let warm_up: &'static Counts = Box::leak(Box::default());
    let counts: &'static Counts = Box::leak(Box::default());
    // Warm-up outside the region: lazily initialised state, if any.
    assert_eq!(run(warm_up, make(warm_up)).unwrap(), 7);
    let info = measure(|| {
        assert_eq!(run(counts, make(counts)).unwrap(), 7);
    });
    assert_eq!(counts.enters.get(), depth);
    assert_eq!(counts.exits.get(), depth);
    assert_eq!(counts.suspensions.get(), 2 * depth + 1);
    info
}

async fn body() -> Result<u32, Error> {
    yield_now().await;
    Ok(7)
}

#[test]
fn the_counter_sees_allocations_on_this_thread() {
    // Without this, a zero below could mean the counter is not installed.
    let info = measure(|| drop(std::hint::black_box(Box::new(1_u64))));
    assert_eq!(info.count_total, 1);
}

#[test]
fn nested_with_of_async_contexts_allocates_nothing() {
    let p = Plain;
    let infos = [
        measured(1, |c| async move { nest!(c; p(c); body().await) }),
        measured(2, |c| async move { nest!(c; p(c), p(c); body().await) }),
        measured(
            3,
            |c| async move { nest!(c; p(c), p(c), p(c); body().await) },
        ),
        measured(4, |c| async move {
            nest!(c; p(c), p(c), p(c), p(c); body().await)
        }),
        measured(8, |c| async move {
            nest!(c; p(c), p(c), p(c), p(c), p(c), p(c), p(c), p(c); body().await)
        }),
    ];
    for (index, info) in infos.iter().enumerate() {
        assert_eq!(info.count_total, 0, "case {index}: {info:?}");
    }
}

#[test]
fn generator_style_contexts_allocate_nothing() {
    let one = measured(1, |c| async move { nest!(c; generated!(c); body().await) });
    assert_eq!(one.count_total, 0, "{one:?}");
    let three = measured(3, |c| async move {
        nest!(c; generated!(c), generated!(c), generated!(c); body().await)
    });
    assert_eq!(three.count_total, 0, "{three:?}");
}

#[test]
fn mixed_nesting_from_depth_one_to_eight_allocates_nothing() {
    let p = Plain;
    let infos = [
        measured(1, |c| async move { nest!(c; generated!(c); body().await) }),
        measured(
            2,
            |c| async move { nest!(c; p(c), generated!(c); body().await) },
        ),
        measured(3, |c| async move {
            nest!(c; generated!(c), p(c), generated!(c); body().await)
        }),
        measured(4, |c| async move {
            nest!(c; p(c), generated!(c), p(c), generated!(c); body().await)
        }),
        measured(5, |c| async move {
            nest!(c; generated!(c), p(c), generated!(c), p(c), generated!(c); body().await)
        }),
        measured(6, |c| async move {
            nest!(c; p(c), generated!(c), p(c), generated!(c), p(c), generated!(c); body().await)
        }),
        measured(7, |c| async move {
            nest!(c; generated!(c), p(c), generated!(c), p(c), generated!(c), p(c),
                generated!(c); body().await)
        }),
        measured(8, |c| async move {
            nest!(c; p(c), generated!(c), p(c), generated!(c), p(c), generated!(c), p(c),
                generated!(c); body().await)
        }),
    ];
    for (index, info) in infos.iter().enumerate() {
        assert_eq!(info.count_total, 0, "depth {}: {info:?}", index + 1);
    }
}

#[test]
fn helpers_allocate_nothing() {
    let counts = Counts::default();
    let info = measure(|| {
        let value = run(
            &counts,
            with(nullcontext(3_u32), async |n| {
                with(async_with::suppress::<std::fmt::Error>(), async |()| {
                    with(async_with::defer(async || Ok(())), async |()| {
                        with(async_with::timer(|_| {}), async |_| {
                            yield_now().await;
                            Ok(*n + 4)
                        })
                        .await
                    })
                    .await
                })
                .await
            }),
        );
        assert_eq!(value.unwrap(), 7);
    });
    assert_eq!(info.count_total, 0, "{info:?}");
}
