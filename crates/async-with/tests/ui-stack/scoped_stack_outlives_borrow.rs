// A `ScopedExitStack` holds entries that borrow from the caller, so it
// cannot outlive what they borrow: its drop (which runs or drops the
// entries) would touch a connection that is gone.
use async_with::{Error, Exit, LocalAsyncContext, Outcome, ScopedExitStack};

struct Connection(Vec<&'static str>);

struct Transaction<'c>(&'c mut Connection);

impl LocalAsyncContext for Transaction<'_> {
    type Resource = ();
    async fn enter(&mut self) -> Result<(), Error> {
        Ok(())
    }
    async fn exit(self, (): (), _: Outcome) -> Result<Exit, Error> {
        self.0 .0.push("committed");
        Ok(Exit::Propagate)
    }
}

fn main() {
    futures_lite::future::block_on(async {
        let stack = ScopedExitStack::new();
        {
            let mut conn = Connection(Vec::new());
            stack.enter(Transaction(&mut conn)).await.unwrap();
        }
        drop(stack);
    });
}
