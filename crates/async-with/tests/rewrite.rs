//! Exits that rewrite the pending error instead of adding theirs:
//! `Error::replace_pending` (Python's `raise W from exc` in `__aexit__`)
//! and `suppress::<E>()` splitting a group as Python 3.12's does.

mod common;

use std::error::Error as StdError;
use std::fmt;

use async_with::{AllowSuppressed, Error, Exit, Outcome, context, suppress, with};
use common::block_on;

#[derive(Debug, PartialEq)]
struct Lookup(&'static str);

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lookup {}", self.0)
    }
}

impl StdError for Lookup {}

#[derive(Debug, PartialEq)]
struct Io(&'static str);

impl fmt::Display for Io {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "io {}", self.0)
    }
}

impl StdError for Io {}

/// What Python's `raise QueryFailed() from exc` makes: the original as the
/// wrapper's cause.
#[derive(Debug)]
struct QueryFailed(Error);

impl fmt::Display for QueryFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("query failed")
    }
}

impl StdError for QueryFailed {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// A scope whose body fails with `body` and whose exit then fails with
/// `exit`: an aggregate of both, body first.
async fn both(body: Error, exit: Error) -> Result<(), Error> {
    let failing = context(async move |scope| {
        let ((), _) = scope.yield_(()).await;
        Err::<Exit, _>(exit)
    });
    with(failing, async |()| Err(body)).await
}

fn messages(error: &Error) -> Vec<String> {
    error.errors().map(|e| e.to_string()).collect()
}

#[test]
fn an_exit_wraps_the_pending_error_and_the_caller_sees_it_once_with_its_type() {
    let wrapping = context(async |scope| {
        let ((), outcome) = scope.yield_(()).await;
        if let Outcome::Failed(_) = outcome {
            return Err(Error::replace_pending(|original| {
                Some(Error::new(QueryFailed(original)))
            }));
        }
        Ok(())
    });
    let error = block_on(with(wrapping, async |()| Err::<(), _>(Io("disk").into()))).unwrap_err();
    assert_eq!(error.len(), 1, "{error:#}");
    assert_eq!(format!("{error:#}"), "query failed: io disk");
    let wrapper = error.downcast_ref::<QueryFailed>().expect("the wrapper");
    let cause = wrapper.source().expect("the original is the source");
    assert_eq!(cause.downcast_ref::<Io>(), Some(&Io("disk")));
}

#[test]
fn a_rewrite_with_nothing_pending_changes_nothing() {
    let rewriting = context(async |scope| {
        let ((), _) = scope.yield_(()).await;
        Err::<Exit, _>(Error::replace_pending(|_| {
            panic!("nothing to rewrite: never called")
        }))
    });
    assert_eq!(block_on(with(rewriting, async |()| Ok(7))).unwrap(), 7);
}

#[test]
fn suppress_splits_a_group_keeping_the_members_that_do_not_match() {
    // The newest matches, an older one does not.
    let error = block_on(with(suppress::<Lookup>(), async |()| {
        both(Io("N5").into(), Lookup("key").into()).await
    }))
    .unwrap_err();
    assert_eq!(messages(&error), ["io N5"]);
    assert_eq!(error.downcast_ref::<Io>(), Some(&Io("N5")));

    // The newest does not match, an older one does.
    let error = block_on(with(suppress::<Lookup>(), async |()| {
        both(Lookup("key").into(), Io("N5").into()).await
    }))
    .unwrap_err();
    assert_eq!(messages(&error), ["io N5"]);

    // Every member matches: the error is suppressed.
    let value = block_on(with(suppress::<Lookup>(), async |()| {
        both(Lookup("a").into(), Lookup("b").into()).await
    }))
    .allow_suppressed()
    .unwrap();
    assert_eq!(value, None);

    // None matches: the group goes on whole.
    let error = block_on(with(suppress::<Lookup>(), async |()| {
        both(Io("a").into(), Io("b").into()).await
    }))
    .unwrap_err();
    assert_eq!(messages(&error), ["io a", "io b"]);
}

#[test]
fn an_exit_splitting_the_pending_error_by_hand_keeps_the_rest_in_order() {
    let keep_io = context(async |scope| {
        let ((), _) = scope.yield_(()).await;
        Err::<Exit, _>(Error::replace_pending(|pending| {
            let has_io = pending.errors().any(|e| e.is::<Io>());
            has_io.then_some(pending)
        }))
    });
    let error = block_on(with(keep_io, async |()| {
        both(Io("first").into(), Lookup("second").into()).await
    }))
    .unwrap_err();
    assert_eq!(messages(&error), ["io first", "lookup second"]);
}

#[test]
fn a_stack_exit_rewrites_the_error_pending_in_the_stack() {
    let error = block_on(async {
        let mut stack = async_with::ExitStack::new();
        stack.push_exit(|outcome: Outcome| async move {
            Ok(match outcome {
                Outcome::Failed(_) => {
                    return Err(Error::replace_pending(|original| {
                        Some(Error::new(QueryFailed(original)))
                    }));
                }
                _ => Exit::Propagate,
            })
        });
        stack.close_with(Err(Io("body").into())).await
    })
    .unwrap_err();
    assert_eq!(error.len(), 1);
    assert_eq!(format!("{error:#}"), "query failed: io body");
}
