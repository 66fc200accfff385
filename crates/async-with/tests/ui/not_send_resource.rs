// A scope holding an `Rc` resource across an await cannot be spawned.
use std::rc::Rc;

use async_with::{nullcontext, with};

fn assert_send<T: Send>(_: T) {}

fn main() {
    assert_send(with(nullcontext(Rc::new(1)), async |shared| {
        futures_lite::future::yield_now().await;
        Ok(**shared)
    }));
}
