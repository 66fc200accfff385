//! A scope's error crossing into the rest of a Rust program, as a user
//! writes it: `?` into `anyhow::Result`, `Box<dyn Error>` and a thiserror
//! enum; what downcasts, what `source()` reaches, what anyhow prints.
//!
//! Needs the `anyhow` feature, which `cargo test --workspace` turns on (the
//! adapters' tests ask for it).
#![cfg(feature = "anyhow")]

use std::error::Error as StdError;
use std::fmt;

use async_with::{BoxError, Error, ErrorList, Exit, Outcome, context, with};
use futures_lite::future::block_on;

#[derive(Debug, PartialEq)]
struct AppError(&'static str);

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app: {}", self.0)
    }
}

impl StdError for AppError {}

/// A context whose exit fails with `exit`, if given.
fn failing_exit(exit: Option<&'static str>) -> impl async_with::With<Resource = ()> {
    context(async move |scope| {
        let ((), _outcome) = scope.yield_(()).await;
        match exit {
            Some(message) => Err(Error::new(AppError(message))),
            None => Ok(Exit::Propagate),
        }
    })
}

/// A scope whose body fails with `body` and whose exit fails with `exit`.
async fn scope(body: &'static str, exit: Option<&'static str>) -> Result<(), Error> {
    with(failing_exit(exit), async |()| Err(AppError(body).into())).await
}

async fn into_anyhow(body: &'static str, exit: Option<&'static str>) -> anyhow::Result<()> {
    scope(body, exit).await?;
    Ok(())
}

async fn into_box(body: &'static str, exit: Option<&'static str>) -> Result<(), BoxError> {
    scope(body, exit).await?;
    Ok(())
}

async fn into_plain_box(
    body: &'static str,
    exit: Option<&'static str>,
) -> Result<(), Box<dyn StdError>> {
    scope(body, exit).await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
enum ServiceError {
    #[error(transparent)]
    Scope(#[from] Error),
    #[error("bad input")]
    BadInput,
}

async fn into_thiserror(
    body: &'static str,
    exit: Option<&'static str>,
) -> Result<(), ServiceError> {
    scope(body, exit).await?;
    Err(ServiceError::BadInput)
}

/// Every message of a standard error's `source()` chain, itself first.
fn chain(error: &(dyn StdError + 'static)) -> Vec<String> {
    let mut messages = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        messages.push(error.to_string());
        next = error.source();
    }
    messages
}

#[test]
fn a_lone_error_keeps_its_type_through_anyhow_a_box_and_thiserror() {
    let error = block_on(into_anyhow("refused", None)).unwrap_err();
    assert_eq!(error.downcast_ref::<AppError>(), Some(&AppError("refused")));

    let error = block_on(into_box("refused", None)).unwrap_err();
    assert_eq!(error.downcast_ref::<AppError>(), Some(&AppError("refused")));

    let error = block_on(into_plain_box("refused", None)).unwrap_err();
    assert_eq!(error.downcast_ref::<AppError>(), Some(&AppError("refused")));

    let ServiceError::Scope(inner) = block_on(into_thiserror("refused", None)).unwrap_err() else {
        panic!("the scope's error converts into the Scope variant");
    };
    assert_eq!(inner.downcast_ref::<AppError>(), Some(&AppError("refused")));
}

#[test]
fn anyhow_shows_the_body_error_as_the_root_cause_of_an_aggregate() {
    let error = block_on(into_anyhow("query failed", Some("rollback failed"))).unwrap_err();
    assert_eq!(
        error.to_string(),
        "app: rollback failed (after 1 earlier error)"
    );
    assert_eq!(error.root_cause().to_string(), "app: query failed");
    let debug = format!("{error:?}");
    assert!(
        debug.contains("Caused by:") && debug.contains("app: query failed"),
        "{debug}"
    );
    let list = error.downcast_ref::<ErrorList>().expect("an aggregate");
    let by_type: Vec<&AppError> = list
        .errors()
        .filter_map(|e| e.downcast_ref::<AppError>())
        .collect();
    assert_eq!(
        by_type,
        [&AppError("query failed"), &AppError("rollback failed")]
    );
}

#[test]
fn thiserror_transparent_delegates_display_and_source_to_the_aggregate() {
    let error = block_on(into_thiserror("query failed", Some("rollback failed"))).unwrap_err();
    assert_eq!(
        chain(&error),
        [
            "app: rollback failed (after 1 earlier error)",
            "app: query failed"
        ]
    );
}

#[test]
fn every_error_of_a_large_aggregate_is_on_the_source_chain_newest_first() {
    let mut error = Error::new(AppError("body"));
    for n in 0..10_000 {
        error.push(Error::msg(format!("exit {n}")));
    }
    let boxed: BoxError = error.into();
    let messages = chain(&*boxed);
    assert_eq!(messages.len(), 10_001);
    assert_eq!(messages[0], "exit 9999 (after 10000 earlier errors)");
    assert_eq!(messages[1], "exit 9998");
    assert_eq!(messages[10_000], "app: body");
    let error = anyhow::Error::from(
        boxed
            .downcast::<ErrorList>()
            .expect("an aggregate")
            .into_inner(),
    );
    assert_eq!(error.chain().count(), 10_001);
    assert_eq!(error.root_cause().to_string(), "app: body");
    drop(error); // a list, not a recursion: no stack overflow
}

#[test]
fn the_oldest_errors_own_sources_end_the_chain() {
    #[derive(Debug)]
    struct Wrapped(std::io::Error);
    impl fmt::Display for Wrapped {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("could not save")
        }
    }
    impl StdError for Wrapped {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }
    let mut error = Error::new(Wrapped(std::io::Error::other("disk full")));
    error.push(Error::msg("rollback failed"));
    let error = anyhow::Error::from(error);
    assert_eq!(
        error.chain().map(|e| e.to_string()).collect::<Vec<_>>(),
        [
            "rollback failed (after 1 earlier error)",
            "could not save",
            "disk full"
        ]
    );
}

#[test]
fn an_exit_told_of_a_failure_sees_it_and_the_caller_gets_both() {
    // What the exit is told and what the caller receives agree with the
    // chain: the body's error is the one the exit saw.
    let seen = std::sync::Mutex::new(None);
    let result: anyhow::Result<()> = block_on(async {
        with(
            context(async |scope| {
                let ((), outcome) = scope.yield_(()).await;
                if let Outcome::Failed(error) = &outcome {
                    *seen.lock().unwrap() = Some(error.to_string());
                }
                Err::<Exit, _>(Error::msg("cleanup failed"))
            }),
            async |()| Err::<(), _>(AppError("body").into()),
        )
        .await?;
        Ok(())
    });
    let error = result.unwrap_err();
    assert_eq!(seen.lock().unwrap().as_deref(), Some("app: body"));
    assert_eq!(error.root_cause().to_string(), "app: body");
}

/// tokio, as a runtime for `move_on_after`.
#[derive(Clone)]
struct Tokio;

impl async_with::Runtime for Tokio {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, task: F) {
        tokio::spawn(task);
    }

    fn sleep(
        &self,
        duration: std::time::Duration,
    ) -> impl Future<Output = ()> + Send + 'static + use<> {
        async move { tokio::time::sleep(duration).await }
    }
}

#[test]
fn an_error_left_once_a_task_group_removed_its_signal_still_downcasts_through_anyhow() {
    // The group cancels its child; the child's exit, told so, fails: the
    // group's own signal is taken out, and the exit's error is all that is
    // left.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let ended: anyhow::Result<()> = runtime.block_on(async {
        async_with::task_group(Tokio, async |group| {
            let flush = context(async move |scope| {
                let ((), _outcome) = scope.yield_(()).await;
                Err::<Exit, _>(Error::new(AppError("flush failed")))
            });
            group.spawn(with(flush, async |()| {
                std::future::pending::<Result<(), Error>>().await
            }));
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            group.cancel();
            Ok(())
        })
        .await?;
        Ok(())
    });
    let error = ended.unwrap_err();
    assert_eq!(
        error.downcast_ref::<AppError>(),
        Some(&AppError("flush failed"))
    );
}
