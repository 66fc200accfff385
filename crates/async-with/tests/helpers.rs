//! The ready-made contexts: `nullcontext`, `closing`/`aclosing`, `defer`,
//! `timer`.

mod common;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_with::{
    AllowSuppressed, AsyncClose, Error, aclosing, closing, defer, nullcontext, timer, with,
};
use common::{
    BodyError, Boom, Events, ExitError, Spec, block_on, messages, panic_payload, suspend, tracked,
};
use futures_lite::StreamExt;

#[test]
fn nullcontext_lends_its_value_and_does_nothing_else() {
    let events = Events::new();
    let result = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(nullcontext(vec![1, 2]), async |values| {
            values.push(3);
            Ok(values.iter().sum::<i32>())
        })
        .await
    }));
    assert_eq!(result.unwrap(), 6);
    assert_eq!(events.log(), ["enter A", "exit A: success"]);
}

#[test]
fn nullcontext_lets_the_bodys_error_through() {
    let result: Result<(), Error> = block_on(with(nullcontext(()), async |()| {
        Err(BodyError("plain").into())
    }));
    assert_eq!(
        result.unwrap_err().downcast::<BodyError>().unwrap(),
        BodyError("plain")
    );
}

/// A connection closed by an async method, recording each close.
struct Connection {
    events: Events,
    fail_close: bool,
}

impl AsyncClose for Connection {
    async fn close(self) -> Result<(), Error> {
        suspend(2).await;
        self.events.push("close");
        if self.fail_close {
            return Err(ExitError("close").into());
        }
        Ok(())
    }
}

fn connection(events: &Events, fail_close: bool) -> Connection {
    Connection {
        events: events.clone(),
        fail_close,
    }
}

#[test]
fn closing_closes_exactly_once_on_success() {
    let events = Events::new();
    let result = block_on(with(closing(connection(&events, false)), async |conn| {
        conn.events.push("query");
        Ok("rows")
    }));
    assert_eq!(result.unwrap(), "rows");
    assert_eq!(events.log(), ["query", "close"]);
}

#[test]
fn closing_closes_exactly_once_when_the_body_fails() {
    let events = Events::new();
    let result: Result<(), Error> =
        block_on(with(closing(connection(&events, false)), async |_| {
            Err(BodyError("query").into())
        }));
    assert_eq!(
        result.unwrap_err().downcast::<BodyError>().unwrap(),
        BodyError("query")
    );
    assert_eq!(events.log(), ["close"]);
}

#[test]
fn closing_closes_exactly_once_when_the_body_panics() {
    let events = Events::new();
    let payload = panic_payload(with(closing(connection(&events, false)), async |_| {
        std::panic::panic_any(Boom("body"));
        #[allow(unreachable_code)]
        Ok(())
    }));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("body")));
    assert_eq!(events.log(), ["close"]);
}

#[test]
fn a_failed_close_reaches_the_caller_after_the_bodys_error() {
    let events = Events::new();
    let result = block_on(with(closing(connection(&events, true)), async |_| Ok(1)));
    assert_eq!(
        result.unwrap_err().downcast::<ExitError>().unwrap(),
        ExitError("close")
    );

    let result: Result<(), Error> =
        block_on(with(closing(connection(&events, true)), async |_| {
            Err(BodyError("query").into())
        }));
    assert_eq!(
        messages(&result.unwrap_err()),
        ["body failed: query", "exit close failed"]
    );
    assert_eq!(events.log(), ["close", "close"]);
}

/// A stream of numbers counting down, with an async close.
struct Countdown {
    left: u32,
    events: Events,
}

impl futures_core::Stream for Countdown {
    type Item = u32;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
        let left = self.left;
        self.left = left.saturating_sub(1);
        Poll::Ready((left > 0).then_some(left))
    }
}

impl AsyncClose for Countdown {
    async fn close(self) -> Result<(), Error> {
        suspend(1).await;
        self.events.push(format!("close with {} left", self.left));
        Ok(())
    }
}

#[test]
fn aclosing_closes_a_stream_the_body_stopped_reading_early() {
    let events = Events::new();
    let stream = Countdown {
        left: 10,
        events: events.clone(),
    };
    let taken = block_on(with(aclosing(stream), async |values| {
        let mut taken = Vec::new();
        while let Some(value) = values.next().await {
            taken.push(value);
            if taken.len() == 3 {
                break;
            }
        }
        Ok(taken)
    }));
    assert_eq!(taken.unwrap(), [10, 9, 8]);
    assert_eq!(events.log(), ["close with 7 left"]);
}

#[test]
fn aclosing_closes_a_stream_when_the_body_fails() {
    let events = Events::new();
    let stream = Countdown {
        left: 2,
        events: events.clone(),
    };
    let result: Result<(), Error> = block_on(with(aclosing(stream), async |values| {
        let first = values.next().await;
        Err(Error::msg(format!("bad item {first:?}")))
    }));
    assert_eq!(result.unwrap_err().to_string(), "bad item Some(2)");
    assert_eq!(events.log(), ["close with 1 left"]);
}

#[test]
fn defer_runs_its_callback_after_the_body_on_success_and_error() {
    let events = Events::new();
    let ok = block_on(with(
        defer(async || {
            suspend(1).await;
            events.push("deferred");
            Ok(())
        }),
        async |()| {
            events.push("body");
            Ok(1)
        },
    ));
    assert_eq!(ok.unwrap(), 1);

    let failed: Result<(), Error> = block_on(with(
        defer(async || {
            events.push("deferred");
            Ok(())
        }),
        async |()| {
            events.push("body");
            Err(BodyError("x").into())
        },
    ));
    assert_eq!(
        failed.unwrap_err().downcast::<BodyError>().unwrap(),
        BodyError("x")
    );
    assert_eq!(events.log(), ["body", "deferred", "body", "deferred"]);
}

#[test]
fn a_failing_deferred_callback_joins_the_pending_errors_and_cannot_suppress() {
    let events = Events::new();
    let result: Result<(), Error> = block_on(with(tracked(Spec::new("A"), &events), async |_| {
        with(defer(async || Err(ExitError("defer").into())), async |()| {
            Err(BodyError("x").into())
        })
        .await
    }));
    assert_eq!(
        messages(&result.unwrap_err()),
        ["body failed: x", "exit defer failed"]
    );
    assert_eq!(
        events.log(),
        [
            "enter A",
            "exit A: failed(exit defer failed (after 1 earlier error))"
        ]
    );
}

#[test]
fn defer_runs_when_the_body_panics() {
    let events = Events::new();
    let payload = panic_payload(with(
        defer(async || {
            events.push("deferred");
            Ok(())
        }),
        async |()| {
            std::panic::panic_any(Boom("body"));
            #[allow(unreachable_code)]
            Ok(())
        },
    ));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("body")));
    assert_eq!(events.log(), ["deferred"]);
}

#[test]
fn timer_reports_at_least_the_time_the_body_took() {
    let slept = Duration::from_millis(20);
    let mut measured = None;
    let result = block_on(with(
        timer(|elapsed| measured = Some(elapsed)),
        async |watch| {
            std::thread::sleep(slept);
            assert!(watch.elapsed() >= slept);
            assert!(watch.started().elapsed() >= slept);
            Ok(())
        },
    ));
    result.unwrap();
    assert!(measured.unwrap() >= slept, "{measured:?}");
}

#[test]
fn timer_reports_when_the_body_fails() {
    let slept = Duration::from_millis(5);
    let mut measured = None;
    let result: Result<(), Error> = block_on(with(
        timer(|elapsed| measured = Some(elapsed)),
        async |_| {
            std::thread::sleep(slept);
            Err(BodyError("slow").into())
        },
    ));
    assert!(result.unwrap_err().is::<BodyError>());
    assert!(measured.unwrap() >= slept);
}

#[tokio::test]
async fn timer_measures_a_runtime_sleep() {
    let slept = Duration::from_millis(20);
    let mut measured = Duration::ZERO;
    with(timer(|elapsed| measured = elapsed), async |_| {
        tokio::time::sleep(slept).await;
        Ok(())
    })
    .await
    .unwrap();
    assert!(measured >= slept, "{measured:?}");
}

#[test]
fn helpers_nest_with_each_other() {
    let events = Events::new();
    let mut measured = None;
    let result = block_on(with(
        timer(|elapsed| measured = Some(elapsed)),
        async |_| {
            with(closing(connection(&events, false)), async |conn| {
                with(async_with::suppress::<BodyError>(), async |()| {
                    conn.events.push("query");
                    Err::<u8, _>(BodyError("ignored").into())
                })
                .await
                .allow_suppressed()
            })
            .await
        },
    ));
    assert_eq!(result.unwrap(), None);
    assert_eq!(events.log(), ["query", "close"]);
    assert!(measured.is_some());
}
