//! Real resources on every runtime: mutex lock/unlock, TCP connect and
//! shutdown on loopback, file create/write/sync/close, a task group of 100
//! children, the latency of cleanup spawned after a cancelled scope
//! (`cancel-latency`), and a storm of 10,000 scopes cancelled together whose
//! cleanups each wait 1 ms on the runtime's timer (`cancel-storm`: one
//! iteration ends when all 10,000 have finished, so it measures whether the
//! cleanups run concurrently).
//!
//! Ids: `<group>/<runtime>/<construct>/<operations>`. Each group measures
//! the hand-written code (`hand-written`) and the same workload through the
//! runtime's adapter crate in the same run: its resource contexts under its
//! `with` (`with`), its task group (`task-group`), and its cancellation
//! policy running a dropped scope's exit (`with`). On plain `block_on` the
//! contexts are smol's under the core `with`; the cancellation groups skip
//! it (no executor to run a cleanup on).
//!
//! Run: `cargo bench -p async-with-benches --bench resources`

use std::future::pending;
use std::hint::black_box;
use std::io::Read;
use std::net::{Shutdown, SocketAddr, TcpListener};
use std::ops::DerefMut;
use std::path::{Path, PathBuf};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

/// How many scopes one `cancel-storm` iteration cancels.
const STORM: u64 = 10_000;

/// How long each of the storm's cleanups waits on the runtime's timer.
const STORM_CLEANUP_SLEEP: Duration = Duration::from_millis(1);

/// Counts a storm's cleanups down; the last one signals `all_done`. Once
/// every holder is gone without the count reaching zero (a cleanup was
/// dropped unrun), `all_done` closes instead, and the bench panics rather
/// than hang.
struct Countdown {
    left: AtomicU64,
    all_done: smol::channel::Sender<()>,
}

impl Countdown {
    fn new(cleanups: u64) -> (Arc<Self>, smol::channel::Receiver<()>) {
        let (all_done, finished) = smol::channel::bounded(1);
        let countdown = Self {
            left: AtomicU64::new(cleanups),
            all_done,
        };
        (Arc::new(countdown), finished)
    }

    fn count(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            let _ = self.all_done.try_send(());
        }
    }
}

/// One storm cleanup: 1 ms on the runtime's timer, then counted done.
/// `timers` is the adapter's [`Runtime`], for its `sleep`.
async fn storm_cleanup<S: Runtime>(timers: S, countdown: Arc<Countdown>) {
    timers.sleep(STORM_CLEANUP_SLEEP).await;
    countdown.count();
}

/// A hand-written cancellation guard for the storm: its `Drop` spawns the
/// cleanup onto the runtime as a task of its own, as
/// [`SpawnCleanupOnDrop`] does.
struct SpawnTimedCleanupOnDrop<R: BenchRuntime, S: Runtime> {
    runtime: R,
    timers: S,
    countdown: Option<Arc<Countdown>>,
}

impl<R: BenchRuntime, S: Runtime> Drop for SpawnTimedCleanupOnDrop<R, S> {
    fn drop(&mut self) {
        if let Some(countdown) = self.countdown.take() {
            self.runtime
                .spawn_detached(storm_cleanup(self.timers.clone(), countdown));
        }
    }
}

/// One storm: [`STORM`] scopes made by `scope`, each entered and polled
/// once into its block (which never completes), then all dropped together;
/// ends when every cleanup has counted itself done.
async fn storm<F: Future>(mut scope: impl FnMut(Arc<Countdown>) -> F) {
    let (countdown, finished) = Countdown::new(STORM);
    let mut scopes: Vec<Pin<Box<F>>> = (0..STORM)
        .map(|_| Box::pin(scope(Arc::clone(&countdown))))
        .collect();
    for scope in &mut scopes {
        let _ = poll_once(scope.as_mut()).await;
    }
    drop(scopes); // all cancelled here
    drop(countdown);
    finished.recv().await.expect("every cleanup ran");
}

/// The storm with a hand-written guard in each scope.
async fn storm_by_hand<R: BenchRuntime, S: Runtime>(runtime: R, timers: S) {
    storm(|countdown| {
        let timers = timers.clone();
        async move {
            let _guard = SpawnTimedCleanupOnDrop {
                runtime,
                timers,
                countdown: Some(countdown),
            };
            pending::<()>().await;
        }
    })
    .await;
}

/// The storm through the adapter's `with`: each scope's context is a
/// `defer` of the same cleanup, which the adapter's cancellation policy
/// runs on the runtime.
async fn storm_with<R: BenchRuntime>(runtime: R) {
    let block = async |_: &mut ()| pending::<Result<(), Error>>().await;
    match runtime.kind() {
        Kind::Tokio => {
            storm(|countdown| {
                let cleanup = defer(async move || {
                    storm_cleanup(async_with_tokio::Tokio, countdown).await;
                    Ok(())
                });
                async_with_tokio::with(cleanup, block)
            })
            .await;
        }
        Kind::Smol => {
            storm(|countdown| {
                let cleanup = defer(async move || {
                    storm_cleanup(async_with_smol::Smol, countdown).await;
                    Ok(())
                });
                async_with_smol::with(cleanup, block)
            })
            .await;
        }
        Kind::AsyncStd => {
            storm(|countdown| {
                let cleanup = defer(async move || {
                    storm_cleanup(async_with_async_std::AsyncStd, countdown).await;
                    Ok(())
                });
                async_with_async_std::with(cleanup, block)
            })
            .await;
        }
        Kind::BlockOn => unreachable!("no executor to run the cleanups on"),
    }
}

/// `cancel-storm`: [`STORM`] scopes cancelled together, until the last of
/// their cleanups (each waiting 1 ms on the runtime's timer) has finished.
/// Cleanups that run concurrently take a few milliseconds in all; one at a
/// time, at least 10 s.
struct CancelStorm<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
}

impl ForEachRuntime for CancelStorm<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        match runtime.kind() {
            Kind::Tokio => self.bench(runtime, async_with_tokio::Tokio),
            Kind::Smol => self.bench(runtime, async_with_smol::Smol),
            Kind::AsyncStd => self.bench(runtime, async_with_async_std::AsyncStd),
            Kind::BlockOn => {} // nothing to spawn the cleanups on
        }
    }
}

impl CancelStorm<'_, '_> {
    /// `timers`: the adapter's [`Runtime`] for `runtime`, whose `sleep` both
    /// constructs' cleanups wait on.
    fn bench<R: BenchRuntime, S: Runtime + Copy>(&mut self, runtime: R, timers: S) {
        self.group
            .bench_function(id(runtime, "hand-written", STORM), |b| {
                b.to_async(runtime)
                    .iter(|| Opaque::new(storm_by_hand(runtime, timers)))
            })
            .bench_function(id(runtime, "with", STORM), |b| {
                b.to_async(runtime)
                    .iter(|| Opaque::new(storm_with(runtime)))
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

    // An iteration is tens of milliseconds: criterion's fewest samples, one
    // time per iteration each. `--quick` keeps its own (command-line)
    // warm-up and measurement times; otherwise they are kept short here so
    // each cell takes a few seconds.
    let mut group = c.benchmark_group("cancel-storm");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    if !cfg!(feature = "quick") {
        group
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
    }
    runtimes.for_each(&mut CancelStorm { group: &mut group });
    group.finish();
}

criterion_group!(benches, resources);
criterion_main!(benches);
