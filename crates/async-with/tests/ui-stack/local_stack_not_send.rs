// A `LocalExitStack` takes `!Send` parts, and is `!Send` itself: it cannot
// cross to another thread, so neither can a scope holding it.
use std::rc::Rc;

use async_with::{ExitStack, nullcontext};

fn assert_send<T: Send>(_: &T) {}

fn main() {
    futures_lite::future::block_on(async {
        let stack = ExitStack::local();
        let shared = stack.enter(nullcontext(Rc::new(1))).await.unwrap();
        assert_eq!(**shared, 1);
        assert_send(&stack);
    });
}
