//! `ExitStack::enter_handle` and `get_mut`: an entry's resource reached
//! again through its stack, after loops, moves and `pop_all`, and never
//! once its exit started or on another stack.

mod common;

use async_with::{AsyncContext, Error, Exit, ExitStack, Outcome, nullcontext};
use common::*;

/// A connection whose exit logs how many queries went through it.
struct Connection {
    name: &'static str,
    events: Events,
}

impl AsyncContext for Connection {
    type Resource = u32;

    async fn enter(&mut self) -> Result<u32, Error> {
        Ok(0)
    }

    async fn exit(self, queries: u32, _: Outcome) -> Result<Exit, Error> {
        self.events
            .push(format!("close {} after {queries} queries", self.name));
        Ok(Exit::Propagate)
    }
}

fn connection(name: &'static str, events: &Events) -> Connection {
    Connection {
        name,
        events: events.clone(),
    }
}

#[test]
fn handles_reach_resources_collected_in_a_loop_and_the_exits_see_the_changes() {
    let events = Events::new();
    block_on(async {
        let mut stack = ExitStack::new();
        let mut pool = Vec::new();
        for name in ["a", "b", "c"] {
            pool.push(stack.enter_handle(connection(name, &events)).await?);
        }
        for round in 0..5 {
            let handle = &pool[round % pool.len()];
            *stack.get_mut(handle).unwrap() += 1;
        }
        stack.close().await
    })
    .unwrap();
    assert_eq!(
        events.log(),
        [
            "close c after 1 queries",
            "close b after 2 queries",
            "close a after 2 queries",
        ]
    );
}

#[test]
fn a_handle_follows_its_entry_through_pop_all_and_a_move_to_another_thread() {
    let events = Events::new();
    let (stack, handle) = block_on(async {
        let mut setup = ExitStack::new();
        let handle = setup.enter_handle(connection("a", &events)).await?;
        let kept = setup.pop_all();
        assert_eq!(setup.get_mut(&handle), None, "not on the emptied stack");
        Ok::<_, Error>((kept, handle))
    })
    .unwrap();
    let mut stack = std::thread::spawn(move || {
        let mut stack = stack;
        *stack.get_mut(&handle).unwrap() = 41;
        stack
    })
    .join()
    .unwrap();
    *stack.get_mut(&handle).unwrap() += 1;
    block_on(stack.close()).unwrap();
    assert_eq!(events.log(), ["close a after 42 queries"]);
}

#[test]
fn a_handle_finds_nothing_once_its_exit_ran_even_where_a_new_entry_lives() {
    let events = Events::new();
    block_on(async {
        let mut stack = ExitStack::new();
        let old = stack.enter_handle(connection("old", &events)).await?;
        stack.close().await?;
        assert_eq!(stack.get_mut(&old), None);
        // The stack's memory is reused: the new entry may sit where the old
        // one was, with the same types.
        let new = stack.enter_handle(connection("new", &events)).await?;
        assert_eq!(stack.get_mut(&old), None);
        assert_eq!(stack.get_mut(&new), Some(&mut 0));
        assert_ne!(old, new);
        stack.close().await
    })
    .unwrap();
}

#[test]
fn a_handle_finds_nothing_on_another_stack() {
    let events = Events::new();
    block_on(async {
        let mut first = ExitStack::new();
        let mut second = ExitStack::new();
        let handle = first.enter_handle(connection("a", &events)).await?;
        second.enter(nullcontext(0_u32)).await?;
        assert_eq!(second.get_mut(&handle), None);
        assert_eq!(first.get_mut(&handle), Some(&mut 0));
        second.close().await?;
        first.close().await
    })
    .unwrap();
}

#[test]
fn a_failed_enter_gives_no_handle_and_registers_nothing() {
    let events = Events::new();
    let error = block_on(async {
        let stack = ExitStack::new();
        let handle = stack
            .enter_handle(tracked(Spec::new("A").enter(Act::Fail), &events))
            .await;
        assert_eq!(stack.len(), 0);
        handle
    })
    .unwrap_err();
    assert_eq!(error.downcast::<EnterError>().unwrap(), EnterError("A"));
}
