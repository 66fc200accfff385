//! What no caller can receive goes to the diagnostics hook: exit errors
//! while a panic unwinds, a second panic, skipped exits.
//!
//! The hook and the counter are process-wide: every test here takes
//! [`serial`] first and reads only what its own scopes reported.

mod common;

use std::sync::{Mutex, MutexGuard};

use async_with::diagnostics::{self, Diagnostic};
use async_with::with;
use common::{Act, BodyError, Boom, Events, Spec, generated, panic_payload, tracked};

static SERIAL: Mutex<()> = Mutex::new(());
static REPORTS: Mutex<Vec<Report>> = Mutex::new(Vec::new());

/// What the hook saw, owned.
#[derive(Debug, PartialEq)]
enum Report {
    ErrorsDuringPanic(Vec<String>),
    SecondPanic,
    SkippedExits(usize),
    Other(String),
}

fn record(diagnostic: &Diagnostic<'_>) {
    let report = match diagnostic {
        // `Debug` shows the errors are still the user's own types.
        Diagnostic::ErrorsDuringPanic { errors } => {
            Report::ErrorsDuringPanic(errors.errors().map(|e| format!("{e:?}")).collect())
        }
        Diagnostic::SecondPanic => Report::SecondPanic,
        Diagnostic::SkippedExits { count } => Report::SkippedExits(*count),
        other => Report::Other(other.to_string()),
    };
    REPORTS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(report);
}

/// Takes the lock, installs the recording hook, clears earlier reports.
fn serial() -> MutexGuard<'static, ()> {
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    diagnostics::set_hook(record);
    take_reports();
    guard
}

fn take_reports() -> Vec<Report> {
    std::mem::take(&mut *REPORTS.lock().unwrap_or_else(|p| p.into_inner()))
}

#[test]
fn exit_errors_during_a_panic_reach_the_hook_and_the_panic_resumes() {
    let _serial = serial();
    let events = Events::new();
    let payload = panic_payload(with(
        tracked(Spec::new("A").exit(Act::Fail), &events),
        async |_| {
            with(
                generated(Spec::new("B").exit(Act::Fail), &events),
                async |_| {
                    std::panic::panic_any(Boom("body"));
                    #[allow(unreachable_code)]
                    Ok(())
                },
            )
            .await
        },
    ));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("body")));
    assert_eq!(
        events.log(),
        ["enter A", "enter B", "exit B: panicked", "exit A: panicked"]
    );
    // Each scope reports the errors no caller will see, innermost first.
    assert_eq!(
        take_reports(),
        [
            Report::ErrorsDuringPanic(vec![r#"ExitError("B")"#.into()]),
            Report::ErrorsDuringPanic(vec![r#"ExitError("A")"#.into()]),
        ]
    );
}

#[test]
fn a_panic_in_an_exit_during_a_panic_is_reported_and_the_first_resumes() {
    let _serial = serial();
    let events = Events::new();
    let payload = panic_payload(with(tracked(Spec::new("A"), &events), async |_| {
        with(
            tracked(Spec::new("B").exit(Act::Panic), &events),
            async |_| {
                std::panic::panic_any(Boom("body"));
                #[allow(unreachable_code)]
                Ok(())
            },
        )
        .await
    }));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("body")));
    assert_eq!(
        events.log(),
        ["enter A", "enter B", "exit B: panicked", "exit A: panicked"]
    );
    assert_eq!(take_reports(), [Report::SecondPanic]);
}

#[test]
fn a_failed_body_then_a_panicking_exit_reports_the_body_error() {
    let _serial = serial();
    let events = Events::new();
    let payload = panic_payload(with(
        tracked(Spec::new("A").exit(Act::Panic), &events),
        async |_| Err::<(), _>(BodyError("lost to the panic").into()),
    ));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("A")));
    assert_eq!(
        take_reports(),
        [Report::ErrorsDuringPanic(vec![
            r#"BodyError("lost to the panic")"#.into()
        ])]
    );
}

#[test]
fn a_dropped_scope_reports_each_skipped_exit_to_the_hook_and_the_counter() {
    let _serial = serial();
    let events = Events::new();
    let before = diagnostics::skipped_exits();
    {
        let scope = with(tracked(Spec::new("A").steps(0), &events), async |_| {
            with(generated(Spec::new("B").steps(0), &events), async |_| {
                futures_lite::future::pending::<Result<(), async_with::Error>>().await
            })
            .await
        });
        let mut scope = std::pin::pin!(scope);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(scope.as_mut().poll(&mut cx).is_pending());
    }
    assert_eq!(events.log(), ["enter A", "enter B"]);
    assert_eq!(events.drops(), ["B", "A"]);
    assert_eq!(diagnostics::skipped_exits() - before, 2);
    assert_eq!(
        take_reports(),
        [Report::SkippedExits(1), Report::SkippedExits(1)]
    );
}

#[test]
fn nothing_is_reported_for_a_scope_that_completes() {
    let _serial = serial();
    let events = Events::new();
    let before = diagnostics::skipped_exits();
    let result: Result<(), async_with::Error> = common::block_on(with(
        tracked(Spec::new("A").exit(Act::Fail), &events),
        async |_| Err(BodyError("returned to the caller").into()),
    ));
    assert_eq!(result.unwrap_err().len(), 2);
    assert_eq!(diagnostics::skipped_exits(), before);
    assert_eq!(take_reports(), []);
}

#[test]
fn reporting_skipped_exits_counts_them_and_zero_is_not_reported() {
    let _serial = serial();
    let before = diagnostics::skipped_exits();
    diagnostics::report_skipped_exits(0);
    assert_eq!(take_reports(), []);
    diagnostics::report_skipped_exits(3);
    assert_eq!(diagnostics::skipped_exits() - before, 3);
    assert_eq!(take_reports(), [Report::SkippedExits(3)]);
}

#[test]
fn diagnostics_read_as_one_line_each() {
    assert_eq!(
        Diagnostic::SkippedExits { count: 1 }.to_string(),
        "1 async exit skipped: the scope was dropped with no runtime to run it; \
         the resource was dropped synchronously"
    );
    let mut errors = async_with::Error::msg("exit B failed");
    errors.push(async_with::Error::msg("exit A failed"));
    assert_eq!(
        Diagnostic::ErrorsDuringPanic { errors: &errors }.to_string(),
        "exits failed while a panic unwound: 1/2: exit B failed\n2/2: exit A failed"
    );
    assert_eq!(
        Diagnostic::SecondPanic.to_string(),
        "an exit panicked while a panic unwound; the first panic resumes"
    );
}
