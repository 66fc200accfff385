// A `LocalExitStack` is `!Sync` too: its entries may hold `Rc`s, so a
// reference to it must not reach another thread either.
use async_with::LocalExitStack;

fn assert_sync<T: Sync>(_: &T) {}

fn main() {
    let stack = LocalExitStack::new();
    stack.push_callback(|| async { Ok(()) });
    assert_sync(&stack);
}
