//! TCP streams: the write half shut down on exit, so the peer sees
//! end-of-file while the socket is still open.

use std::io::{ErrorKind, Read};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, mpsc};

use async_with::{Error, with, with_runtime};
use async_with_resources::net;

use super::{AsyncIo, Peer, Resources, Stream, cancel_in_task, enter_fails, refused_addr};
use crate::Harness;
use crate::suite::eventually;

/// A duplicate of the stream's socket: while it is open, the peer can only
/// see end-of-file because the exit shut the write half down.
fn duplicate<S: AsFd>(stream: &S) -> std::io::Result<std::net::TcpStream> {
    Ok(std::net::TcpStream::from(
        stream.as_fd().try_clone_to_owned()?,
    ))
}

/// The peer reads the block's bytes then end-of-file, though a duplicate
/// keeps the socket open; the read half still gets the peer's reply.
pub fn tcp_peer_sees_eof_after_the_exit_while_the_socket_is_still_open<R: Resources>() {
    let peer = Peer::start();
    let mut kept = None;
    R::Harness::block_on(with(net::connect::<R::Tcp, _>(peer.addr), async |stream| {
        R::Io::write_all(stream, b"PING").await?;
        kept = Some(duplicate(stream)?);
        Ok(())
    }))
    .unwrap();
    let report = peer.report();
    assert!(report.saw_eof);
    assert_eq!(report.received, b"PING");
    // The read half is still open: the peer's reply arrives.
    let mut reply = String::new();
    kept.unwrap().read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "bye");
}

/// A failed block's stream is shut down too, and the caller gets the
/// block's error.
pub fn tcp_peer_sees_eof_when_the_block_fails<R: Resources>() {
    let peer = Peer::start();
    let mut kept = None;
    let error = R::Harness::block_on(with(net::connect::<R::Tcp, _>(peer.addr), async |stream| {
        R::Io::write_all(stream, b"half a req").await?;
        kept = Some(duplicate(stream)?);
        Err::<(), _>(Error::msg("gave up"))
    }))
    .unwrap_err();
    assert_eq!(error.to_string(), "gave up");
    let report = peer.report();
    assert!(report.saw_eof);
    assert_eq!(report.received, b"half a req");
    drop(kept);
}

/// A refused connection fails the enter, and the block does not run.
pub fn tcp_refused_connection_fails_the_enter<R: Resources>() {
    enter_fails::<R>(
        net::connect::<R::Tcp, _>(refused_addr()),
        ErrorKind::ConnectionRefused,
    );
}

/// A stream connected before the scope is shut down on exit as well.
pub fn tcp_stream_already_connected_is_shut_down_on_exit<R: Resources>() {
    let peer = Peer::start();
    let connected = std::net::TcpStream::connect(peer.addr).unwrap();
    connected.set_nonblocking(true).unwrap();
    let mut kept = None;
    R::Harness::block_on(async {
        let stream = Stream::<R>::try_from(connected).map_err(Into::into)?;
        with(net::shutdown_on_exit::<R::Tcp>(stream), async |stream| {
            R::Io::write_all(stream, b"HELLO").await?;
            kept = Some(duplicate(stream)?);
            Ok(())
        })
        .await
    })
    .unwrap();
    let report = peer.report();
    assert!(report.saw_eof);
    assert_eq!(report.received, b"HELLO");
    drop(kept);
}

/// A scope bound to the runtime, dropped mid-block inside its task, still
/// shuts the stream down: the runtime runs the exit.
pub fn tcp_scope_cancelled_mid_block_still_shuts_the_stream_down<R: Resources>() {
    let peer = Peer::start();
    let addr = peer.addr;
    let (kept_tx, kept_rx) = mpsc::channel();
    let entered = Arc::new(AtomicBool::new(false));
    let entered_set = entered.clone();
    let scope = with_runtime(
        R::Harness::runtime(),
        net::connect::<R::Tcp, _>(addr),
        async move |stream| {
            R::Io::write_all(stream, b"PING").await?;
            kept_tx.send(duplicate(stream)?).unwrap();
            entered_set.store(true, SeqCst);
            std::future::pending::<()>().await;
            Ok(())
        },
    );
    R::Harness::block_on(async {
        cancel_in_task::<R>(scope, entered).await;
        // The duplicate keeps the socket open: only the exit, run on the
        // runtime after the cancellation, can have shut it down.
        assert!(eventually::<R::Harness>(|| peer.is_finished()).await);
    });
    let _kept = kept_rx.recv().unwrap();
    let report = peer.report();
    assert!(report.saw_eof);
    assert_eq!(report.received, b"PING");
}
