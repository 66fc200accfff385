// A `LocalExitStack` takes `!Send` parts, and is `!Send` itself: it cannot
// cross to another thread, so neither can a scope holding it.
use std::rc::Rc;

use async_with::{Error, Exit, LocalAsyncContext, LocalExitStack, Outcome};

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


fn assert_send<T: Send>(_: &T) {}

fn main() {
    futures_lite::future::block_on(async {
        let stack = LocalExitStack::new();
        let shared = stack.enter(Shared(Some(Rc::new(1)))).await.unwrap();
        assert_eq!(**shared, 1);
        assert_send(&stack);
    });
}
