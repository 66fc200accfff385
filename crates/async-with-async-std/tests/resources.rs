//! async-std's real resources as contexts: the testkit's checks of files,
//! TCP streams and child processes, then the lock contexts.
//!
//! Linux only: processes are checked in `/proc`, flush failures come from
//! `/dev/full`.
#![cfg(target_os = "linux")]

mod harness;

async_with_testkit::resources!(
    harness: harness::AsyncStdHarness,
    files: async_with_async_std::AsyncStd,
    tcp: async_with_async_std::AsyncStd,
    processes: async_with_smol::Smol,
    io: async_with_testkit::resources::FuturesIo,
);

// async-std's locks are async-lock's, bound by the smol adapter.
async_with_testkit::locks!(
    harness: harness::AsyncStdHarness,
    binding: async_with_smol::Smol,
    mutex: async_std::sync::Mutex,
    semaphore: async_with_async_std::sync::Semaphore,
);
