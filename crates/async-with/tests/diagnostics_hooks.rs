//! Where diagnostics go and what a broken hook cannot do: a hook is a
//! closure, scoped to a future so parallel tests each see their own, and a
//! hook or an error `Display` that panics never aborts the process, never
//! replaces the panic that is unwinding, and never stops the other exits.

mod common;

use std::fmt;
use std::sync::{Arc, Mutex};

use async_with::diagnostics::{self, Diagnostic};
use async_with::{Error, with};
use common::{Act, Boom, Events, Spec, block_on, panic_payload, tracked};
use futures_lite::future::poll_once;

/// A scope with `exits` nested exits, dropped after its first poll.
async fn dropped_mid_way(exits: usize) {
    async fn nested(depth: usize) -> Result<(), Error> {
        if depth == 0 {
            std::future::pending::<()>().await;
            return Ok(());
        }
        // An exit with async work to skip (a lock guard's would not be).
        let close = async_with::defer(|| async { Ok(()) });
        with(close, async |()| Box::pin(nested(depth - 1)).await).await
    }
    let scope = Box::pin(nested(exits));
    assert!(poll_once(scope).await.is_none());
}

/// A hook that keeps each diagnostic's text.
fn keeping(log: &Arc<Mutex<Vec<String>>>) -> impl Fn(&Diagnostic<'_>) + Send + Sync + 'static {
    let log = Arc::clone(log);
    move |diagnostic| log.lock().unwrap().push(diagnostic.to_string())
}

#[test]
fn parallel_futures_each_capture_their_own_diagnostics() {
    let threads: Vec<_> = (1..=8)
        .map(|exits| {
            std::thread::spawn(move || {
                let log = Arc::new(Mutex::new(Vec::new()));
                for _ in 0..50 {
                    block_on(diagnostics::scoped(keeping(&log), dropped_mid_way(exits)));
                }
                let log = log.lock().unwrap();
                (
                    exits,
                    log.len(),
                    log.iter().all(|line| line.starts_with("1 async exit")),
                )
            })
        })
        .collect();
    for thread in threads {
        let (exits, reports, all_skipped_exits) = thread.join().unwrap();
        // One report per dropped scope, none from another thread's futures.
        assert_eq!(reports, 50 * exits);
        assert!(all_skipped_exits);
    }
}

#[test]
fn a_scoped_hook_ends_with_its_future_and_nests() {
    let outer = Arc::new(Mutex::new(Vec::new()));
    let inner = Arc::new(Mutex::new(Vec::new()));
    block_on(diagnostics::scoped(keeping(&outer), async {
        dropped_mid_way(1).await;
        diagnostics::scoped(keeping(&inner), dropped_mid_way(2)).await;
        dropped_mid_way(1).await;
    }));
    assert_eq!(outer.lock().unwrap().len(), 2);
    assert_eq!(inner.lock().unwrap().len(), 2);
}

#[test]
fn a_scope_dropped_with_the_scoped_future_reports_to_its_hook() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let scoped = Box::pin(diagnostics::scoped(keeping(&log), async {
        with(async_with::defer(|| async { Ok(()) }), async |()| {
            std::future::pending::<()>().await;
            Ok(())
        })
        .await
    }));
    block_on(async {
        assert!(poll_once(scoped).await.is_none()); // dropped here, mid-way
    });
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[test]
fn a_panicking_hook_neither_aborts_nor_stops_the_exits_nor_replaces_the_panic() {
    let events = Events::new();
    let hook = |_: &Diagnostic<'_>| panic!("the hook is broken");
    // Exits fail while the body's panic unwinds: the report's hook panics.
    let payload = panic_payload(diagnostics::scoped(
        hook,
        with(
            tracked(Spec::new("A").exit(Act::Fail), &events),
            async |_| {
                with(
                    tracked(Spec::new("B").exit(Act::Fail), &events),
                    async |_| {
                        std::panic::panic_any(Boom("body"));
                        #[allow(unreachable_code)]
                        Ok(())
                    },
                )
                .await
            },
        ),
    ));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("body")));
    assert_eq!(
        events.log(),
        ["enter A", "enter B", "exit B: panicked", "exit A: panicked"]
    );
    // Skipped exits reported from `Drop`: the hook panics there too.
    block_on(diagnostics::scoped(hook, dropped_mid_way(3)));
}

/// An error whose `Display` panics.
#[derive(Debug)]
struct Unprintable;

impl fmt::Display for Unprintable {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("this error cannot be shown")
    }
}

impl std::error::Error for Unprintable {}

#[test]
fn an_error_whose_display_panics_loses_its_report_not_the_panic_or_the_exits() {
    let events = Events::new();
    let exits_ran = Arc::new(Mutex::new(0));
    let formatting_hook = |diagnostic: &Diagnostic<'_>| {
        let _ = diagnostic.to_string();
    };
    let counter = Arc::clone(&exits_ran);
    let payload = panic_payload(diagnostics::scoped(
        formatting_hook,
        with(
            async_with::defer(move || async move {
                *counter.lock().unwrap() += 1;
                Err(Error::new(Unprintable))
            }),
            async |()| {
                with(tracked(Spec::new("B"), &events), async |_| {
                    std::panic::panic_any(Boom("body"));
                    #[allow(unreachable_code)]
                    Ok(())
                })
                .await
            },
        ),
    ));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("body")));
    assert_eq!(*exits_ran.lock().unwrap(), 1);
    assert_eq!(events.log(), ["enter B", "exit B: panicked"]);
}

#[test]
fn a_context_whose_drop_is_its_cleanup_is_dropped_without_a_report() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let events = Events::new();
    block_on(diagnostics::scoped(keeping(&log), async {
        // nullcontext and suppress have nothing to do on a cancelled exit;
        // a tracked context has async work, and is reported.
        let mut scope = Box::pin(with(tracked(Spec::new("A"), &events), async |_| {
            with(async_with::nullcontext(()), async |()| {
                with(async_with::suppress::<fmt::Error>(), async |()| {
                    std::future::pending::<()>().await;
                    Ok(())
                })
                .await
            })
            .await
        }));
        // Every enter suspends: poll until all are in, then drop.
        for _ in 0..10 {
            assert!(poll_once(&mut scope).await.is_none());
        }
        drop(scope);
    }));
    assert_eq!(
        *log.lock().unwrap(),
        [
            "1 async exit skipped: the scope was dropped with no runtime to run it; the resource was dropped synchronously"
        ]
    );
    assert_eq!(events.log(), ["enter A"]); // no exit ran: it was skipped, and reported
}

#[cfg(feature = "tracing")]
mod tracing_events {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tracing::subscriber::Subscriber;
    use tracing::{Event, Level, Metadata, span};

    use super::*;

    /// A subscriber that keeps every event's level, target and message.
    #[derive(Default)]
    struct Collect {
        events: Mutex<Vec<(Level, String, String)>>,
        ids: AtomicUsize,
    }

    struct Message(String);

    impl tracing::field::Visit for Message {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
            if field.name() == "message" {
                self.0 = format!("{value:?}");
            }
        }
    }

    impl Subscriber for Collect {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
            span::Id::from_u64(self.ids.fetch_add(1, Ordering::Relaxed) as u64 + 1)
        }
        fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
        fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut message = Message(String::new());
            event.record(&mut message);
            self.events.lock().unwrap().push((
                *event.metadata().level(),
                event.metadata().target().to_string(),
                message.0,
            ));
        }
        fn enter(&self, _: &span::Id) {}
        fn exit(&self, _: &span::Id) {}
    }

    #[test]
    fn with_no_hook_set_a_diagnostic_is_a_tracing_warning() {
        let collect = Arc::new(Collect::default());
        let subscriber = Arc::clone(&collect);
        tracing::subscriber::with_default(subscriber, || block_on(dropped_mid_way(1)));
        let events = collect.events.lock().unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        let (level, target, message) = &events[0];
        assert_eq!(*level, Level::WARN);
        assert_eq!(target, "async_with");
        assert!(message.starts_with("1 async exit skipped"), "{message}");
    }
}
