// A `ScopedExitStack` is `!Send`, even when every entry is: borrowed
// exits cannot be handed to a runtime, and its scope stays on its task.
use async_with::ScopedExitStack;

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let mut done = false;
    let stack = ScopedExitStack::new();
    stack.push_sync_callback(|| {
        done = true;
        Ok(())
    });
    assert_send(&stack);
}
