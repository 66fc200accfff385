//! A stack's `close` dropped after every number of polls, then closed
//! again: checked against the model.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use async_with::{Error, ExitStack};

use super::reference::expected_close;
use super::run::{ModelError, ending, register};
use super::{End, Op, Program};
use crate::Journal;

/// For `k` = 0, 1, 2, ...: registers the program's stack ops (failed
/// enters register nothing; `Nest`, `PopAll` and a panicking end are left
/// out) on an `ExitStack`, polls `close_with(end)` `k` times, drops it, then
/// awaits a second `close()`. Checks the journal and what the second close
/// returns against the model: the interrupted exit is never rerun, the
/// others run once, newest first, and the errors of both closes come back
/// in order. (A first close dropped before its first poll never saw the
/// body's error: it is an unpolled future.) Stops once the first close completes; returns how many cuts
/// were checked.
///
/// # Examples
///
/// ```
/// use async_with_testkit::model::close::close_at_every_poll;
/// use async_with_testkit::model::{End, ExitAct, Op, Program};
///
/// let program = Program {
///     ops: vec![
///         Op::PushExit { exit: ExitAct::Fail, suspends: 1 },
///         Op::PushExit { exit: ExitAct::Ok, suspends: 1 },
///     ],
///     end: End::Fail,
/// };
/// assert_eq!(close_at_every_poll(&program), Ok(3));
/// ```
pub fn close_at_every_poll(program: &Program) -> Result<usize, String> {
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    for polls in 0.. {
        let journal = Journal::new();
        let mut stack = ExitStack::new();
        for (index, op) in program.ops.iter().enumerate() {
            if !matches!(op, Op::Nest { .. } | Op::PopAll) {
                // A failed enter registers nothing; the close goes on.
                let _ = futures_lite::future::block_on(register(&stack, index, *op, &journal));
            }
        }
        let ended: Result<(), Error> = match program.end {
            End::Fail => Err(ModelError("body failed".into()).into()),
            End::Ok | End::Panic => Ok(()),
        };
        let mut first = Box::pin(stack.close_with(ended));
        let mut completed = None;
        for _ in 0..polls {
            match catch_unwind(AssertUnwindSafe(|| first.as_mut().poll(&mut cx))) {
                Ok(Poll::Pending) => {}
                Ok(Poll::Ready(result)) => {
                    completed = Some(ending(Ok(result.map(|()| 0))));
                    break;
                }
                Err(payload) => {
                    completed = Some(ending(Err(payload)));
                    break;
                }
            }
        }
        drop(first);
        let started = journal
            .events()
            .iter()
            .filter(|e| {
                (e.starts_with("exit ") || e.starts_with("callback ")) && !e.ends_with(" done")
            })
            .count();
        let finished = completed.is_some();
        let (abandoned, got) = match completed {
            Some(got) => (None, got),
            None => {
                let abandoned = (started > 0).then_some(started);
                let second = catch_unwind(AssertUnwindSafe(|| {
                    futures_lite::future::block_on(stack.close()).map(|()| 0)
                }));
                (abandoned, ending(second))
            }
        };
        let model = expected_close(program, abandoned, polls > 0);
        let events = journal.events();
        if events != model.log || got != model.ending || journal.live() != 0 {
            return Err(format!(
                "close cut after {polls} polls (exit {abandoned:?} abandoned) differs from \
                 the model\nprogram: {program:?}\nevents: {events:#?}\nexpected: {:#?}\n\
                 ending: {got:?}\nexpected: {:?}\nlive: {}",
                model.log,
                model.ending,
                journal.live()
            ));
        }
        if finished {
            return Ok(polls);
        }
    }
    unreachable!("a close completes after finitely many polls")
}

struct Noop;

impl std::task::Wake for Noop {
    fn wake(self: Arc<Self>) {}
}
