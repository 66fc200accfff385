//! Generated programs over an `ExitStack` scope, with nested `with` and
//! generator-style contexts, checked against the reference model: the
//! event log (order, which exits ran, what each was told), the value, every
//! error in order with its type, and the resumed panic's payload. Then the
//! same programs dropped after every number of polls, without a runtime.

use async_with::NoRuntime;
use async_with_testkit::Journal;
use async_with_testkit::model::cancel::every_poll;
use async_with_testkit::model::close::close_at_every_poll;
use async_with_testkit::model::{
    End, Ending, ExitAct, NestKind, Op, Program, Source, expected, observe, program, program_up_to,
    quiet,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// `cases`, unless `PROPTEST_CASES` asks for another number (fewer under
/// valgrind, more for a long run).
fn config(cases: u32, file: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}

fn silence_diagnostics() {
    quiet();
    async_with::diagnostics::set_hook(|_| {});
}

proptest! {
    #![proptest_config(config(10_000, "proptest-regressions/stack_model.txt"))]

    #[test]
    fn programs_behave_like_the_model(program in program()) {
        silence_diagnostics();
        let model = expected(&program);
        let journal = Journal::new();
        let ending = observe(&program, &journal, NoRuntime);
        prop_assert_eq!(journal.events(), model.log);
        prop_assert_eq!(ending, model.ending);
        prop_assert_eq!(journal.live(), 0);
    }
}

proptest! {
    #![proptest_config(config(300, "proptest-regressions/stack_model_cancel.txt"))]

    #[test]
    fn programs_dropped_at_every_poll_keep_their_resources(program in program_up_to(24)) {
        silence_diagnostics();
        let checked = futures_lite::future::block_on(every_poll(&program, NoRuntime, false, &|_| async {}));
        prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
    }
}

fn enter(exit: ExitAct) -> Op {
    Op::Enter {
        fails: false,
        exit,
        suspends: 1,
    }
}

/// The model agrees with a hand-checked trace.
fn assert_runs(program: &Program, log: &[&str], ending: Ending) {
    silence_diagnostics();
    let model = expected(program);
    assert_eq!(model.log, log, "the model");
    assert_eq!(model.ending, ending, "the model");
    let journal = Journal::new();
    assert_eq!(observe(program, &journal, NoRuntime), ending);
    assert_eq!(journal.events(), log);
}

#[test]
fn suppressing_exit_clears_every_earlier_error_and_keeps_the_value() {
    let program = Program {
        ops: vec![
            Op::PushExit {
                exit: ExitAct::Suppress,
                suspends: 0,
            },
            enter(ExitAct::Fail),
            Op::PushCallback { fails: true },
        ],
        end: End::Ok,
    };
    assert_runs(
        &program,
        &[
            "push o0",
            "enter o1",
            "push o2",
            "body",
            "callback o2",
            "exit o1: failed: callback o2 failed",
            "exit o0: failed: exit o1 failed (after 1 earlier error)",
            "exit o0 done",
        ],
        Ending::Value(7),
    );
}

#[test]
fn pop_all_moves_setup_exits_under_the_scope() {
    let program = Program {
        ops: vec![
            enter(ExitAct::Ok),
            Op::PopAll,
            Op::Nest {
                kind: NestKind::Generator,
                fails: false,
                exit: ExitAct::Fail,
                suspends: 1,
            },
            Op::PushCallback { fails: false },
        ],
        end: End::Fail,
    };
    assert_runs(
        &program,
        &[
            "enter o0",
            "enter o2",
            "push o3",
            "body",
            "exit o2: failed: body failed",
            "callback o3",
            "callback o3 done",
            "exit o0: failed: exit o2 failed (after 1 earlier error)",
            "exit o0 done",
        ],
        Ending::Errors(vec![
            (Source::Model, "body failed".into()),
            (Source::Probe, "exit o2 failed".into()),
        ]),
    );
}

#[test]
fn failed_setup_closes_what_was_entered() {
    let program = Program {
        ops: vec![
            enter(ExitAct::Suppress),
            Op::Enter {
                fails: true,
                exit: ExitAct::Ok,
                suspends: 0,
            },
            Op::PopAll,
        ],
        end: End::Ok,
    };
    assert_runs(
        &program,
        &[
            "enter o0",
            "exit o0: failed: enter o1 failed",
            "exit o0 done",
        ],
        // o0 suppressed the enter's error: the setup's close succeeded.
        Ending::Value(0),
    );
}

#[test]
fn a_panic_resumes_after_every_exit_with_its_payload() {
    let program = Program {
        ops: vec![
            enter(ExitAct::Fail),
            Op::Nest {
                kind: NestKind::With,
                fails: false,
                exit: ExitAct::Panic,
                suspends: 0,
            },
            Op::PushExit {
                exit: ExitAct::Suppress,
                suspends: 0,
            },
        ],
        end: End::Panic,
    };
    assert_runs(
        &program,
        &[
            "enter o0",
            "enter o1",
            "push o2",
            "body",
            "exit o1: panicked",
            "exit o2: panicked",
            "exit o2 done",
            "exit o0: panicked",
        ],
        Ending::Panic("body panicked".into()),
    );
}

#[test]
fn the_cancellation_check_catches_exits_that_never_ran() {
    use async_with_testkit::model::cancel::{Cut, check, cut};
    silence_diagnostics();
    let program = Program {
        ops: vec![
            enter(ExitAct::Ok),
            Op::PushExit {
                exit: ExitAct::Ok,
                suspends: 0,
            },
        ],
        end: End::Ok,
    };
    // Cut in the body: without a runtime the probe is dropped and the
    // pushed exit skipped, which is right for `NoRuntime`...
    let journal = Journal::new();
    assert_eq!(cut(&program, &journal, NoRuntime, 2), Ok(Cut::Dropped));
    assert_eq!(
        journal.events(),
        [
            "enter o0",
            "push o1",
            "body",
            "cancelled here",
            "dropped o0"
        ]
    );
    check(&program, &journal, false).unwrap();
    // ...and a failure where a runtime should have run them.
    let error = check(&program, &journal, true).unwrap_err();
    assert!(error.contains("never ran on the runtime"), "{error}");
}

proptest! {
    #![proptest_config(config(1_000, "proptest-regressions/stack_model_close.txt"))]

    #[test]
    fn a_close_dropped_at_every_poll_resumes_like_the_model(program in program_up_to(32)) {
        silence_diagnostics();
        let checked = close_at_every_poll(&program);
        prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
    }
}
