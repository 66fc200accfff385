//! Future size: what a scope adds to the future of its block.
//!
//! A task holds every nested scope's future whole, so each byte a scope
//! adds is paid once per level. A `with` scope must keep its context and
//! resource while the block runs, plus a few words of state; what it keeps
//! for after its exit (the block's value, the error bookkeeping, the exit's
//! future) must share room with the block's future, not add to it.
//!
//! The same layout rules hold in debug and release builds (they are the
//! compiler's coroutine layout, decided before optimisation), so these
//! checks hold under `cargo test`.

use std::future::Future;
use std::mem::size_of;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_with::{AsyncContext, Error, Exit, Outcome, Yield, context, with};

/// A block's future of `N` bytes that completes at once.
struct Block<const N: usize>([u8; N]);

impl<const N: usize> Future for Block<N> {
    type Output = Result<u64, Error>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(Ok(u64::from(self.0[0])))
    }
}

/// A context of `N` bytes whose resource is a `u64`.
struct Padded<const N: usize>([u8; N]);

impl<const N: usize> AsyncContext for Padded<N> {
    type Resource = u64;

    async fn enter(&mut self) -> Result<u64, Error> {
        Ok(u64::from(self.0[0]))
    }

    async fn exit(self, resource: u64, outcome: Outcome) -> Result<Exit, Error> {
        assert!(outcome.is_success() || resource > 0);
        Ok(Exit::Propagate)
    }
}

/// Two words of state: the scope's stage and the future's own state, with
/// their padding.
const STATE: usize = 2 * size_of::<usize>();

/// The size of `with(context, block)` over the size of the block's own
/// future (the body closure's, which holds the block and one reference).
fn added_by_with<const C: usize, const N: usize>() -> usize {
    let body_future = async |_: &mut u64| Block::<N>([0; N]).await;
    let mut resource = 0;
    let alone = size_of_of(&body_future(&mut resource));
    let scoped = size_of_of(&with(Padded::<C>([0; C]), body_future));
    scoped - alone
}

fn size_of_of<T>(_: &T) -> usize {
    size_of::<T>()
}

#[test]
fn a_with_scope_adds_its_context_its_resource_and_two_words() {
    // Blocks bigger than what the exit needs (its future, the block's
    // value, the error bookkeeping), small and large contexts: none of what
    // the exit needs shows.
    let cases = [
        (added_by_with::<8, 1024>(), 8),
        (added_by_with::<64, 1024>(), 64),
        (added_by_with::<8, 4096>(), 8),
    ];
    for (added, context) in cases {
        let bound = context + size_of::<u64>() + STATE;
        assert!(
            added <= bound,
            "a scope added {added} bytes; its context, resource and state take {bound}"
        );
    }
}

#[test]
fn a_nesting_grows_by_one_scope_one_closure_and_one_call_a_level() {
    async fn leaf() -> Result<u64, Error> {
        Block::<256>([0; 256]).await
    }
    async fn one() -> Result<u64, Error> {
        with(Padded::<8>([1; 8]), async |_| leaf().await).await
    }
    async fn two() -> Result<u64, Error> {
        with(Padded::<8>([1; 8]), async |_| one().await).await
    }
    async fn three() -> Result<u64, Error> {
        with(Padded::<8>([1; 8]), async |_| two().await).await
    }
    let sizes = [
        size_of_of(&leaf()),
        size_of_of(&one()),
        size_of_of(&two()),
        size_of_of(&three()),
    ];
    let per_level: Vec<usize> = sizes.windows(2).map(|pair| pair[1] - pair[0]).collect();
    // A level: the scope (context, resource, state), the body closure's
    // future (its state and the reference it holds) and the level's own
    // `async fn` state.
    let bound = 8 + size_of::<u64>() + STATE + 2 * size_of::<usize>() + size_of::<usize>();
    for added in &per_level {
        assert!(
            *added <= bound,
            "a level added {added} bytes (bound {bound}): {sizes:?}"
        );
    }
    futures_lite::future::block_on(async {
        assert_eq!(three().await.unwrap(), 0);
    });
}

#[test]
fn a_generator_style_scope_adds_its_closure_and_resource_not_its_bookkeeping() {
    let closure_future = async |scope: Yield<'_, u64>| {
        let (_, _outcome) = scope.yield_(1).await;
        Ok(())
    };
    let body_future = async |_: &mut u64| Block::<1024>([0; 1024]).await;
    let mut resource = 0;
    let alone = size_of_of(&body_future(&mut resource));
    let scoped = size_of_of(&with(context(closure_future), body_future));
    // The closure's future suspended at its yield (its handle to the slot
    // and the yield's own future), the slot that hands the resource over
    // (the resource, an outcome and a state), the resource lent to the
    // block, and the scope's state: 14 words. Neither the block's value
    // nor the error bookkeeping shows.
    let bound = 14 * size_of::<usize>();
    assert!(
        scoped - alone <= bound,
        "a generator-style scope added {} bytes (bound {bound})",
        scoped - alone
    );
}
