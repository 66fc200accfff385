//! Real resources on every runtime: mutex lock/unlock, TCP connect and
//! shutdown on loopback, file create/write/sync/close, a task group of 100
//! children, and the latency of cleanup spawned after a cancelled scope.
//!
//! Ids: `<group>/<runtime>/<construct>/<operations>`. Each group measures
//! the hand-written code (`hand-written`) and the same workload through the
//! runtime's adapter crate in the same run: its resource contexts under its
//! `with` (`with`), its task group (`task-group`), and its cancellation
//! policy running a dropped scope's exit (`with`). On plain `block_on` the
//! contexts are smol's under the core `with`.
//!
//! Run: `cargo bench -p async-with-benches --bench resources`

use std::future::pending;
use std::hint::black_box;
use std::io::Read;
use std::net::{Shutdown, SocketAddr, TcpListener};
use std::ops::DerefMut;
use std::path::{Path, PathBuf};
use std::pin::pin;

use async_with::{AsyncContext, Error, Runtime, TaskHandle, defer};
use async_with_benches::runtime::{Kind, Opaque};
use async_with_benches::workload::exit_work;
use async_with_benches::{BenchRuntime, ForEachRuntime, Runtimes};
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main,
};
use futures_lite::future::poll_once;
use socket2::{Domain, Protocol, Socket, Type};

/// How many children the task group spawns.
const CHILDREN: u64 = 100;

/// What the file bench writes.
const PAYLOAD: [u8; 64] = [7; 64];

fn id(runtime: impl BenchRuntime, construct: &str, operations: u64) -> BenchmarkId {
    BenchmarkId::new(format!("{}/{construct}", runtime.name()), operations)
}

/// `mutex`: lock, bump the guarded counter, unlock. The library side locks
/// through the adapter's borrowed-lock context under the core `with` (a
/// borrowed guard is not `'static`, so no runtime could run its exit after
/// a cancellation; the guard's own `Drop` unlocks).
struct MutexGroup<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
}

impl ForEachRuntime for MutexGroup<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        let by_hand = id(runtime, "hand-written", 1);
        let with = id(runtime, "with", 1);
        match runtime.kind() {
            Kind::Tokio => {
                let mutex = &tokio::sync::Mutex::new(0_u64);
                self.group.bench_function(by_hand, |b| {
                    b.to_async(runtime)
                        .iter(move || async move { *mutex.lock().await += 1 })
                });
                self.group.bench_function(with, |b| {
                    b.to_async(runtime)
                        .iter(move || async_with::with(async_with_tokio::sync::lock(mutex), bump))
                });
            }
            Kind::Smol | Kind::BlockOn => {
                let mutex = &smol::lock::Mutex::new(0_u64);
                self.group.bench_function(by_hand, |b| {
                    b.to_async(runtime)
                        .iter(move || async move { *mutex.lock().await += 1 })
                });
                self.group.bench_function(with, |b| {
                    b.to_async(runtime)
                        .iter(move || async_with::with(async_with_smol::sync::lock(mutex), bump))
                });
            }
            Kind::AsyncStd => {
                let mutex = &async_std::sync::Mutex::new(0_u64);
                self.group.bench_function(by_hand, |b| {
                    b.to_async(runtime)
                        .iter(move || async move { *mutex.lock().await += 1 })
                });
                self.group.bench_function(with, |b| {
                    b.to_async(runtime).iter(move || {
                        async_with::with(async_with_async_std::sync::lock(mutex), bump)
                    })
                });
            }
        }
    }
}

/// The body of the mutex bench under `with`: bump the guarded counter.
async fn bump(counter: &mut impl DerefMut<Target = u64>) -> Result<(), Error> {
    **counter += 1;
    Ok(())
}

/// smol's contexts under smol's `with`, or under the core `with` on plain
/// `block_on` (no executor there to run a cancelled exit on).
async fn with_smol<C, B, T>(runtime: impl BenchRuntime, context: C, body: B) -> Result<T, Error>
where
    C: AsyncContext + Send + 'static,
    C::Resource: Send + 'static,
    B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
    T: Default,
{
    if runtime.kind() == Kind::BlockOn {
        async_with::with(context, body).await
    } else {
        async_with_smol::with(context, body).await
    }
}

/// How many connections the loopback server's kernel queue holds before it
/// accepts them. std's `TcpListener::bind` asks for 128: a client that gets
/// that far ahead of the server thread (a few milliseconds of the thread
/// not being scheduled, on two cores) has its next connect dropped, and
/// TCP retries it a whole second later, which swamps the measurement.
const BACKLOG: i32 = 4096;

/// A loopback server on its own thread: accepts, reads to the client's
/// shutdown, closes. The same server for every runtime.
fn loopback_server() -> SocketAddr {
    let socket =
        Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("a TCP socket");
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    socket.bind(&any_port.into()).expect("bind a loopback port");
    socket.listen(BACKLOG).expect("listen");
    let listener = TcpListener::from(socket);
    let addr = listener.local_addr().expect("loopback address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.read(&mut [0; 1]);
        }
    });
    addr
}

/// `tcp`: connect to the loopback server, shut down the write half, close.
struct TcpGroup<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    server: SocketAddr,
}

impl ForEachRuntime for TcpGroup<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        let server = self.server;
        self.group
            .bench_function(id(runtime, "hand-written", 1), |b| {
                b.to_async(runtime).iter(|| async move {
                    match runtime.kind() {
                        Kind::Tokio => {
                            use tokio::io::AsyncWriteExt;
                            let mut stream = tokio::net::TcpStream::connect(server)
                                .await
                                .expect("connect");
                            stream.shutdown().await.expect("shutdown");
                        }
                        Kind::Smol | Kind::BlockOn => {
                            let stream = smol::net::TcpStream::connect(server)
                                .await
                                .expect("connect");
                            stream.shutdown(Shutdown::Write).expect("shutdown");
                        }
                        Kind::AsyncStd => {
                            let stream = async_std::net::TcpStream::connect(server)
                                .await
                                .expect("connect");
                            stream.shutdown(Shutdown::Write).expect("shutdown");
                        }
                    }
                })
            })
            .bench_function(id(runtime, "with", 1), |b| {
                // The adapter's connect context: its exit shuts the write
                // half down, as the hand-written code does.
                b.to_async(runtime).iter(|| async move {
                    let connected = match runtime.kind() {
                        Kind::Tokio => {
                            async_with_tokio::with(async_with_tokio::net::connect(server), touch)
                                .await
                        }
                        Kind::Smol | Kind::BlockOn => {
                            with_smol(runtime, async_with_smol::net::connect(server), touch).await
                        }
                        Kind::AsyncStd => {
                            async_with_async_std::with(
                                async_with_async_std::net::connect(server),
                                touch,
                            )
                            .await
                        }
                    };
                    connected.expect("connect and shut down");
                })
            });
    }
}

/// A block that only borrows its resource.
async fn touch<T>(resource: &mut T) -> Result<(), Error> {
    black_box(resource);
    Ok(())
}

/// `file`: create (truncate), write 64 bytes, sync to disk, close.
struct FileGroup<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    dir: PathBuf,
}

async fn write_file(kind: Kind, path: &Path) {
    match kind {
        Kind::Tokio => {
            use tokio::io::AsyncWriteExt;
            let mut file = tokio::fs::File::create(path).await.expect("create");
            file.write_all(&PAYLOAD).await.expect("write");
            file.sync_all().await.expect("sync");
        }
        Kind::Smol | Kind::BlockOn => {
            use smol::io::AsyncWriteExt;
            let mut file = smol::fs::File::create(path).await.expect("create");
            file.write_all(&PAYLOAD).await.expect("write");
            file.sync_all().await.expect("sync");
        }
        Kind::AsyncStd => {
            use async_std::io::WriteExt;
            let mut file = async_std::fs::File::create(path).await.expect("create");
            file.write_all(&PAYLOAD).await.expect("write");
            file.sync_all().await.expect("sync");
        }
    }
}

/// The same file through the adapter's `create` context: the block writes,
/// the exit flushes and syncs to disk.
async fn write_file_with(runtime: impl BenchRuntime, path: &Path) {
    let written = match runtime.kind() {
        Kind::Tokio => {
            use tokio::io::AsyncWriteExt;
            async_with_tokio::with(async_with_tokio::fs::create(path), async |file| {
                Ok(file.write_all(&PAYLOAD).await?)
            })
            .await
        }
        Kind::Smol | Kind::BlockOn => {
            use smol::io::AsyncWriteExt;
            with_smol(runtime, async_with_smol::fs::create(path), async |file| {
                Ok(file.write_all(&PAYLOAD).await?)
            })
            .await
        }
        Kind::AsyncStd => {
            use async_std::io::WriteExt;
            async_with_async_std::with(async_with_async_std::fs::create(path), async |file| {
                Ok(file.write_all(&PAYLOAD).await?)
            })
            .await
        }
    };
    written.expect("create, write, sync");
}

impl ForEachRuntime for FileGroup<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        let path = &self.dir.join(format!("{}.bin", runtime.name()));
        self.group
            .bench_function(id(runtime, "hand-written", 1), |b| {
                b.to_async(runtime)
                    .iter(|| write_file(runtime.kind(), path))
            })
            .bench_function(id(runtime, "with", 1), |b| {
                b.to_async(runtime).iter(|| write_file_with(runtime, path))
            });
    }
}

/// `task-group`: spawn 100 children, join them all (the hand-written
/// spawn-and-join loop a task group replaces).
struct TaskGroup<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
}

async fn spawn_and_join<R: BenchRuntime>(runtime: R) -> u64 {
    let children: Vec<_> = (0..CHILDREN)
        .filter_map(|child| runtime.spawn(async move { black_box(child) }))
        .collect();
    let mut sum = 0;
    for child in children {
        sum += child.await;
    }
    sum
}

/// The same 100 children in the adapter's task group; their values are read
/// back from their handles once the group has joined them.
async fn task_group<R: BenchRuntime>(runtime: R) -> u64 {
    async fn spawn_children<S: Runtime>(
        group: &async_with::TaskGroup<S>,
    ) -> Result<Vec<TaskHandle<u64>>, Error> {
        Ok((0..CHILDREN)
            .map(|child| group.spawn(async move { Ok(black_box(child)) }))
            .collect())
    }
    let handles = match runtime.kind() {
        Kind::Tokio => async_with_tokio::task_group(spawn_children).await,
        Kind::Smol => async_with_smol::task_group(spawn_children).await,
        Kind::AsyncStd => async_with_async_std::task_group(spawn_children).await,
        Kind::BlockOn => unreachable!("no executor to spawn on"),
    };
    handles
        .expect("every child ran")
        .into_iter()
        .filter_map(TaskHandle::into_value)
        .sum()
}

impl ForEachRuntime for TaskGroup<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        if runtime.kind() == Kind::BlockOn {
            return; // nothing to spawn on
        }
        self.group
            .bench_function(id(runtime, "hand-written", CHILDREN), |b| {
                b.to_async(runtime)
                    .iter(|| Opaque::new(spawn_and_join(runtime)))
            })
            .bench_function(id(runtime, "task-group", CHILDREN), |b| {
                b.to_async(runtime)
                    .iter(|| Opaque::new(task_group(runtime)))
            });
    }
}

/// A hand-written cancellation guard: its `Drop` spawns the async cleanup
/// onto the runtime, which reports completion on `done`.
struct SpawnCleanupOnDrop<R: BenchRuntime> {
    runtime: R,
    resource: u64,
    done: Option<smol::channel::Sender<u64>>,
}

impl<R: BenchRuntime> Drop for SpawnCleanupOnDrop<R> {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let resource = self.resource;
            self.runtime.spawn_detached(async move {
                let _ = exit_work(resource, false).await;
                let _ = done.send(resource).await;
            });
        }
    }
}

/// One cancelled scope: entered, polled once into its block, dropped; then
/// wait until its cleanup has run on the runtime.
async fn cancelled_scope_cleanup<R: BenchRuntime>(runtime: R) -> u64 {
    let (done, cleaned) = smol::channel::bounded(1);
    {
        let mut scope = pin!(async move {
            let _guard = SpawnCleanupOnDrop {
                runtime,
                resource: black_box(1),
                done: Some(done),
            };
            pending::<()>().await;
        });
        let _ = poll_once(scope.as_mut()).await;
    } // cancelled here
    cleaned.recv().await.expect("the cleanup ran")
}

/// `cancel-latency`: from dropping a scope to its spawned cleanup finishing.
struct CancelLatency<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
}

/// The same cancelled scope through the adapter's `with`: its policy runs
/// the exit, told the scope was cancelled, on the runtime.
async fn cancelled_with_cleanup<R: BenchRuntime>(runtime: R) -> u64 {
    let (done, cleaned) = smol::channel::bounded(1);
    let resource = black_box(1);
    let cleanup = defer(async move || {
        let _ = exit_work(resource, false).await;
        let _ = done.send(resource).await;
        Ok(())
    });
    let block = async |_: &mut ()| pending::<Result<(), Error>>().await;
    match runtime.kind() {
        Kind::Tokio => {
            let _ = poll_once(pin!(async_with_tokio::with(cleanup, block))).await;
        }
        Kind::Smol => {
            let _ = poll_once(pin!(async_with_smol::with(cleanup, block))).await;
        }
        Kind::AsyncStd => {
            let _ = poll_once(pin!(async_with_async_std::with(cleanup, block))).await;
        }
        Kind::BlockOn => unreachable!("no executor to run the cleanup on"),
    } // cancelled here
    cleaned.recv().await.expect("the cleanup ran")
}

impl ForEachRuntime for CancelLatency<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        if runtime.kind() == Kind::BlockOn {
            return; // nothing to spawn the cleanup on
        }
        self.group
            .bench_function(id(runtime, "hand-written", 1), |b| {
                b.to_async(runtime)
                    .iter(|| Opaque::new(cancelled_scope_cleanup(runtime)))
            })
            .bench_function(id(runtime, "with", 1), |b| {
                b.to_async(runtime)
                    .iter(|| Opaque::new(cancelled_with_cleanup(runtime)))
            });
    }
}

fn resources(c: &mut Criterion) {
    let runtimes = Runtimes::new();

    let mut group = c.benchmark_group("mutex");
    runtimes.for_each(&mut MutexGroup { group: &mut group });
    group.finish();

    let mut group = c.benchmark_group("tcp");
    group.sampling_mode(SamplingMode::Flat);
    runtimes.for_each(&mut TcpGroup {
        group: &mut group,
        server: loopback_server(),
    });
    group.finish();

    let dir = std::env::temp_dir().join(format!("async-with-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the bench's temp dir");
    let mut group = c.benchmark_group("file");
    group.sampling_mode(SamplingMode::Flat);
    runtimes.for_each(&mut FileGroup {
        group: &mut group,
        dir: dir.clone(),
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);

    let mut group = c.benchmark_group("task-group");
    runtimes.for_each(&mut TaskGroup { group: &mut group });
    group.finish();

    let mut group = c.benchmark_group("cancel-latency");
    runtimes.for_each(&mut CancelLatency { group: &mut group });
    group.finish();
}

criterion_group!(benches, resources);
criterion_main!(benches);
