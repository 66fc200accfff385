//! A tokio runtime dropped while exits handed over by aborted tasks are
//! running, and while other tasks are suspended in scopes: exits that await
//! real timers and real sockets. Dropping the runtime returns, nothing
//! panics, and every exit either ran or is reported (skipped or
//! interrupted) with its resource dropped.

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use async_with_testkit::NotRun;
use async_with_tokio::diagnostics;
use async_with_tokio::{AsyncContext, Error, Exit, ExitStack, Outcome, with};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::runtime::Builder;

/// How long a test waits for something before it fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// A connection whose exit waits on tokio's timer (a grace period), then
/// says goodbye on the socket and shuts its write half down.
struct Goodbye {
    addr: SocketAddr,
    grace: Duration,
    started: Arc<AtomicUsize>,
    said: Arc<AtomicUsize>,
}

impl AsyncContext for Goodbye {
    type Resource = TcpStream;

    async fn enter(&mut self) -> Result<TcpStream, Error> {
        Ok(TcpStream::connect(self.addr).await?)
    }

    async fn exit(self, mut stream: TcpStream, _: Outcome) -> Result<Exit, Error> {
        self.started.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.grace).await;
        stream.write_all(b"bye").await?;
        stream.shutdown().await?;
        self.said.fetch_add(1, Ordering::SeqCst);
        Ok(Exit::Propagate)
    }
}

/// A loopback server that reads each connection to its end and sends what
/// it read; every connection reaching its end means every socket was
/// closed, by its exit or by its `Drop`.
fn server(connections: usize) -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("an address");
    let (sender, received) = mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let sender = sender.clone();
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = stream.read_to_end(&mut bytes);
                let _ = sender.send(bytes);
            });
        }
    });
    (addr, received)
}

/// Drops `runtime` on another thread; fails if that does not return.
fn drop_within_patience(runtime: tokio::runtime::Runtime) {
    let (dropped, returned) = mpsc::channel();
    let dropping = std::thread::spawn(move || {
        drop(runtime);
        let _ = dropped.send(());
    });
    assert!(
        returned.recv_timeout(PATIENCE).is_ok(),
        "dropping the runtime hung"
    );
    dropping.join().expect("dropping the runtime panicked");
}

fn wait_until(mut done: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while !done() {
        if start.elapsed() > PATIENCE {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

/// Of 16 tasks suspended in a connection's scope, 4 are aborted and their
/// exits (1 ms of grace) finish; 4 are aborted and their exits (a minute of
/// grace) are running when the runtime is dropped; 8 are still suspended.
#[test]
fn a_runtime_dropped_under_exits_on_real_sockets_and_timers_reports_each_exit_it_did_not_run() {
    for current_thread in [true, false] {
        const TASKS: usize = 16;
        let (addr, received) = server(TASKS);
        let not_run = NotRun::default();
        let said = Arc::new(AtomicUsize::new(0));
        let started = Arc::new(AtomicUsize::new(0));
        let entered = Arc::new(AtomicUsize::new(0));
        let runtime = if current_thread {
            Builder::new_current_thread().enable_all().build()
        } else {
            Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
        }
        .expect("a runtime");

        let tasks: Vec<_> = (0..TASKS)
            .map(|task| {
                let context = Goodbye {
                    addr,
                    grace: Duration::from_millis(if task < 4 { 1 } else { 60_000 }),
                    started: Arc::clone(&started),
                    said: Arc::clone(&said),
                };
                let entered = Arc::clone(&entered);
                runtime.spawn(diagnostics::scoped(not_run.hook(), async move {
                    let _ = with(context, async |_stream| {
                        entered.fetch_add(1, Ordering::SeqCst);
                        std::future::pending::<Result<(), Error>>().await
                    })
                    .await;
                }))
            })
            .collect();
        runtime.block_on(async {
            let until = |what: &Arc<AtomicUsize>, count| {
                let what = Arc::clone(what);
                async move {
                    let waited = tokio::time::timeout(PATIENCE, async {
                        while what.load(Ordering::SeqCst) < count {
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                    });
                    waited.await.expect("waited too long");
                }
            };
            until(&entered, TASKS).await;
            for task in &tasks[..8] {
                task.abort();
            }
            // The first four exits have finished, the next four are in
            // their grace period; the last eight tasks are still suspended.
            until(&said, 4).await;
            until(&started, 8).await;
        });
        drop_within_patience(runtime);

        let said = said.load(Ordering::SeqCst);
        assert!(
            wait_until(|| not_run.skipped() + not_run.interrupted() == TASKS - 4),
            "current_thread {current_thread}: {TASKS} exits entered: {said} ran, {} skipped, {} interrupted",
            not_run.skipped(),
            not_run.interrupted()
        );
        assert_eq!(said, 4, "current_thread {current_thread}");
        assert_eq!(not_run.interrupted(), 4, "cut off in their grace period");
        assert_eq!(not_run.skipped(), 8, "suspended when the runtime shut down");
        // Every socket was closed: by its exit, or dropped with the rest of
        // an exit that did not run.
        let mut goodbyes = 0;
        for _ in 0..TASKS {
            let bytes = received
                .recv_timeout(PATIENCE)
                .expect("a connection left open");
            goodbyes += usize::from(bytes == b"bye");
        }
        assert_eq!(goodbyes, 4, "current_thread {current_thread}");
    }
}

/// A resource that counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_stack_handed_over_and_cut_off_mid_way_reports_the_interrupted_and_the_skipped_exits() {
    let not_run = NotRun::default();
    let dropped = Arc::new(AtomicUsize::new(0));
    let ran = Arc::new(AtomicUsize::new(0));
    let entered = Arc::new(AtomicUsize::new(0));
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let task = {
        let (dropped, ran, entered) =
            (Arc::clone(&dropped), Arc::clone(&ran), Arc::clone(&entered));
        runtime.spawn(diagnostics::scoped(not_run.hook(), async move {
            let stack = ExitStack::new();
            for _ in 0..10 {
                let ran = Arc::clone(&ran);
                stack.adopt(Counted(Arc::clone(&dropped)), move |counted| async move {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    ran.fetch_add(1, Ordering::SeqCst);
                    drop(counted);
                    Ok(())
                });
            }
            // A stack noted by its task when a context is entered into it.
            stack.enter(async_with_tokio::nullcontext(())).await.ok();
            entered.store(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
        }))
    };
    runtime.block_on(async {
        while entered.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        task.abort();
        // Let the null exit and two of the ten run, then shut down.
        while ran.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    drop_within_patience(runtime);
    let ran = ran.load(Ordering::SeqCst);
    assert!(ran >= 2);
    assert_eq!(dropped.load(Ordering::SeqCst), 10, "every resource dropped");
    assert_eq!(not_run.interrupted(), 1, "the exit running at shutdown");
    assert_eq!(not_run.skipped(), 10 - ran - 1, "the exits not started");
}
