// A `!Send` part cannot go into a `Send` stack.
use std::rc::Rc;

use async_with::{ExitStack, nullcontext};

fn main() {
    futures_lite::future::block_on(async {
        let stack = ExitStack::new();
        let _shared = stack.enter(nullcontext(Rc::new(1))).await;
    });
}
