//! `ScopedExitStack`: entries that borrow from the caller, in the same
//! order and with the same errors, panics and drops as any stack. What the
//! compiler refuses (outliving the borrow, crossing threads) is in
//! `tests/ui-stack/scoped_*.rs`.

mod common;

use async_with::diagnostics::{self, Diagnostic};
use async_with::{Error, Exit, LocalAsyncContext, Outcome, ScopedExitStack, with};
use common::*;

/// A connection that records what its transactions did.
#[derive(Default)]
struct Connection {
    log: Vec<String>,
}

/// A transaction that borrows its connection: committed on success,
/// rolled back otherwise.
struct Transaction<'c> {
    conn: &'c mut Connection,
    name: &'static str,
}

impl LocalAsyncContext for Transaction<'_> {
    type Resource = u32;

    async fn enter(&mut self) -> Result<u32, Error> {
        self.conn.log.push(format!("begin {}", self.name));
        Ok(0)
    }

    async fn exit(self, writes: u32, outcome: Outcome) -> Result<Exit, Error> {
        let verb = match outcome {
            Outcome::Success => "commit",
            _ => "rollback",
        };
        self.conn
            .log
            .push(format!("{verb} {} ({writes} writes)", self.name));
        Ok(Exit::Propagate)
    }
}

#[test]
fn transactions_borrowing_their_connections_commit_newest_first() {
    let mut a = Connection::default();
    let mut b = Connection::default();
    let mut order = Vec::new();
    block_on(async {
        let mut stack = ScopedExitStack::new();
        let t1 = stack
            .enter(Transaction {
                conn: &mut a,
                name: "t1",
            })
            .await?;
        *t1 += 2;
        stack.push_sync_callback(|| {
            order.push("between");
            Ok(())
        });
        let t2 = stack
            .enter(Transaction {
                conn: &mut b,
                name: "t2",
            })
            .await?;
        *t2 += 1;
        stack.close().await
    })
    .unwrap();
    assert_eq!(a.log, ["begin t1", "commit t1 (2 writes)"]);
    assert_eq!(b.log, ["begin t2", "commit t2 (1 writes)"]);
    assert_eq!(order, ["between"]);
}

#[test]
fn a_failed_block_rolls_back_every_borrowed_transaction() {
    let mut a = Connection::default();
    let mut b = Connection::default();
    let error = block_on(ScopedExitStack::new().scope(async |stack| {
        stack
            .enter(Transaction {
                conn: &mut a,
                name: "t1",
            })
            .await?;
        stack
            .enter(Transaction {
                conn: &mut b,
                name: "t2",
            })
            .await?;
        Err::<(), _>(BodyError("constraint violated").into())
    }))
    .unwrap_err();
    assert_eq!(
        error.downcast::<BodyError>().unwrap(),
        BodyError("constraint violated")
    );
    assert_eq!(a.log, ["begin t1", "rollback t1 (0 writes)"]);
    assert_eq!(b.log, ["begin t2", "rollback t2 (0 writes)"]);
}

#[test]
fn a_panicking_block_rolls_back_then_resumes() {
    let mut a = Connection::default();
    let payload = panic_payload(with(ScopedExitStack::new(), async |stack| {
        stack
            .enter(Transaction {
                conn: &mut a,
                name: "t1",
            })
            .await?;
        std::panic::panic_any(Boom("block"));
        #[allow(unreachable_code)]
        Ok(())
    }));
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("block")));
    assert_eq!(a.log, ["begin t1", "rollback t1 (0 writes)"]);
}

#[test]
fn a_dropped_scoped_stack_runs_its_borrowing_sync_cleanups_and_reports_the_rest() {
    let mut a = Connection::default();
    let mut cleaned = Vec::new();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    let hook = move |d: &Diagnostic<'_>| log.lock().unwrap().push(d.to_string());
    block_on(diagnostics::scoped(hook, async {
        let stack = ScopedExitStack::new();
        stack.push_sync_callback(|| {
            cleaned.push("sync cleanup ran");
            Ok(())
        });
        stack
            .enter(Transaction {
                conn: &mut a,
                name: "t1",
            })
            .await
            .unwrap();
        drop(stack); // never closed
    }));
    assert_eq!(cleaned, ["sync cleanup ran"]);
    assert_eq!(a.log, ["begin t1"], "the async exit could not run");
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(seen.lock().unwrap()[0].starts_with("1 async exit skipped"));
}
