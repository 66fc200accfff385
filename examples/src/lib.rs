//! Shared helpers for the examples: run one async `main` on the runtime named
//! by `--runtime tokio|smol|async-std`, spawn background work on it, and serve
//! HTTP/1.1 on a loopback port.
//!
//! Each example under `examples/examples/` ports one scenario of the Python
//! tutorials async-with grew from. They are written once and run on every
//! runtime: their timers, sockets, files and child processes come from the
//! smol ecosystem (`async-io`, `async-net`, `async-fs`, `async-process`),
//! which drives its own reactor thread and so works under any executor.
//!
//! # Examples
//!
//! ```no_run
//! use async_with_examples::{RuntimeKind, run};
//!
//! fn main() -> std::process::ExitCode {
//!     run(async |runtime: RuntimeKind| {
//!         println!("running on {runtime}");
//!         Ok(())
//!     })
//! }
//! ```
#![forbid(unsafe_code)]

mod background;
pub mod http;
mod runtime;
pub mod sqlite;

pub use background::Background;
pub use runtime::{RuntimeKind, UnknownRuntime, run};
