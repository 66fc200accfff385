//! Generator-style contexts (`@asynccontextmanager`): each misuse is a clear
//! error value, the block's outcome arrives at the yield point, where the
//! closure can suppress it, and the cleanup after the yield runs whatever
//! the block did.

mod common;

use std::future::Future;
use std::pin::pin;
use std::task::Poll;

use async_with::{AllowSuppressed, Error, Exit, MisuseError, Outcome, Yield, context, with};
use common::{BodyError, EnterError, Events, Res, block_on, describe, panic_payload, suspend};

#[test]
fn returning_without_yielding_is_a_misuse_error_and_nothing_is_entered() {
    let events = Events::new();
    let never_yields = context(async |_scope: Yield<'_, Res>| {
        events.push("setup");
        suspend(1).await;
        Ok(())
    });
    let result = block_on(with(never_yields, async |_| {
        events.push("body");
        Ok(())
    }));
    let error = result.unwrap_err();
    assert_eq!(
        error.downcast::<MisuseError>().unwrap(),
        MisuseError::NoYield
    );
    assert_eq!(events.log(), ["setup"], "the body never ran");
}

#[test]
fn no_yield_has_a_clear_message() {
    let result = block_on(with(
        context(async |_scope: Yield<'_, ()>| Ok(())),
        async |()| Ok(()),
    ));
    assert_eq!(
        result.unwrap_err().to_string(),
        "generator-style context returned without yielding"
    );
}

#[test]
fn failing_before_the_yield_is_a_failed_enter_and_the_body_never_runs() {
    let events = Events::new();
    let refuses = context(async |scope: Yield<'_, Res>| {
        events.push("connect");
        suspend(2).await;
        if events.count("connect") == 1 {
            return Err(EnterError("db").into());
        }
        let (_res, _outcome) = scope.yield_(events.resource("db")).await;
        events.push("cleanup");
        Ok(())
    });
    let result = block_on(with(refuses, async |_| {
        events.push("body");
        Ok(())
    }));
    assert_eq!(
        result.unwrap_err().downcast::<EnterError>().unwrap(),
        EnterError("db")
    );
    assert_eq!(events.log(), ["connect"]);
    assert!(events.drops().is_empty());
}

#[test]
fn dropping_the_yield_future_before_it_is_awaited_is_a_misuse_error() {
    let events = Events::new();
    let abandons = context(async |scope: Yield<'_, Res>| {
        let mut resume = pin!(scope.yield_(events.resource("A")));
        // Start the yield, then walk away from it.
        std::future::poll_fn(|cx| {
            assert!(resume.as_mut().poll(cx).is_pending());
            Poll::Ready(())
        })
        .await;
        events.push("returned");
        Ok(())
    });
    let result = block_on(with(abandons, async |_| {
        events.push("body");
        Ok(())
    }));
    let error = result.unwrap_err();
    assert_eq!(
        error.downcast::<MisuseError>().unwrap(),
        MisuseError::AbandonedYield
    );
    assert_eq!(events.log(), ["returned"], "the body never ran");
    assert_eq!(events.drops(), ["A"], "the abandoned resource was dropped");
}

#[test]
fn a_yield_raced_in_a_select_and_dropped_is_a_misuse_error() {
    let events = Events::new();
    let races = context(async |scope: Yield<'_, Res>| {
        let yielded = async {
            let (resource, _outcome) = scope.yield_(events.resource("A")).await;
            Some(resource)
        };
        // The other branch wins as soon as the closure is polled again,
        // which is after the block: the yield is dropped unfinished.
        let other = async {
            futures_lite::future::yield_now().await;
            None
        };
        let won = futures_lite::future::or(other, yielded).await;
        events.push(format!("select returned {}", won.is_some()));
        Ok(())
    });
    let result: Result<u8, Error> = block_on(with(races, async |res| {
        res.touch();
        Ok(1)
    }));
    let error = result.unwrap_err();
    assert_eq!(
        error.downcast::<MisuseError>().unwrap(),
        MisuseError::AbandonedYield
    );
    assert_eq!(events.log(), ["use A", "select returned false"]);
    assert_eq!(events.drops(), ["A"], "the unclaimed resource was dropped");
    assert_eq!(
        MisuseError::AbandonedYield.to_string(),
        "generator-style context dropped its yield before the block ended"
    );
}

#[test]
fn an_abandoned_yield_keeps_the_bodys_error() {
    let races = context(async |scope: Yield<'_, ()>| {
        let yielded = async {
            let _ = scope.yield_(()).await;
        };
        futures_lite::future::or(futures_lite::future::yield_now(), yielded).await;
        Ok(())
    });
    let result: Result<(), Error> =
        block_on(with(races, async |()| Err(BodyError("first").into())));
    let error = result.unwrap_err();
    assert_eq!(error.len(), 2);
    let mut errors = error.errors();
    assert!(errors.next().unwrap().is::<BodyError>());
    assert_eq!(
        errors.next().unwrap().downcast_ref::<MisuseError>(),
        Some(&MisuseError::AbandonedYield)
    );
}

#[test]
fn suppression_at_the_yield_point_leaves_the_block_without_a_value() {
    let events = Events::new();
    let ignore_not_found = context(async |scope: Yield<'_, ()>| {
        let ((), outcome) = scope.yield_(()).await;
        events.push(format!("saw {}", describe(&outcome)));
        Ok(match outcome {
            Outcome::Failed(error) if error.is::<BodyError>() => Exit::Suppress,
            _ => Exit::Propagate,
        })
    });
    let value: Result<u32, Error> = block_on(with(ignore_not_found, async |()| {
        Err(BodyError("missing key").into())
    }));
    assert_eq!(value.allow_suppressed().unwrap(), None);
    assert_eq!(events.log(), ["saw failed(body failed: missing key)"]);
}

#[test]
fn the_closure_does_not_suppress_what_it_does_not_match() {
    let ignore_body_errors = context(async |scope: Yield<'_, ()>| {
        let ((), outcome) = scope.yield_(()).await;
        Ok(match outcome {
            Outcome::Failed(error) if error.is::<BodyError>() => Exit::Suppress,
            _ => Exit::Propagate,
        })
    });
    let result: Result<(), Error> = block_on(with(ignore_body_errors, async |()| {
        Err(EnterError("other").into())
    }));
    assert!(result.unwrap_err().is::<EnterError>());
}

/// Python's `try: yield finally: cleanup`.
fn with_cleanup(events: &Events) -> impl async_with::With<Resource = Res> {
    let events = events.clone();
    context(async move |scope: Yield<'_, Res>| {
        events.push("setup");
        let (resource, outcome) = scope.yield_(events.resource("conn")).await;
        suspend(2).await;
        events.push(format!(
            "cleanup {} after {}",
            resource.name,
            describe(&outcome)
        ));
        Ok(())
    })
}

#[test]
fn the_cleanup_after_the_yield_runs_on_success_error_and_panic() {
    let events = Events::new();
    let value = block_on(with(with_cleanup(&events), async |conn| {
        conn.touch();
        Ok(3)
    }));
    assert_eq!(value.unwrap(), 3);

    let failed: Result<(), Error> = block_on(with(with_cleanup(&events), async |_| {
        Err(BodyError("query").into())
    }));
    assert_eq!(
        failed.unwrap_err().downcast::<BodyError>().unwrap(),
        BodyError("query")
    );

    let payload = panic_payload(with(with_cleanup(&events), async |_| {
        std::panic::panic_any(common::Boom("body"));
        #[allow(unreachable_code)]
        Ok(())
    }));
    assert_eq!(
        payload.downcast_ref::<common::Boom>(),
        Some(&common::Boom("body"))
    );

    assert_eq!(
        events.log(),
        [
            "setup",
            "use conn",
            "cleanup conn after success",
            "setup",
            "cleanup conn after failed(body failed: query)",
            "setup",
            "cleanup conn after panicked",
        ]
    );
    assert_eq!(events.drops(), ["conn", "conn", "conn"]);
}

#[test]
fn the_block_changes_the_resource_the_closure_gets_back() {
    let counter = context(async |scope: Yield<'_, Vec<&str>>| {
        let (writes, outcome) = scope.yield_(Vec::new()).await;
        assert!(outcome.is_success());
        Ok(if writes == ["a", "b"] {
            Exit::Propagate
        } else {
            Exit::Suppress
        })
    });
    let result = block_on(with(counter, async |writes| {
        writes.push("a");
        suspend(1).await;
        writes.push("b");
        Ok(writes.len())
    }));
    assert_eq!(result.unwrap(), 2);
}

#[test]
fn an_error_returned_by_the_cleanup_reaches_the_caller_after_the_bodys() {
    let failing_cleanup = context(async |scope: Yield<'_, ()>| {
        let ((), _outcome) = scope.yield_(()).await;
        Err::<(), _>(Error::msg("rollback failed"))
    });
    let result: Result<(), Error> = block_on(with(failing_cleanup, async |()| {
        Err(BodyError("insert").into())
    }));
    assert_eq!(
        common::messages(&result.unwrap_err()),
        ["body failed: insert", "rollback failed"]
    );
}

#[test]
fn boxed_context_reports_the_same_misuse() {
    let events = Events::new();
    let never_yields = async_with::boxed_context(|_scope: Yield<'static, ()>| async { Ok(()) });
    let result = block_on(with(never_yields, async |()| {
        events.push("body");
        Ok(())
    }));
    assert_eq!(
        result.unwrap_err().downcast::<MisuseError>().unwrap(),
        MisuseError::NoYield
    );

    let refuses = async_with::boxed_context(|_scope: Yield<'static, ()>| async {
        Err::<(), _>(EnterError("boxed").into())
    });
    let result = block_on(with(refuses, async |()| {
        events.push("body");
        Ok(())
    }));
    assert_eq!(
        result.unwrap_err().downcast::<EnterError>().unwrap(),
        EnterError("boxed")
    );
    assert!(events.log().is_empty(), "the body never ran");

    let resource_events = events.clone();
    let races = async_with::boxed_context(move |scope: Yield<'static, Res>| async move {
        let yielded = async {
            let _ = scope.yield_(resource_events.resource("A")).await;
        };
        futures_lite::future::or(futures_lite::future::yield_now(), yielded).await;
        Ok(())
    });
    let result = block_on(with(races, async |res| {
        res.touch();
        Ok(())
    }));
    assert_eq!(
        result.unwrap_err().downcast::<MisuseError>().unwrap(),
        MisuseError::AbandonedYield
    );
    assert_eq!(events.log(), ["use A"]);
    assert_eq!(events.drops(), ["A"]);
}

#[test]
fn boxed_context_suppresses_at_the_yield_point_and_cleans_up_on_error() {
    let events = Events::new();
    let cleanup_events = events.clone();
    let ignore_body_errors =
        async_with::boxed_context(move |scope: Yield<'static, ()>| async move {
            let ((), outcome) = scope.yield_(()).await;
            cleanup_events.push(format!("cleanup after {}", describe(&outcome)));
            Ok(match outcome {
                Outcome::Failed(error) if error.is::<BodyError>() => Exit::Suppress,
                _ => Exit::Propagate,
            })
        });
    let value: Result<u8, Error> = block_on(with(ignore_body_errors, async |()| {
        Err(BodyError("ignored").into())
    }));
    assert_eq!(value.allow_suppressed().unwrap(), None);
    assert_eq!(events.log(), ["cleanup after failed(body failed: ignored)"]);
}
