//! The real-resource checks every adapter runs, and their helpers: files
//! in a temporary directory, TCP connections to a peer thread, child
//! processes checked in `/proc` (Linux only).
//!
//! After each exit a check looks at what a user would see on the resource
//! itself: the bytes on disk, end-of-file at the peer, the child killed and
//! reaped, the lock free. The checks are written once, generic over
//! [`Resources`]: the bindings an adapter implements for its runtime
//! (`async_with_resources`'s [`Files`], [`Tcp`], [`Processes`]), how to
//! read and write its files and streams ([`AsyncIo`]), and its
//! [`Harness`]. [`resources!`](crate::resources!) expands to one `#[test]`
//! per check.
//!
//! What the runtimes do differently is a documented parameter, not a copy:
//! the I/O family they implement ([`AsyncIo`]: `futures-io`'s or tokio's),
//! and whether their semaphores are bound like their mutexes (the
//! `semaphore` argument of [`locks!`](crate::locks!): tokio's are contexts
//! of their own, which take several permits and can be closed, and tokio
//! tests them itself). The rest is done the same way on every runtime: a
//! child reports its pid through a file ([`reporting_pid`]; tokio's
//! `Child::id` is an `Option`, async-process's is not), and a cancelled
//! scope is dropped inside a task of the runtime, where an aborted task's
//! future is dropped.

//! # Examples
//!
//! An adapter runs them with [`resources!`](crate::resources!) and
//! [`locks!`](crate::locks!) (see there); the helpers work on their own:
//!
//! ```
//! use async_with_testkit::resources::{Peer, process_running};
//!
//! let peer = Peer::start();
//! drop(std::net::TcpStream::connect(peer.addr)?); // closed: end-of-file
//! assert!(peer.report().saw_eof);
//! assert!(process_running(std::process::id()));
//! # Ok::<(), std::io::Error>(())
//! ```

use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::task::{Context, Waker};

use async_with_resources::fs::Files;
use async_with_resources::net::{ConnectTo, Tcp};
use async_with_resources::process::Processes;

use async_with::{AsyncContext, Runtime};

use crate::Harness;
use crate::suite::eventually;

mod children;
mod files;
mod io;
mod locks;
mod peer;
mod procfs;
mod tcp;

pub use children::{
    child_killed_when_the_block_panics, child_of_a_cancelled_scope_is_killed,
    child_reading_a_pipe_is_killed_and_reaped_when_the_block_fails,
    child_scope_cancelled_mid_block_is_still_killed_and_reaped,
    child_still_running_is_killed_and_reaped_and_its_status_observed,
    child_that_cannot_spawn_fails_the_enter,
    child_waited_for_in_the_block_is_left_alone_and_its_status_kept,
};
pub use files::{
    file_bytes_are_on_disk_after_the_exit_without_a_flush_in_the_block,
    file_flush_failure_alone_is_an_io_error,
    file_flush_failure_is_the_exit_error_after_the_block_error,
    file_is_flushed_when_the_block_fails_and_the_block_error_reaches_the_caller,
    file_is_flushed_when_the_block_panics, file_open_reads_and_a_missing_file_fails_the_enter,
};
pub use io::{AsyncIo, FuturesIo};
pub use locks::{
    Log, borrowed_mutex_is_free_after_error_and_panic, mutex_of_a_cancelled_scope_is_free,
    owned_mutex_is_held_in_the_block_and_free_after_success_error_and_panic,
    semaphore_of_a_cancelled_scope_is_given_back,
    semaphore_permit_is_given_back_after_success_error_and_panic,
};
pub use peer::{Peer, PeerReport, refused_addr};
pub use procfs::{
    eventually_not_running, pid_from, process_exists, process_running, reporting_pid,
};
pub use tcp::{
    tcp_peer_sees_eof_after_the_exit_while_the_socket_is_still_open,
    tcp_peer_sees_eof_when_the_block_fails, tcp_refused_connection_fails_the_enter,
    tcp_scope_cancelled_mid_block_still_shuts_the_stream_down,
    tcp_stream_already_connected_is_shut_down_on_exit,
};

/// A runtime's file.
pub type File<R> = <<R as Resources>::Files as Files>::File;

/// A runtime's TCP stream.
pub type Stream<R> = <<R as Resources>::Tcp as Tcp>::Stream;

/// A runtime's child process.
pub type Child<R> = <<R as Resources>::Processes as Processes>::Child;

/// What the checks run with: one adapter's bindings, I/O and harness.
/// [`resources!`](crate::resources!) implements it from its arguments.
///
/// # Examples
///
/// See [the module docs](self).
pub trait Resources: 'static {
    /// How to run a check on the runtime.
    type Harness: Harness;

    /// The runtime's files.
    type Files: Files;

    /// The runtime's TCP streams: connected to a `SocketAddr`, duplicated
    /// through their file descriptor, made from a connected
    /// `std::net::TcpStream`.
    type Tcp: Tcp<Stream: AsFd + TryFrom<std::net::TcpStream, Error: Into<async_with::Error>>>
        + ConnectTo<SocketAddr>;

    /// The runtime's child processes, spawned from a `std::process::Command`.
    type Processes: Processes<Command: From<std::process::Command>>;

    /// How to read and write the runtime's files and streams.
    type Io: AsyncIo<File<Self>> + AsyncIo<Stream<Self>>;
}

/// Runs `future` on a fresh runtime; whether it panicked.
fn panics<R: Resources, F: Future>(future: F) -> bool {
    catch_unwind(AssertUnwindSafe(|| R::Harness::block_on(future))).is_err()
}

/// Polls `future` once and drops it: a scope cancelled at its first await
/// point that is still pending.
fn poll_once_then_drop<F: Future>(future: F) {
    let mut future = pin!(future);
    let polled = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
    assert!(polled.is_pending(), "the scope was meant to be suspended");
}

/// Enters `context` on the runtime: the enter fails with an I/O error of
/// `kind`, and the block does not run.
fn enter_fails<R: Resources>(context: impl AsyncContext, kind: ErrorKind) {
    let mut ran = false;
    let error = R::Harness::block_on(async_with::with(context, async |_| {
        ran = true;
        Ok(())
    }))
    .unwrap_err();
    assert!(!ran, "the block ran");
    assert_eq!(error.downcast::<std::io::Error>().unwrap().kind(), kind);
}

/// Runs `scope` in a task of the runtime until it sets `entered`, then
/// drops it inside that task (where an aborted task's future is dropped),
/// and returns once it is dropped.
async fn cancel_in_task<R: Resources>(
    scope: impl Future + Send + 'static,
    entered: Arc<AtomicBool>,
) {
    let cancel = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicBool::new(false));
    let (cancel_seen, dropped_set) = (cancel.clone(), dropped.clone());
    R::Harness::runtime().spawn(async move {
        let until_cancelled = async {
            eventually::<R::Harness>(|| cancel_seen.load(SeqCst)).await;
        };
        let scope = async {
            scope.await;
        };
        futures_lite::future::or(scope, until_cancelled).await;
        dropped_set.store(true, SeqCst);
    });
    assert!(
        eventually::<R::Harness>(|| entered.load(SeqCst)).await,
        "the scope never entered its block"
    );
    cancel.store(true, SeqCst);
    assert!(
        eventually::<R::Harness>(|| dropped.load(SeqCst)).await,
        "the task never dropped its scope"
    );
}
