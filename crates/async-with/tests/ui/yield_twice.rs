// A generator-style context yields once: `yield_` consumes the handle.
use async_with::{Yield, context, with};

fn main() {
    let twice = context(async |scope: Yield<'_, u32>| {
        let (first, _) = scope.yield_(1).await;
        let (second, _) = scope.yield_(first + 1).await;
        drop(second);
        Ok(())
    });
    let _ = futures_lite::future::block_on(with(twice, async |n| Ok(*n)));
}
