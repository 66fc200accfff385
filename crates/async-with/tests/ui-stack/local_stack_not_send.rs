// A `LocalExitStack` takes `!Send` parts, and is `!Send` itself: its scope
// cannot be spawned on a multi-threaded runtime.
use std::rc::Rc;

use async_with::{ExitStack, nullcontext};

fn assert_send<T: Send>(_: T) {}

fn main() {
    assert_send(ExitStack::local().scope(async |stack| {
        let shared = stack.enter(nullcontext(Rc::new(1))).await?;
        futures_lite::future::yield_now().await;
        assert_eq!(**shared, 1);
        Ok(())
    }));
}
