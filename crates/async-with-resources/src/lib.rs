//! The resource contexts of the async-with runtime adapters, written once:
//! files, TCP streams, child processes and locks, generic over a small
//! binding trait per resource kind.
//!
//! What a resource context does is the same on every runtime: what its
//! enter acquires, what its exit does on each [`Outcome`](async_with::Outcome),
//! which errors it keeps and which it ignores. Only the calls differ (tokio
//! shuts a stream down with `shutdown`, async-net with `close`; tokio asks a
//! child `try_wait`, async-process `try_status`). So each kind is a generic
//! context here ([`fs::Open`], [`net::Connect`], [`net::ShutdownOnExit`],
//! [`process::Spawn`], [`sync::Held`]) over a trait naming those calls
//! ([`fs::Files`], [`net::Tcp`], [`process::Processes`],
//! [`sync::Acquire`]), implemented once per runtime, with the adapter's
//! runtime marker as the binding. This is hyper-util's split: runtime
//! traits in one place, per-runtime glue beside each runtime.
//!
//! An adapter's resource module is then its docs and little else:
//!
//! - the binding: by hand ([`net::Tcp`], [`sync::Acquire`]), or, where the
//!   runtime's calls have the names tokio, async-fs, async-std and
//!   async-process share, in one line with [`files!`] or [`processes!`];
//! - its items (`create`, `Open`, `connect`, `spawn`, `lock_owned`, ...),
//!   defined with the runtime filled in by [`fs_items!`], [`net_items!`],
//!   [`process_items!`], [`lock_items!`] or [`semaphore_items!`] in a
//!   private module, and re-exported with `pub use` under the adapter's
//!   own docs, whose examples are written for its runtime
//!   (`async_with_smol::fs::create` shows smol code).
//!
//! A runtime that shares another's types shares its binding too:
//! async-std's children and locks are async-process's and async-lock's,
//! bound once by the smol adapter.
//!
//! Use the contexts through an adapter crate; this crate is for adapters,
//! and for code generic over the runtime.
//!
//! # Why a crate of its own
//!
//! The contexts depend on no runtime, so they could live in the core
//! (`async-with`). They are kept apart because they are a different
//! concern: the core is the context-manager protocol and its guarantees,
//! this crate is the cleanup policy of concrete operating-system resources
//! (flush and sync a file, send FIN, kill and reap a child, release a
//! lock). The core's
//! API stays what every user needs, without binding traits only adapters
//! implement; this crate can change with the resources it covers without
//! touching the protocol. It depends on the core alone.
//!
//! # Cancellation
//!
//! The contexts do nothing special when their scope is dropped mid-way:
//! what happens then is the `with` that ran them. An adapter's `with` hands
//! the exit to its runtime, which runs it as described here, told
//! [`Outcome::Cancelled`](async_with::Outcome::Cancelled). The core's
//! `async_with::with` drops the resource, whose own `Drop` does what it can
//! (each adapter's docs say what, for its runtime). A lock ([`sync::Held`])
//! is released by its guard's `Drop` either way.
//!
//! # Examples
//!
//! A function that writes a file through whichever runtime the caller
//! binds:
//!
//! ```
//! use async_with_resources::fs::{self, Files, Open};
//!
//! fn scratch_file<B: Files>(name: &str) -> Open<B> {
//!     fs::create(std::env::temp_dir().join(name)).sync_on_exit(false)
//! }
//! ```
// The workspace's lints apply (`missing_docs`, `unreachable_pub`, ...).
#![forbid(unsafe_code)]

pub mod fs;
mod macros;
pub mod net;
pub mod process;
pub mod sync;
