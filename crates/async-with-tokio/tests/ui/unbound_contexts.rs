// The adapter's `with` hands a dropped scope's exit to tokio, so it takes
// only contexts it can hand over: a `!Send` context and the core's
// zero-allocation generator are compile errors that name the alternative.
use std::rc::Rc;

use async_with_tokio::{Error, Exit, LocalAsyncContext, Outcome, with};

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

fn main() {
    let _local = with(Shared(Some(Rc::new(1))), async |n| Ok(**n));
    let generated = async_with::context(async |scope| {
        let _ = scope.yield_(1_u32).await;
        Ok(())
    });
    let _generated = with(generated, async |n| Ok(*n));
}
