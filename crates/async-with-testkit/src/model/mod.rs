//! Generated programs over an [`ExitStack`](async_with::ExitStack) scope
//! with nested `with` and generator-style contexts, a reference model of
//! what they must do, and drivers that run them whole or cancelled after
//! any number of polls.
//!
//! A [`Program`] is a list of [`Op`]s and a body [`End`]. The ops before an
//! optional [`Op::PopAll`] run on a setup stack (Python's idiom: enter
//! everything, then `pop_all` into a second stack once setup succeeded);
//! that second stack then runs the rest in its
//! [`scope`](async_with::ExitStack::scope). A [`Op::Nest`] runs every later
//! op inside a nested `with` (of a [`Probe`](crate::Probe) or of a
//! generator-style `context`).
//!
//! - [`expected`] says, without running anything, what the journal must
//!   hold and what the caller must get (value, every error in order with
//!   its type, or the panic payload).
//! - [`run`] runs a program; [`observe`] runs it and catches its panic.
//! - [`cancel::cut`] drops a program after `k` polls and [`cancel::check`]
//!   checks that no exit ran twice or without its enter, and that every resource
//!   was exited or dropped (or, under a runtime, exited on the runtime told
//!   `cancelled`, newest first).
//! - [`program`] is the proptest strategy (1 to 64 operations).
//! - [`close::close_at_every_poll`] drops a stack's `close` after `k`
//!   polls and checks that a second `close` resumes it as the model says.
//! - [`stress`] runs many of them, cut at random, as runtime tasks.
//!
//! # Examples
//!
//! ```
//! use async_with::NoRuntime;
//! use async_with_testkit::Journal;
//! use async_with_testkit::model::{End, ExitAct, Op, Program, expected, observe};
//!
//! let program = Program {
//!     ops: vec![
//!         Op::Enter { fails: false, exit: ExitAct::Fail, suspends: 1 },
//!         Op::PushExit { exit: ExitAct::Suppress, suspends: 0 },
//!     ],
//!     end: End::Fail,
//! };
//! let journal = Journal::new();
//! let ending = observe(&program, &journal, NoRuntime);
//! let model = expected(&program);
//! assert_eq!(journal.events(), model.log);
//! assert_eq!(ending, model.ending);
//! ```

pub mod cancel;
pub mod close;
mod reference;
mod run;
mod strategy;
pub mod stress;

pub use reference::{Expected, expected};
pub use run::{ModelError, ModelPolicy, SUPPRESSED, Source, observe, quiet, run};
pub use strategy::{program, program_up_to};

/// What an exit does once it has recorded what it was told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitAct {
    /// Lets the outcome go on.
    Ok,
    /// Returns an error.
    Fail,
    /// Suppresses the error it was told about (if any).
    Suppress,
    /// Panics with a `String` payload `"exit X panicked"`.
    Panic,
}

/// How the body ends, after every op ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Returns `Ok(7)`.
    Ok,
    /// Returns a [`ModelError`] `"body failed"`.
    Fail,
    /// Panics with the `String` payload `"body panicked"`.
    Panic,
}

/// Which context a [`Op::Nest`] nests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NestKind {
    /// A [`Probe`](crate::Probe) under `with_runtime(policy, ..)`.
    With,
    /// A generator-style `boxed_context(|scope| async move { .. })` under
    /// `with_runtime(policy, ..)`.
    Generator,
}

/// One operation of a [`Program`]. Op `i` is named `"o{i}"` in the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `stack.enter(probe).await?`: a [`Probe`](crate::Probe) whose enter
    /// suspends `suspends` times and fails or not, whose exit suspends as
    /// many times then does `exit`.
    Enter {
        /// Whether the enter fails.
        fails: bool,
        /// What the exit does.
        exit: ExitAct,
        /// Suspensions in the enter and in the exit.
        suspends: u8,
    },
    /// `stack.push_exit(..)`: records `"exit oN: <outcome>"`, suspends, then
    /// does `exit` (a suppressing one returns `Exit::Suppress` whatever it
    /// was told).
    PushExit {
        /// What the exit does.
        exit: ExitAct,
        /// Suspensions in the exit.
        suspends: u8,
    },
    /// `stack.push_callback(..)`: records `"callback oN"`, fails or not.
    PushCallback {
        /// Whether the callback fails.
        fails: bool,
    },
    /// Runs every later op inside a nested scope.
    Nest {
        /// Which context.
        kind: NestKind,
        /// Whether its enter fails.
        fails: bool,
        /// What its exit does.
        exit: ExitAct,
        /// Suspensions in its enter and its exit.
        suspends: u8,
    },
    /// Ends the setup phase: the setup stack's exits move into the stack
    /// whose scope runs the rest. At most one, never after a `Nest`.
    PopAll,
}

/// A generated program: ops, then the body's end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// The operations, in order.
    pub ops: Vec<Op>,
    /// How the body ends after them.
    pub end: End,
}

impl Program {
    /// Whether the program is well formed: at most one `PopAll`, and no
    /// `Nest` before it.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_testkit::model::{End, Op, Program};
    /// assert!(Program { ops: vec![Op::PopAll], end: End::Ok }.is_valid());
    /// assert!(!Program { ops: vec![Op::PopAll, Op::PopAll], end: End::Ok }.is_valid());
    /// ```
    pub fn is_valid(&self) -> bool {
        match self.ops.iter().position(|op| *op == Op::PopAll) {
            None => true,
            Some(at) => {
                !self.ops[..at]
                    .iter()
                    .any(|op| matches!(op, Op::Nest { .. }))
                    && !self.ops[at + 1..].contains(&Op::PopAll)
            }
        }
    }
}

/// What a caller of a program gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `Ok(value)`.
    Value(u32),
    /// `Err(error)`: every error, oldest first, with the type it downcasts to.
    Errors(Vec<(Source, String)>),
    /// A panic, resumed with this `String` payload.
    Panic(String),
}

/// The journal name of op `index`: `"o0"`, `"o1"`, ...
///
/// # Examples
///
/// ```
/// assert_eq!(async_with_testkit::model::name(3), "o3");
/// ```
pub fn name(index: usize) -> &'static str {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        (0..strategy::MAX_OPS)
            .map(|i| &*Box::leak(format!("o{i}").into_boxed_str()))
            .collect()
    });
    names[index]
}

/// How an exit describes its outcome, as [`Probe`](crate::Probe) does.
pub(crate) fn describe(outcome: &async_with::Outcome) -> String {
    use async_with::Outcome;
    match outcome {
        Outcome::Success => "success".into(),
        Outcome::Failed(error) => format!("failed: {}", &**error),
        Outcome::Panicked => "panicked".into(),
        Outcome::Cancelled => "cancelled".into(),
    }
}
