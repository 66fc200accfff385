// A generator-style scope yielding an `Rc` cannot be spawned on a
// multi-threaded runtime.
use std::rc::Rc;

use async_with::{Yield, context, with};

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    let shared = context(async |scope: Yield<'_, Rc<u32>>| {
        let (_shared, _) = scope.yield_(Rc::new(1)).await;
        Ok(())
    });
    runtime.spawn(with(shared, async |n| {
        futures_lite::future::yield_now().await;
        Ok(**n)
    }));
}
