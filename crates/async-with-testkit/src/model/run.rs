//! Runs a program for real.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};
use std::pin::Pin;
use std::sync::Once;

use async_with::{
    AsyncContext, BoxedContext, CancelPolicy, Error, Exit, Outcome, Sendable, StackPolicy,
    Suppressed, boxed_context, with_runtime,
};

use super::{End, Ending, ExitAct, NestKind, Op, Program, describe, name};
use crate::{Fault, Journal, Probe, ProbeError, suspend};

// A probe's enter and exit futures are `Send`: it goes on `Send` stacks.

/// Where an error of a program comes from: the type it downcasts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A [`ProbeError`] (a probe's enter or exit).
    Probe,
    /// A [`ModelError`] (pushed exits, callbacks, body).
    Model,
    /// [`Suppressed`]: an exit suppressed the block's error, so the block
    /// has no value; its text is [`SUPPRESSED`].
    Suppressed,
}

/// The text of [`Suppressed`], the error of a block whose error an exit
/// suppressed.
///
/// # Examples
///
/// ```
/// use async_with::{Error, Suppressed, suppress_if, with};
/// # futures_lite::future::block_on(async {
/// let error = with(suppress_if(|_| true), async |()| Err::<(), _>(Error::msg("x"))).await.unwrap_err();
/// assert_eq!(error.to_string(), async_with_testkit::model::SUPPRESSED);
/// # });
/// ```
pub const SUPPRESSED: &str = "an exit suppressed the block's error, so the block has no value \
                              (`.allow_suppressed()` on the scope's result gives `None` instead)";

/// The error of the program's pushed exits, callbacks and body: `"exit o3 failed"`, `"body failed"`.
///
/// # Examples
///
/// ```
/// let error = async_with_testkit::model::ModelError("body failed".into());
/// assert_eq!(error.to_string(), "body failed");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError(pub String);

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelError {}

/// What a program's stacks and nested `with`s do when dropped: `NoRuntime`
/// or any runtime adapter's marker.
pub trait ModelPolicy:
    StackPolicy<Sendable>
    + CancelPolicy<Probe>
    + CancelPolicy<BoxedContext<()>>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<P> ModelPolicy for P where
    P: StackPolicy<Sendable>
        + CancelPolicy<Probe>
        + CancelPolicy<BoxedContext<()>>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// Runs `program` with `journal`, its stacks and nested `with`s bound to
/// `policy`.
///
/// # Examples
///
/// ```
/// use async_with::NoRuntime;
/// use async_with_testkit::Journal;
/// use async_with_testkit::model::{End, Op, Program, run};
///
/// # futures_lite::future::block_on(async {
/// let program = Program { ops: vec![Op::PushCallback { fails: false }], end: End::Ok };
/// assert_eq!(run(&program, &Journal::new(), NoRuntime).await?, 7);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub async fn run<P: ModelPolicy>(
    program: &Program,
    journal: &Journal,
    policy: P,
) -> Result<u32, Error> {
    let ops = &program.ops;
    let env = Env {
        journal,
        policy: &policy,
        end: program.end,
    };
    let mut setup: async_with::stack::ExitStack<Sendable, P> =
        async_with::stack::ExitStack::with_policy(policy.clone());
    let from = match ops.iter().position(|op| *op == Op::PopAll) {
        None => 0,
        Some(split) => {
            for (index, op) in ops[..split].iter().enumerate() {
                if let Err(error) = register(&setup, index, *op, journal).await {
                    setup.close_with(Err(error)).await?;
                    return Ok(0);
                }
            }
            let kept = setup.pop_all();
            setup.close().await?; // empty: closes nothing
            setup = kept;
            split + 1
        }
    };
    setup
        .scope(async |stack| steps(ops, from, stack, env).await)
        .await
}

/// Runs `program` to completion on the current thread (its stacks bound to
/// `policy`) and catches its panic: what the caller observes.
///
/// # Examples
///
/// See [the module](crate::model).
pub fn observe<P: ModelPolicy>(program: &Program, journal: &Journal, policy: P) -> Ending {
    let ran = catch_unwind(AssertUnwindSafe(|| {
        futures_lite::future::block_on(run(program, journal, policy))
    }));
    ending(ran)
}

/// What a caller sees from a run that returned or panicked.
pub(crate) fn ending(ran: std::thread::Result<Result<u32, Error>>) -> Ending {
    match ran {
        Ok(Ok(value)) => Ending::Value(value),
        Ok(Err(error)) => Ending::Errors(sources(&error)),
        Err(payload) => match payload.downcast::<String>() {
            Ok(message) => Ending::Panic(*message),
            Err(other) => std::panic::resume_unwind(other),
        },
    }
}

/// Every error, oldest first, with the type it downcasts to.
fn sources(error: &Error) -> Vec<(Source, String)> {
    error
        .errors()
        .map(|e| {
            let source = if e.downcast_ref::<ProbeError>().is_some() {
                Source::Probe
            } else if e.downcast_ref::<ModelError>().is_some() {
                Source::Model
            } else if e.downcast_ref::<Suppressed>().is_some() {
                Source::Suppressed
            } else {
                panic!("an error of an unexpected type surfaced: {e}")
            };
            (source, e.to_string())
        })
        .collect()
}

/// Keeps the expected panics (`String` payloads ending in `"panicked"`) and
/// diagnostics off stderr; other panics still print.
///
/// # Examples
///
/// ```
/// async_with_testkit::model::quiet();
/// ```
pub fn quiet() {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let expected = info
                .payload()
                .downcast_ref::<String>()
                .is_some_and(|message| message.ends_with(" panicked"));
            if !expected {
                default(info);
            }
        }));
    });
}

#[derive(Clone, Copy)]
struct Env<'a, P> {
    journal: &'a Journal,
    policy: &'a P,
    end: End,
}

type Step<'a> = Pin<Box<dyn Future<Output = Result<u32, Error>> + Send + 'a>>;

/// Runs `ops[from..]` on `stack`, then the body's end (boxed to recurse).
fn steps<'a, P: ModelPolicy>(
    ops: &'a [Op],
    from: usize,
    stack: &'a async_with::stack::ExitStack<Sendable, P>,
    env: Env<'a, P>,
) -> Step<'a> {
    Box::pin(async move {
        for (index, op) in ops.iter().enumerate().skip(from) {
            let name = name(index);
            let Op::Nest {
                kind,
                fails,
                exit,
                suspends,
            } = *op
            else {
                register(stack, index, *op, env.journal).await?;
                continue;
            };
            let probe = probe(env.journal, name, fails, exit, suspends);
            let policy = env.policy.clone();
            return match kind {
                NestKind::With => {
                    let rest = async |_: &mut _| steps(ops, index + 1, stack, env).await;
                    with_runtime(policy, probe, rest).await
                }
                NestKind::Generator => {
                    let rest = async |_: &mut _| steps(ops, index + 1, stack, env).await;
                    with_runtime(policy, generator(probe), rest).await
                }
            };
        }
        env.journal.record("body");
        suspend(1).await;
        match env.end {
            End::Ok => Ok(7),
            End::Fail => Err(ModelError("body failed".into()).into()),
            End::Panic => panic_any(String::from("body panicked")),
        }
    })
}

/// A generator-style context around a probe: the probe's enter before the
/// yield, its exit after (boxed, so that its future is `Send`).
fn generator(mut probe: Probe) -> BoxedContext<()> {
    boxed_context(move |scope| async move {
        let held = probe.enter().await?;
        let ((), outcome) = scope.yield_(()).await;
        probe.exit(held, outcome).await
    })
}

/// A pushed exit's (or generator's) exit: records, suspends, acts.
async fn exit_body(
    journal: &Journal,
    name: &'static str,
    act: ExitAct,
    suspends: u8,
    outcome: &Outcome,
) -> Result<Exit, Error> {
    journal.record(format!("exit {name}: {}", describe(outcome)));
    suspend(suspends.into()).await;
    match act {
        ExitAct::Ok => {
            journal.record(format!("exit {name} done"));
            Ok(Exit::Propagate)
        }
        ExitAct::Suppress => {
            journal.record(format!("exit {name} done"));
            Ok(Exit::Suppress)
        }
        ExitAct::Fail => Err(ModelError(format!("exit {name} failed")).into()),
        ExitAct::Panic => panic_any(format!("exit {name} panicked")),
    }
}

fn probe(journal: &Journal, name: &'static str, fails: bool, act: ExitAct, suspends: u8) -> Probe {
    let probe = journal
        .probe(name)
        .enter_suspends(suspends.into())
        .exit_suspends(suspends.into())
        .enter_fault(if fails { Fault::Fail } else { Fault::None });
    match act {
        ExitAct::Ok => probe,
        ExitAct::Fail => probe.exit_fault(Fault::Fail),
        ExitAct::Suppress => probe.suppressing(),
        ExitAct::Panic => probe.exit_fault(Fault::Panic),
    }
}

/// Registers a stack op (not `Nest`/`PopAll`) on `stack`.
pub(crate) async fn register<P: ModelPolicy>(
    stack: &async_with::stack::ExitStack<Sendable, P>,
    index: usize,
    op: Op,
    journal: &Journal,
) -> Result<(), Error> {
    let name = name(index);
    match op {
        Op::Enter {
            fails,
            exit,
            suspends,
        } => {
            stack
                .enter(probe(journal, name, fails, exit, suspends))
                .await?;
        }
        Op::PushExit { exit, suspends } => {
            journal.record(format!("push {name}"));
            let journal = journal.clone();
            stack.push_exit(move |outcome: Outcome| async move {
                exit_body(&journal, name, exit, suspends, &outcome).await
            });
        }
        Op::PushCallback { fails } => {
            journal.record(format!("push {name}"));
            let journal = journal.clone();
            stack.push_callback(move || async move {
                journal.record(format!("callback {name}"));
                if fails {
                    return Err(ModelError(format!("callback {name} failed")).into());
                }
                journal.record(format!("callback {name} done"));
                Ok(())
            });
        }
        Op::Nest { .. } | Op::PopAll => unreachable!("not a stack op"),
    }
    Ok(())
}
