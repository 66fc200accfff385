//! Shared helpers for the criterion benchmarks of async-with.
//!
//! - [`runtime`]: every runtime the benches run on, behind one
//!   [`BenchRuntime`] trait, with criterion
//!   [`AsyncExecutor`](criterion::async_executor::AsyncExecutor)s for the two
//!   criterion does not ship (async-std and a plain `block_on`).
//! - [`workload`]: the trivially small, non-optimizable work every context
//!   does on enter and exit, so every construct pays for the same work.
//! - [`nesting`]: nesting at a depth fixed by a type, written once per
//!   construct, so hand-written and library code have the same shape.
//! - [`probe`]: what the benches measure besides wall time (future sizes,
//!   a loop for callgrind to count instructions in).
//!
//! Bench ids follow one scheme the `cargo xtask bench` report reads back:
//! `<group>/<runtime>/<construct>/<parameter>`.
//!
//! # Examples
//!
//! ```
//! use async_with_benches::nesting::{Depth4, Nest};
//!
//! # futures_lite::future::block_on(async {
//! let by_hand = Depth4::default().hand_written(1).await?;
//! let with = Depth4::default().with(1).await?;
//! assert_eq!(by_hand, with);
//! # Ok::<(), async_with::Error>(()) }).unwrap();
//! ```

pub mod nesting;
pub mod probe;
pub mod runtime;
pub mod workload;

pub use runtime::{BenchRuntime, ForEachRuntime, Runtimes};
