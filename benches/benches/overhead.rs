//! Enter/exit overhead of each construct against hand-written nesting, at
//! depths 1, 4, 16 and 64, on every runtime.
//!
//! Ids: `overhead/<runtime>/<construct>/<depth>`, constructs:
//! - `hand-written`: enter, body, exit written out by hand (the bare limit,
//!   shown as information);
//! - `panic-safe-by-hand`: the same, each level catching the block's panic to
//!   run its exit first (what catching alone costs by hand);
//! - `same-guarantees-by-hand`: every guarantee of `with` written by hand
//!   (enter and exit through `AsyncContext`, the panic caught, the exit told
//!   the outcome, the cancel policy on drop): the reference of the targets;
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
//! With `ASYNC_WITH_BENCH_PROBE` set, the binary runs no benchmark: it
//! prints the future sizes of every nesting it benches, or runs one of them
//! in a loop for callgrind (see `async_with_benches::probe`; `cargo xtask
//! bench` does both).
//!
//! Run: `cargo bench -p async-with-benches --bench overhead`
//! (or `cargo xtask bench --filter overhead` for the report).

// Depth 64 nests 64 `with` futures in one type; computing its layout needs
// more query depth than the default 128.
#![recursion_limit = "1024"]

use std::hint::black_box;

use async_with_benches::nesting::{Depth1, Depth4, Depth16, Nest};
use async_with_benches::probe::{self, Request, future_size, size_line};
use async_with_benches::runtime::Opaque;
use async_with_benches::workload::{boxed_vec, exit_stack};
use async_with_benches::{BenchRuntime, ForEachRuntime, Runtimes};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group};

/// Something done once per nesting depth the group measures.
trait PerDepth {
    /// Every construct but generator-style at depth `N`.
    fn constructs<N: Nest>(&mut self);
    /// Generator-style at depth `N`: separate because deep generator nesting
    /// is by far the slowest code to compile (see the `quick` feature).
    fn generator<N: Nest>(&mut self);
}

/// The depths of the group: the benchmarks and the probes cover the same.
fn for_each_depth(per_depth: &mut impl PerDepth) {
    per_depth.constructs::<Depth1>();
    per_depth.generator::<Depth1>();
    per_depth.constructs::<Depth4>();
    per_depth.generator::<Depth4>();
    per_depth.constructs::<Depth16>();
    #[cfg(not(feature = "quick"))]
    {
        use async_with_benches::nesting::Depth64;
        per_depth.generator::<Depth16>();
        per_depth.constructs::<Depth64>();
        per_depth.generator::<Depth64>();
    }
}

struct Overhead<'g, 'c, R> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    runtime: R,
}

impl<R: BenchRuntime> PerDepth for Overhead<'_, '_, R> {
    fn constructs<N: Nest>(&mut self) {
        let runtime = self.runtime;
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
        self.group
            .bench_function(id("same-guarantees-by-hand"), |b| {
                b.to_async(runtime)
                    .iter(move || Opaque::new(nest.same_guarantees_by_hand(black_box(1))))
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

    fn generator<N: Nest>(&mut self) {
        let runtime = self.runtime;
        let nest = &N::default();
        let id = BenchmarkId::new(format!("{}/generator", runtime.name()), N::DEPTH);
        self.group.bench_function(id, |b| {
            b.to_async(runtime)
                .iter(move || Opaque::new(nest.generator(black_box(1))))
        });
    }
}

struct EachRuntime<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
}

impl ForEachRuntime for EachRuntime<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        for_each_depth(&mut Overhead {
            group: self.group,
            runtime,
        });
    }
}

fn overhead(c: &mut Criterion) {
    let runtimes = Runtimes::new();
    let mut group = c.benchmark_group("overhead");
    runtimes.for_each(&mut EachRuntime { group: &mut group });
    group.finish();
}

/// Prints the size of every nesting's future (`PROBE=sizes`).
struct Sizes;

impl PerDepth for Sizes {
    fn constructs<N: Nest>(&mut self) {
        let nest = &N::default();
        for (construct, bytes) in [
            ("hand-written", future_size(nest.hand_written(1))),
            (
                "panic-safe-by-hand",
                future_size(nest.hand_written_panic_safe(1)),
            ),
            (
                "same-guarantees-by-hand",
                future_size(nest.same_guarantees_by_hand(1)),
            ),
            ("with", future_size(nest.with(1))),
        ] {
            println!("{}", size_line(construct, N::DEPTH, bytes));
        }
    }

    fn generator<N: Nest>(&mut self) {
        let bytes = future_size(N::default().generator(1));
        println!("{}", size_line("generator", N::DEPTH, bytes));
    }
}

/// Runs one construct at one depth in a loop (`PROBE=run ...`), for callgrind.
struct Run<'a> {
    construct: &'a str,
    depth: u64,
    iterations: u64,
    found: bool,
}

impl Run<'_> {
    fn wants<N: Nest>(&self, construct: &str) -> bool {
        self.construct == construct && self.depth == N::DEPTH as u64
    }
}

impl PerDepth for Run<'_> {
    fn constructs<N: Nest>(&mut self) {
        let nest = &N::default();
        let iterations = self.iterations;
        let entries = N::DEPTH as u64;
        if self.wants::<N>("hand-written") {
            probe::run(iterations, || nest.hand_written(black_box(1)));
        } else if self.wants::<N>("panic-safe-by-hand") {
            probe::run(iterations, || nest.hand_written_panic_safe(black_box(1)));
        } else if self.wants::<N>("same-guarantees-by-hand") {
            probe::run(iterations, || nest.same_guarantees_by_hand(black_box(1)));
        } else if self.wants::<N>("with") {
            probe::run(iterations, || nest.with(black_box(1)));
        } else if self.wants::<N>("boxed-vec") {
            probe::run(iterations, || boxed_vec(black_box(entries)));
        } else if self.wants::<N>("exit-stack") {
            probe::run(iterations, || exit_stack(black_box(entries)));
        } else {
            return;
        }
        self.found = true;
    }

    fn generator<N: Nest>(&mut self) {
        if self.wants::<N>("generator") {
            let nest = &N::default();
            probe::run(self.iterations, || nest.generator(black_box(1)));
            self.found = true;
        }
    }
}

criterion_group!(benches, overhead);

fn main() {
    match Request::from_env() {
        None => {
            // What `criterion_main!` expands to.
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
        Some(Request::Sizes) => for_each_depth(&mut Sizes),
        Some(Request::Run {
            construct,
            depth,
            iterations,
        }) => {
            let mut run = Run {
                construct: &construct,
                depth,
                iterations,
                found: false,
            };
            for_each_depth(&mut run);
            if !run.found {
                eprintln!("no `{construct}` at depth {depth} in this build");
                std::process::exit(2);
            }
        }
    }
}
