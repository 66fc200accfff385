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
//! | Example | Seed scenario |
//! |---|---|
//! | `connections` | connections A, B, C: nested, on an `ExitStack`, in a loop, conditional, with a custom cleanup callback |
//! | `rent_car` | `@asynccontextmanager rent_car` with timed setup and cleanup; the `AsyncResource` exercise |
//! | `transaction` | a database connection and a transaction that commits or rolls back (SQLite) |
//! | `complex_operation` | transaction + file lock + HTTP session, nested |
//! | `timer` | `AsyncTimer` and `async_timer()` |
//! | `error_handling` | errors in setup, in the block, suppressed, and in a cleanup on top of the block's |
//! | `async_iteration` | an async generator closed by `aclosing` |
//! | `tail_f` | the `log_writer.py` / `async_tail.py` assignment |
//! | `task_group` | parallel downloads in a task group; one fails, the rest are cancelled |
//!
//! Each runs with `cargo run -p async-with-examples --example NAME -- --runtime
//! tokio|smol|async-std` (tokio when `--runtime` is left out). The test
//! `tests/run_examples.rs` runs every example on every runtime and checks
//! what it printed.
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
