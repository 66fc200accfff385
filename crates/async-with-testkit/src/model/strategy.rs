//! The proptest strategy for programs.

use proptest::prelude::*;

use super::{End, ExitAct, NestKind, Op, Program};

/// The most operations a program holds (its body's end included).
pub(crate) const MAX_OPS: usize = 64;

fn exit_act() -> impl Strategy<Value = ExitAct> {
    prop_oneof![
        4 => Just(ExitAct::Ok),
        2 => Just(ExitAct::Fail),
        1 => Just(ExitAct::Suppress),
        1 => Just(ExitAct::Panic),
    ]
}

/// An op that registers on a stack (what the setup phase holds).
fn stack_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (prop::bool::weighted(0.08), exit_act(), 0..3_u8)
            .prop_map(|(fails, exit, suspends)| Op::Enter { fails, exit, suspends }),
        3 => (exit_act(), 0..3_u8).prop_map(|(exit, suspends)| Op::PushExit { exit, suspends }),
        2 => prop::bool::weighted(0.25).prop_map(|fails| Op::PushCallback { fails }),
    ]
}

fn any_op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![Just(NestKind::With), Just(NestKind::Generator)];
    prop_oneof![
        9 => stack_op(),
        2 => (kind, prop::bool::weighted(0.08), exit_act(), 0..3_u8).prop_map(
            |(kind, fails, exit, suspends)| Op::Nest { kind, fails, exit, suspends }
        ),
    ]
}

fn end() -> impl Strategy<Value = End> {
    prop_oneof![3 => Just(End::Ok), 2 => Just(End::Fail), 1 => Just(End::Panic)]
}

/// Programs of 1 to 64 operations (the body's end counts as one): in one
/// case out of four, a setup phase of stack ops ended by `PopAll`.
///
/// # Examples
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let program = async_with_testkit::model::program().new_tree(&mut runner).unwrap().current();
/// assert!(program.is_valid() && program.ops.len() < 64);
/// ```
pub fn program() -> impl Strategy<Value = Program> {
    program_up_to(MAX_OPS)
}

/// Programs of 1 to `max` operations (at most 64), the body's end included.
///
/// # Examples
///
/// See [`program`].
pub fn program_up_to(max: usize) -> impl Strategy<Value = Program> {
    let max = max.clamp(1, MAX_OPS);
    let setup = prop::option::weighted(0.25, prop::collection::vec(stack_op(), 0..=(max - 2) / 4));
    (setup, end()).prop_flat_map(move |(setup, end)| {
        let used = setup.as_ref().map_or(0, |ops| ops.len() + 1);
        let main = prop::collection::vec(any_op(), 0..max.saturating_sub(used).max(1));
        (Just(setup), main, Just(end)).prop_map(|(setup, main, end)| {
            let mut ops = Vec::new();
            if let Some(setup) = setup {
                ops.extend(setup);
                ops.push(Op::PopAll);
            }
            ops.extend(main);
            Program { ops, end }
        })
    })
}
