//! tokio's real resources as contexts: the testkit's checks of files, TCP
//! streams, child processes and mutexes, on the current-thread runtime and
//! on a multi-thread one. tokio's semaphores, contexts of their own, are
//! checked in tests/semaphores.rs.
//!
//! Linux only: processes are checked in `/proc`, flush failures come from
//! `/dev/full`.
#![cfg(target_os = "linux")]

use std::io;

use async_with_testkit::resources::AsyncIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

mod harness;

/// The checks' reads and writes through tokio's I/O traits.
struct TokioIo;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> AsyncIo<S> for TokioIo {
    async fn write_all<'a>(stream: &'a mut S, bytes: &'a [u8]) -> io::Result<()> {
        stream.write_all(bytes).await
    }

    async fn read_to_string(stream: &mut S) -> io::Result<String> {
        let mut text = String::new();
        stream.read_to_string(&mut text).await?;
        Ok(text)
    }
}

mod current_thread {
    async_with_testkit::resources!(
        harness: super::harness::CurrentThread,
        files: async_with_tokio::Tokio,
        tcp: async_with_tokio::Tokio,
        processes: async_with_tokio::Tokio,
        io: super::TokioIo,
    );

    async_with_testkit::locks!(
        harness: super::harness::CurrentThread,
        binding: async_with_tokio::Tokio,
        mutex: tokio::sync::Mutex,
    );
}

mod multi_thread {
    async_with_testkit::resources!(
        harness: super::harness::MultiThread<2>,
        files: async_with_tokio::Tokio,
        tcp: async_with_tokio::Tokio,
        processes: async_with_tokio::Tokio,
        io: super::TokioIo,
    );

    async_with_testkit::locks!(
        harness: super::harness::MultiThread<2>,
        binding: async_with_tokio::Tokio,
        mutex: tokio::sync::Mutex,
    );
}
