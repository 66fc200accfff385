//! The reference model: what a program must log and return, computed
//! without running it, following Python's `async with` / `AsyncExitStack`.

use super::{End, Ending, ExitAct, Op, Program, SUPPRESSED, Source, name};

/// What a program must do: its journal, and what its caller gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Every journal event, in order.
    pub log: Vec<String>,
    /// What the caller gets.
    pub ending: Ending,
}

/// Computes what `program` must do.
///
/// # Examples
///
/// ```
/// use async_with_testkit::model::{End, Ending, ExitAct, Op, Program, Source, expected};
///
/// let program = Program {
///     ops: vec![Op::PushExit { exit: ExitAct::Fail, suspends: 0 }],
///     end: End::Ok,
/// };
/// let model = expected(&program);
/// assert_eq!(model.log, ["push o0", "body", "exit o0: success"]);
/// assert_eq!(model.ending, Ending::Errors(vec![(Source::Model, "exit o0 failed".into())]));
/// ```
pub fn expected(program: &Program) -> Expected {
    let mut sim = Sim::default();
    let split = program.ops.iter().position(|op| *op == Op::PopAll);
    let flow = sim.steps(&program.ops, 0, program.end, split);
    // The scope (or the setup stack's `close_with`): every registered exit,
    // newest first.
    let mut unwind = Unwind::from_flow(flow);
    if split.is_some_and(|split| {
        (program.ops[..split].iter()).any(|op| matches!(op, Op::Enter { fails: true, .. }))
    }) {
        // A failed setup is closed by `close_with`; once that returns (the
        // error suppressed), the program returns 0.
        unwind.value = Some(0);
    }
    while let Some(entry) = sim.stack.pop() {
        sim.exit(entry, &mut unwind);
    }
    Expected {
        log: sim.log,
        ending: unwind.finish(),
    }
}

/// How a block ended, as the model sees it.
enum Flow {
    Value(u32),
    Errors(Vec<(Source, String)>),
    Panic(String),
}

/// A registered stack exit.
#[derive(Clone, Copy)]
enum Entry {
    Probe(&'static str, ExitAct),
    Exit(&'static str, ExitAct),
    Callback(&'static str, bool),
}

#[derive(Default)]
struct Unwind {
    value: Option<u32>,
    errors: Vec<(Source, String)>,
    panic: Option<String>,
}

impl Unwind {
    fn from_flow(flow: Flow) -> Self {
        let mut unwind = Self::default();
        match flow {
            Flow::Value(value) => unwind.value = Some(value),
            Flow::Errors(errors) => unwind.errors = errors,
            Flow::Panic(payload) => unwind.panic = Some(payload),
        }
        unwind
    }

    fn told(&self) -> String {
        match (&self.panic, self.errors.as_slice()) {
            (Some(_), _) => "panicked".into(),
            (None, []) => "success".into(),
            (None, [(_, only)]) => format!("failed: {only}"),
            (None, [.., (_, newest)]) => match self.errors.len() - 1 {
                1 => format!("failed: {newest} (after 1 earlier error)"),
                n => format!("failed: {newest} (after {n} earlier errors)"),
            },
        }
    }

    fn fail(&mut self, source: Source, message: String) {
        self.errors.push((source, message));
    }

    fn suppress(&mut self) {
        if self.panic.is_none() {
            self.errors.clear();
        }
    }

    fn panic(&mut self, payload: String) {
        // A second panic is reported and dropped; the first resumes.
        self.panic.get_or_insert(payload);
    }

    fn finish(self) -> Ending {
        match (self.panic, self.errors.is_empty()) {
            (Some(payload), _) => Ending::Panic(payload),
            (None, false) => Ending::Errors(self.errors),
            (None, true) => match self.value {
                Some(value) => Ending::Value(value),
                // An exit suppressed the block's error: no value.
                None => Ending::Errors(vec![(Source::Suppressed, SUPPRESSED.into())]),
            },
        }
    }

    fn into_flow(self) -> Flow {
        match self.finish() {
            Ending::Value(value) => Flow::Value(value),
            Ending::Errors(errors) => Flow::Errors(errors),
            Ending::Panic(payload) => Flow::Panic(payload),
        }
    }
}

#[derive(Default)]
struct Sim {
    log: Vec<String>,
    stack: Vec<Entry>,
}

impl Sim {
    fn steps(&mut self, ops: &[Op], from: usize, end: End, split: Option<usize>) -> Flow {
        for (index, op) in ops.iter().enumerate().skip(from) {
            let name = name(index);
            match *op {
                Op::Enter { fails: true, .. } => {
                    return Flow::Errors(vec![(Source::Probe, format!("enter {name} failed"))]);
                }
                Op::Enter { exit, .. } => {
                    self.log.push(format!("enter {name}"));
                    self.stack.push(Entry::Probe(name, exit));
                }
                Op::PushExit { exit, .. } => {
                    self.log.push(format!("push {name}"));
                    self.stack.push(Entry::Exit(name, exit));
                }
                Op::PushCallback { fails } => {
                    self.log.push(format!("push {name}"));
                    self.stack.push(Entry::Callback(name, fails));
                }
                Op::PopAll => debug_assert_eq!(Some(index), split),
                // Either kind of nest wraps a probe.
                Op::Nest { fails, exit, .. } => {
                    let source = Source::Probe;
                    if fails {
                        return Flow::Errors(vec![(source, format!("enter {name} failed"))]);
                    }
                    self.log.push(format!("enter {name}"));
                    let inner = self.steps(ops, index + 1, end, split);
                    let mut unwind = Unwind::from_flow(inner);
                    self.act(name, exit, source, &mut unwind);
                    return unwind.into_flow();
                }
            }
        }
        self.log.push("body".into());
        match end {
            End::Ok => Flow::Value(7),
            End::Fail => Flow::Errors(vec![(Source::Model, "body failed".into())]),
            End::Panic => Flow::Panic("body panicked".into()),
        }
    }

    /// An exit that records what it was told, then does `act`.
    fn act(&mut self, name: &str, act: ExitAct, source: Source, unwind: &mut Unwind) {
        let told = unwind.told();
        self.log.push(format!("exit {name}: {told}"));
        match act {
            ExitAct::Ok => self.log.push(format!("exit {name} done")),
            ExitAct::Suppress => {
                self.log.push(format!("exit {name} done"));
                unwind.suppress();
            }
            ExitAct::Fail => unwind.fail(source, format!("exit {name} failed")),
            ExitAct::Panic => unwind.panic(format!("exit {name} panicked")),
        }
    }

    fn exit(&mut self, entry: Entry, unwind: &mut Unwind) {
        match entry {
            Entry::Probe(name, act) => self.act(name, act, Source::Probe, unwind),
            Entry::Exit(name, act) => self.act(name, act, Source::Model, unwind),
            Entry::Callback(name, fails) => {
                self.log.push(format!("callback {name}"));
                if fails {
                    unwind.fail(Source::Model, format!("callback {name} failed"));
                } else {
                    self.log.push(format!("callback {name} done"));
                }
            }
        }
    }
}

/// What `close_with(end)` on a stack holding the program's stack ops must
/// do (failed enters register nothing; `Nest` and `PopAll` are left out),
/// when the close is dropped during its `abandoned`-th exit (counted from
/// 1, in the order they run) and a second `close` runs the rest: the
/// abandoned exit is never resumed nor rerun, and has no effect. A first
/// close never polled (`!polled`) never saw the body's error either.
pub(crate) fn expected_close(
    program: &Program,
    abandoned: Option<usize>,
    polled: bool,
) -> Expected {
    let mut sim = Sim::default();
    for (index, op) in program.ops.iter().enumerate() {
        let name = name(index);
        match *op {
            Op::Enter {
                fails: false, exit, ..
            } => {
                sim.log.push(format!("enter {name}"));
                sim.stack.push(Entry::Probe(name, exit));
            }
            Op::PushExit { exit, .. } => {
                sim.log.push(format!("push {name}"));
                sim.stack.push(Entry::Exit(name, exit));
            }
            Op::PushCallback { fails } => {
                sim.log.push(format!("push {name}"));
                sim.stack.push(Entry::Callback(name, fails));
            }
            Op::Enter { fails: true, .. } | Op::Nest { .. } | Op::PopAll => {}
        }
    }
    // `close_with` returns `()` (here 0) once its error is suppressed.
    let mut unwind = Unwind {
        value: Some(0),
        ..Unwind::default()
    };
    if polled && program.end == End::Fail {
        unwind.fail(Source::Model, "body failed".into());
    }
    let mut ran = 0;
    while let Some(entry) = sim.stack.pop() {
        ran += 1;
        if Some(ran) == abandoned {
            // Only its start is logged.
            let told = unwind.told();
            match entry {
                Entry::Probe(name, _) | Entry::Exit(name, _) => {
                    sim.log.push(format!("exit {name}: {told}"));
                }
                Entry::Callback(name, _) => sim.log.push(format!("callback {name}")),
            }
            continue;
        }
        sim.exit(entry, &mut unwind);
    }
    Expected {
        log: sim.log,
        ending: unwind.finish(),
    }
}
