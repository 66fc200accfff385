// A scope holding an `Rc` resource across an await cannot be spawned.
use std::rc::Rc;

use async_with::{Error, Exit, LocalAsyncContext, Outcome, with};

struct Shared(Option<Rc<u32>>);

impl LocalAsyncContext for Shared {
    type Resource = Rc<u32>;
    async fn enter(&mut self) -> Result<Rc<u32>, Error> {
        Ok(self.0.take().unwrap())
    }
    async fn exit(self, _: Rc<u32>, _: Outcome) -> Result<Exit, Error> {
        Ok(Exit::Propagate)
    }
}


fn assert_send<T: Send>(_: T) {}

fn main() {
    assert_send(with(Shared(Some(Rc::new(1))), async |shared| {
        futures_lite::future::yield_now().await;
        Ok(**shared)
    }));
}
