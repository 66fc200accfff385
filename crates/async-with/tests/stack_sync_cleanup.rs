//! `ExitStack`'s synchronous cleanups (`push_sync_callback`, `push_drop`):
//! the same newest-first order as async exits, errors and panics kept the
//! same way, and run, not skipped, when the stack is dropped unclosed.

mod common;

use std::sync::{Arc, Mutex};

use async_with::diagnostics::{self, Diagnostic};
use async_with::{Error, ExitStack, LocalExitStack, NoRuntime};
use common::*;

/// A value whose `Drop` is its cleanup, logging it.
struct Guard {
    name: &'static str,
    events: Events,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.events.push(format!("released {}", self.name));
    }
}

#[test]
fn sync_and_async_cleanups_run_newest_first_in_one_order() {
    let events = Events::new();
    block_on(async {
        let mut stack = ExitStack::new();
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        let e = events.clone();
        stack.push_sync_callback(move || {
            e.push("sync callback");
            Ok(())
        });
        let guard = stack.push_drop(Guard {
            name: "guard",
            events: events.clone(),
        });
        guard.events.push("guard lent back");
        let e = events.clone();
        stack.push_callback(move || async move {
            e.push("async callback");
            Ok(())
        });
        stack.enter(tracked(Spec::new("B"), &events)).await?;
        events.push("body");
        stack.close().await
    })
    .unwrap();
    assert_eq!(
        events.log(),
        strings(&[
            "enter A",
            "guard lent back",
            "enter B",
            "body",
            "exit B: success",
            "async callback",
            "released guard",
            "sync callback",
            "exit A: success",
        ])
    );
}

#[test]
fn a_failing_sync_callback_is_kept_in_order_and_seen_by_later_exits() {
    let events = Events::new();
    let error = block_on(async {
        let mut stack = ExitStack::new();
        stack.enter(tracked(Spec::new("A"), &events)).await?;
        stack.push_sync_callback(|| Err(Error::msg("sync cleanup failed")));
        stack
            .enter(tracked(Spec::new("B").exit(Act::Fail), &events))
            .await?;
        stack.close().await
    })
    .unwrap_err();
    assert_eq!(
        messages(&error),
        ["exit B failed", "sync cleanup failed"],
        "oldest first"
    );
    assert_eq!(
        events.log()[2..],
        strings(&[
            "exit B: success",
            "exit A: failed(sync cleanup failed (after 1 earlier error))",
        ])
    );
}

#[test]
fn a_panicking_sync_callback_lets_every_other_exit_run_then_resumes() {
    let events = Events::new();
    let e = events.clone();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        block_on(async {
            let mut stack = ExitStack::new();
            stack.enter(tracked(Spec::new("A"), &events)).await?;
            stack.push_sync_callback(|| std::panic::panic_any(Boom("sync callback")));
            stack.push_drop(Guard {
                name: "guard",
                events: e,
            });
            stack.close().await
        })
    }))
    .unwrap_err();
    assert_eq!(
        panicked.downcast_ref::<Boom>(),
        Some(&Boom("sync callback"))
    );
    assert_eq!(
        events.log()[1..],
        strings(&["released guard", "exit A: panicked"])
    );
}

#[test]
fn a_dropped_stack_runs_its_sync_cleanups_and_reports_only_async_exits() {
    let events = Events::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let hook = move |d: &Diagnostic<'_>| log.lock().unwrap().push(d.to_string());
    let outcome_seen = Arc::new(Mutex::new(None));
    block_on(diagnostics::scoped(hook, async {
        let stack = ExitStack::new();
        stack.enter(tracked(Spec::new("A"), &events)).await.unwrap();
        let told = Arc::clone(&outcome_seen);
        stack.push_sync_callback(move || {
            *told.lock().unwrap() = Some("ran");
            Err(Error::msg("cleanup failed after cancel"))
        });
        stack.push_drop(Guard {
            name: "guard",
            events: events.clone(),
        });
        stack.enter(tracked(Spec::new("B"), &events)).await.unwrap();
        drop(stack); // never closed
    }));
    assert_eq!(*outcome_seen.lock().unwrap(), Some("ran"));
    assert_eq!(
        events.log(),
        strings(&["enter A", "enter B", "released guard"]),
        "B's and A's async exits did not run; the guard was dropped in between"
    );
    assert_eq!(events.drops(), ["B", "A"]);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].contains("cleanup failed after cancel"), "{seen:?}");
    assert!(
        seen[1].starts_with("2 async exits skipped"),
        "the sync ones ran: {seen:?}"
    );
}

#[test]
fn a_dropped_local_stack_runs_its_sync_callback() {
    let ran = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = std::rc::Rc::clone(&ran);
    let stack = LocalExitStack::new();
    stack.push_sync_callback(move || {
        flag.set(true);
        Ok(())
    });
    drop(stack);
    assert!(ran.get());
}

#[test]
fn a_local_stack_takes_non_send_sync_cleanups() {
    let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    block_on(async {
        let mut stack = LocalExitStack::new();
        let l = std::rc::Rc::clone(&log);
        stack.push_sync_callback(move || {
            l.borrow_mut().push("callback");
            Ok(())
        });
        let kept = stack.push_drop(std::rc::Rc::clone(&log));
        kept.borrow_mut().push("lent");
        stack.close().await
    })
    .unwrap();
    assert_eq!(*log.borrow(), ["lent", "callback"]);
}

#[test]
fn constructors_infer_their_parameters() {
    // No turbofish: the flavor follows from the constructor, the policy
    // from its argument.
    let sendable = async_with::stack::ExitStack::with_policy(NoRuntime);
    let local = async_with::stack::ExitStack::local_with_policy(NoRuntime);
    block_on(async {
        sendable.enter(async_with::nullcontext(1)).await?;
        Ok::<(), Error>(())
    })
    .unwrap();
    local.push_drop(std::rc::Rc::new(2));
    fn is_send<T: Send>(_: &T) {}
    is_send(&sendable);
    assert_eq!((sendable.len(), local.len()), (1, 1));
}
