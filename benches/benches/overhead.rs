//! Enter/exit overhead of each construct against hand-written nesting, at
//! depths 1, 4, 16 and 64, on every runtime.
//!
//! Ids: `overhead/<runtime>/<construct>/<depth>`, constructs:
//! - `hand-written`: enter, body, exit written out by hand (the limit);
//! - `panic-safe-by-hand`: the same, each level catching the block's panic to
//!   run its exit first (a reference: what the guarantee costs by hand);
//! - `with`: nested `with` of an `AsyncContext`;
//! - `generator`: nested `with` of generator-style `context(...)`;
//! - `boxed-vec`: the hand-written dynamic stack (a `Vec` of boxed cleanup
//!   futures), the limit `ExitStack` is measured against.
//!
//! - `exit-stack`: the same dynamic stack through `ExitStack`.
//!
//! Depths 16 and 64 of generator-style nesting, and depth 64 of the others,
//! take most of the LLVM time of this crate (one fully inlined state machine per
//! depth); the `quick` feature leaves them out so `cargo xtask bench --quick`
//! stays quick.
//!
//! Run: `cargo bench -p async-with-benches --bench overhead`
//! (or `cargo xtask bench --filter overhead` for the report).

// Depth 64 nests 64 `with` futures in one type; computing its layout needs
// more query depth than the default 128.
#![recursion_limit = "1024"]

use std::hint::black_box;

use async_with_benches::nesting::{Depth1, Depth4, Depth16, Nest};
use async_with_benches::runtime::Opaque;
use async_with_benches::workload::{boxed_vec, exit_stack};
use async_with_benches::{BenchRuntime, ForEachRuntime, Runtimes};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};

struct Overhead<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
}

impl Overhead<'_, '_> {
    /// Hand-written, `with`, boxed-`Vec` and `ExitStack` at depth `N`.
    fn constructs<N: Nest, R: BenchRuntime>(&mut self, runtime: R) {
        let nest = &N::default();
        let id =
            |construct: &str| BenchmarkId::new(format!("{}/{construct}", runtime.name()), N::DEPTH);
        self.group.bench_function(id("hand-written"), |b| {
            b.to_async(runtime)
                .iter(move || Opaque::new(nest.hand_written(black_box(1))))
        });
        self.group.bench_function(id("panic-safe-by-hand"), |b| {
            b.to_async(runtime)
                .iter(move || Opaque::new(nest.hand_written_panic_safe(black_box(1))))
        });
        self.group.bench_function(id("with"), |b| {
            b.to_async(runtime)
                .iter(move || Opaque::new(nest.with(black_box(1))))
        });
        self.group.bench_function(id("boxed-vec"), |b| {
            b.to_async(runtime)
                .iter(|| Opaque::new(boxed_vec(black_box(N::DEPTH as u64))))
        });
        self.group.bench_function(id("exit-stack"), |b| {
            b.to_async(runtime)
                .iter(|| Opaque::new(exit_stack(black_box(N::DEPTH as u64))))
        });
    }

    /// Generator-style at depth `N`: separate because deep generator nesting
    /// is by far the slowest code to compile (see the `quick` feature).
    fn generator<N: Nest, R: BenchRuntime>(&mut self, runtime: R) {
        let nest = &N::default();
        let id = BenchmarkId::new(format!("{}/generator", runtime.name()), N::DEPTH);
        self.group.bench_function(id, |b| {
            b.to_async(runtime)
                .iter(move || Opaque::new(nest.generator(black_box(1))))
        });
    }
}

impl ForEachRuntime for Overhead<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        self.constructs::<Depth1, R>(runtime);
        self.generator::<Depth1, R>(runtime);
        self.constructs::<Depth4, R>(runtime);
        self.generator::<Depth4, R>(runtime);
        self.constructs::<Depth16, R>(runtime);
        #[cfg(not(feature = "quick"))]
        {
            use async_with_benches::nesting::Depth64;
            self.generator::<Depth16, R>(runtime);
            self.constructs::<Depth64, R>(runtime);
            self.generator::<Depth64, R>(runtime);
        }
    }
}

fn overhead(c: &mut Criterion) {
    let runtimes = Runtimes::new();
    let mut group = c.benchmark_group("overhead");
    runtimes.for_each(&mut Overhead { group: &mut group });
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
