//! smol's real resources as contexts: the testkit's checks of files,
//! TCP streams and child processes, then the lock contexts.
//!
//! Linux only: processes are checked in `/proc`, flush failures come from
//! `/dev/full`.
#![cfg(target_os = "linux")]

mod harness;

async_with_testkit::resources!(
    harness: harness::SmolHarness,
    files: async_with_smol::Smol,
    tcp: async_with_smol::Smol,
    processes: async_with_smol::Smol,
    io: async_with_testkit::resources::FuturesIo,
);

async_with_testkit::locks!(
    harness: harness::SmolHarness,
    binding: async_with_smol::Smol,
    mutex: smol::lock::Mutex,
    semaphore: smol::lock::Semaphore,
);
