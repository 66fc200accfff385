//! The programs a tokio team writes first, as it would write them: generic
//! helpers that spawn a scope, a wrapper context, the library's own
//! contexts on a `Send` stack inside `tokio::spawn`, and every bound
//! construct in a task that is aborted. Each compiles with no workaround,
//! and each aborted scope's exits run, told `Cancelled`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_with_tokio::{
    AsyncClose, AsyncContext, Error, Exit, ExitStack, Outcome, With, aclosing, boxed_context,
    closing, context, defer, exit_timeout, nullcontext, suppress, timer, with,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Semaphore, oneshot};

/// How long a test waits for something another task does before failing.
const PATIENCE: Duration = Duration::from_secs(20);

/// A pooled connection, returned to its pool on exit: a context written
/// with `async fn`, nothing else.
struct Pooled {
    pool: Arc<Mutex<Vec<u32>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl AsyncContext for Pooled {
    type Resource = u32;

    async fn enter(&mut self) -> Result<u32, Error> {
        tokio::task::yield_now().await;
        let id = self.pool.lock().unwrap().pop();
        id.ok_or_else(|| Error::msg("pool exhausted"))
    }

    async fn exit(self, id: u32, outcome: Outcome) -> Result<Exit, Error> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.log
            .lock()
            .unwrap()
            .push(format!("return {id}: {}", describe(&outcome)));
        self.pool.lock().unwrap().push(id);
        Ok(Exit::Propagate)
    }
}

fn describe(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "success",
        Outcome::Failed(_) => "failed",
        Outcome::Panicked => "panicked",
        Outcome::Cancelled => "cancelled",
    }
}

fn pooled(ids: &[u32]) -> (Pooled, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let pool = Arc::new(Mutex::new(ids.to_vec()));
    let context = Pooled {
        pool,
        log: Arc::clone(&log),
    };
    (context, log)
}

/// A generic helper over any context, spawned: the scope's future is
/// `Send` because `AsyncContext` promises `Send` futures.
async fn query<C: AsyncContext<Resource = u32> + 'static>(context: C) -> Result<u32, Error> {
    with(context, async |id| {
        tokio::task::yield_now().await;
        Ok(*id * 10)
    })
    .await
}

/// The same through the `.with()` method.
async fn query_method<C: With<Resource = u32>>(context: C) -> Result<u32, Error> {
    context.with(async |id| Ok(*id + 1)).await
}

/// A wrapper generic over an inner context, written the obvious way.
struct Retry<C> {
    inner: C,
    attempts: usize,
}

impl<C: AsyncContext> AsyncContext for Retry<C> {
    type Resource = C::Resource;

    async fn enter(&mut self) -> Result<C::Resource, Error> {
        let mut last = None;
        for _ in 0..self.attempts {
            match self.inner.enter().await {
                Ok(resource) => return Ok(resource),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| Error::msg("no attempt made")))
    }

    async fn exit(self, resource: C::Resource, outcome: Outcome) -> Result<Exit, Error> {
        self.inner.exit(resource, outcome).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generic_helper_and_a_generic_wrapper_are_spawned_as_written() {
    let (context, log) = pooled(&[4]);
    assert_eq!(tokio::spawn(query(context)).await.unwrap().unwrap(), 40);
    let (context, _) = pooled(&[4]);
    assert_eq!(
        tokio::spawn(query_method(context)).await.unwrap().unwrap(),
        5
    );
    let (context, wrapped_log) = pooled(&[7]);
    let retried = Retry {
        inner: context,
        attempts: 3,
    };
    assert_eq!(tokio::spawn(query(retried)).await.unwrap().unwrap(), 70);
    assert_eq!(*log.lock().unwrap(), ["return 4: success"]);
    assert_eq!(*wrapped_log.lock().unwrap(), ["return 7: success"]);
}

/// Something closed by an async method, for `closing`.
struct Journal(Arc<AtomicUsize>);

impl AsyncClose for Journal {
    async fn close(self) -> Result<(), Error> {
        tokio::task::yield_now().await;
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// A stream that is also closed by an async method, for `aclosing`.
struct Lines(Arc<AtomicUsize>);

impl futures_core::Stream for Lines {
    type Item = u32;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u32>> {
        std::task::Poll::Ready(None)
    }
}

impl AsyncClose for Lines {
    async fn close(self) -> Result<(), Error> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_context_the_workspace_ships_goes_on_a_send_stack_inside_spawn() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = tokio::spawn(async move {
        let (mut first, _) = listener.accept().await.unwrap();
        let (mut second, _) = listener.accept().await.unwrap();
        let mut received = String::new();
        first.read_to_string(&mut received).await.unwrap();
        second.read_to_string(&mut received).await.unwrap();
        received // both were shut down by their exits: read to end-of-file
    });
    let closed = Arc::new(AtomicUsize::new(0));
    let timed = Arc::new(Mutex::new(None));
    let deferred = Arc::new(AtomicUsize::new(0));
    let mutex = Arc::new(tokio::sync::Mutex::new(0));
    let slots = Arc::new(Semaphore::new(1));

    let task = {
        let (path, closed, timed, deferred) = (
            path.clone(),
            closed.clone(),
            timed.clone(),
            deferred.clone(),
        );
        let (mutex, slots) = (mutex.clone(), slots.clone());
        async move {
            let mut stack = ExitStack::new();
            let file = stack.enter(async_with_tokio::fs::create(&path)).await?;
            file.write_all(b"written through a stack").await?;
            let stream = stack.enter(async_with_tokio::net::connect(addr)).await?;
            stream.write_all(b"one ").await?;
            let accepted = tokio::net::TcpStream::connect(addr).await?;
            let second = stack
                .enter(async_with_tokio::net::shutdown_on_exit(accepted))
                .await?;
            second.write_all(b"two").await?;
            **stack
                .enter(async_with_tokio::sync::lock_owned(mutex))
                .await? += 1;
            stack
                .enter(async_with_tokio::sync::acquire_owned(slots))
                .await?;
            let mut sleeper = tokio::process::Command::new("sleep");
            sleeper.arg("60");
            let child = stack
                .enter(async_with_tokio::process::spawn(sleeper))
                .await?;
            assert!(child.id().is_some());
            assert_eq!(*stack.enter(nullcontext(3_u8)).await?, 3);
            stack.enter(suppress::<std::fmt::Error>()).await?;
            stack.enter(closing(Journal(Arc::clone(&closed)))).await?;
            stack.enter(aclosing(Lines(Arc::clone(&closed)))).await?;
            let counted = Arc::clone(&deferred);
            stack
                .enter(defer(async move || {
                    counted.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }))
                .await?;
            stack
                .enter(timer(move |elapsed| *timed.lock().unwrap() = Some(elapsed)))
                .await?;
            stack
                .enter(exit_timeout(Duration::from_secs(5), nullcontext("bounded")))
                .await?;
            let boxed = boxed_context(|scope| async move {
                let _ = scope.yield_(String::from("boxed")).await;
                Ok(())
            });
            assert_eq!(stack.enter(boxed).await?, "boxed");
            let generated = context(async move |scope| {
                let _ = scope.yield_(5_u16).await;
                deferred.fetch_add(1, Ordering::SeqCst);
                Ok(())
            });
            assert_eq!(*stack.enter(generated).await?, 5);
            assert_eq!(stack.len(), 15);
            stack.close().await
        }
    };
    tokio::spawn(task).await.unwrap().unwrap();

    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "written through a stack"
    );
    assert_eq!(peer.await.unwrap(), "one two");
    assert_eq!(*mutex.lock().await, 1);
    assert_eq!(slots.available_permits(), 1);
    assert_eq!(closed.load(Ordering::SeqCst), 2);
    assert_eq!(deferred.load(Ordering::SeqCst), 2);
    assert!(timed.lock().unwrap().is_some());
}

/// Spawns `scope`, waits until its body has started, aborts the task, and
/// returns once the task is gone.
async fn abort_when_entered<F>(scope: impl FnOnce(oneshot::Sender<()>) -> F)
where
    F: Future<Output = Result<(), Error>> + Send + 'static,
{
    let (entered, is_entered) = oneshot::channel();
    let task = tokio::spawn(scope(entered));
    tokio::time::timeout(PATIENCE, is_entered)
        .await
        .expect("the body started")
        .expect("the task is alive");
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
}

/// Waits until `log` holds `expected`.
async fn settles(log: &Arc<Mutex<Vec<String>>>, expected: &[&str]) {
    let waited = tokio::time::timeout(PATIENCE, async {
        while *log.lock().unwrap() != expected {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "{:?}", log.lock().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_task_runs_the_exits_of_with_and_the_with_method() {
    let (context, log) = pooled(&[1]);
    abort_when_entered(|entered| {
        with(context, async move |_| {
            let _ = entered.send(());
            std::future::pending().await
        })
    })
    .await;
    settles(&log, &["return 1: cancelled"]).await;

    let (context, log) = pooled(&[2]);
    abort_when_entered(|entered| {
        context.with(async move |_| {
            let _ = entered.send(());
            std::future::pending().await
        })
    })
    .await;
    settles(&log, &["return 2: cancelled"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_task_runs_the_exits_of_a_generator_style_context() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let in_exit = Arc::clone(&log);
    let connection = context(async move |scope| {
        let ((), outcome) = scope.yield_(()).await;
        tokio::time::sleep(Duration::from_millis(1)).await; // a real timer
        in_exit
            .lock()
            .unwrap()
            .push(format!("close: {}", describe(&outcome)));
        Ok(())
    });
    abort_when_entered(|entered| {
        with(connection, async move |()| {
            let _ = entered.send(());
            std::future::pending().await
        })
    })
    .await;
    settles(&log, &["close: cancelled"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_task_runs_the_exits_its_stack_holds_newest_first() {
    let (first, log) = pooled(&[1, 2, 3]);
    abort_when_entered(|entered| async move {
        let stack = ExitStack::new();
        for _ in 0..3 {
            let pool = Arc::clone(&first.pool);
            let log = Arc::clone(&first.log);
            stack.enter(Pooled { pool, log }).await?;
        }
        let _ = entered.send(());
        std::future::pending().await
    })
    .await;
    settles(
        &log,
        &[
            "return 1: cancelled",
            "return 2: cancelled",
            "return 3: cancelled",
        ],
    )
    .await;

    let (context, log) = pooled(&[9]);
    abort_when_entered(|entered| {
        ExitStack::new().scope(async move |stack| {
            stack.enter(context).await?;
            let _ = entered.send(());
            std::future::pending().await
        })
    })
    .await;
    settles(&log, &["return 9: cancelled"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_of_files_decided_at_run_time_is_handed_to_another_task_to_close()
-> Result<(), async_with_tokio::BoxError> {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..5).map(|n| format!("part-{n}.txt")).collect();
    let mut stack = ExitStack::new();
    for name in &names {
        let file = stack
            .enter(async_with_tokio::fs::create(dir.path().join(name)))
            .await?;
        file.write_all(name.as_bytes()).await?;
    }
    // Another task closes them: each file is flushed and synced by its exit.
    tokio::spawn(async move { stack.close().await })
        .await
        .unwrap()?;
    for name in &names {
        assert_eq!(std::fs::read_to_string(dir.path().join(name))?, *name);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_task_releases_its_locks_at_once_owned_or_borrowed() {
    // Owned guards under this crate's `with`: dropping the guard is the
    // whole cleanup, so the abort releases it then and there.
    let mutex = Arc::new(tokio::sync::Mutex::new(0));
    let held = Arc::clone(&mutex);
    abort_when_entered(|entered| {
        with(async_with_tokio::sync::lock_owned(held), async move |_| {
            let _ = entered.send(());
            std::future::pending().await
        })
    })
    .await;
    assert!(
        mutex.try_lock().is_ok(),
        "released when the task was aborted"
    );

    // A borrowed guard goes to the core's `with`: released on drop, and
    // nothing is reported, since nothing was skipped.
    let reports = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&reports);
    let local = tokio::sync::Mutex::new(0);
    let scope = async_with::diagnostics::scoped(
        move |d: &async_with::diagnostics::Diagnostic<'_>| log.lock().unwrap().push(d.to_string()),
        async {
            let borrowed = async_with::with(async_with_tokio::sync::lock(&local), async |_| {
                std::future::pending::<()>().await;
                Ok(())
            });
            let _ = tokio::time::timeout(Duration::from_millis(5), borrowed).await;
        },
    );
    scope.await;
    assert!(local.try_lock().is_ok());
    assert!(
        reports.lock().unwrap().is_empty(),
        "{:?}",
        reports.lock().unwrap()
    );
}
