//! Stack scaling: a dynamic stack of 10, 1,000 and 100,000 entries, entered
//! then unwound in LIFO order, on every runtime.
//!
//! Ids: `stack-scaling/<runtime>/<construct>/<entries>`, constructs:
//! - `boxed-vec`: the hand-written limit, a `Vec` of boxed cleanup futures
//!   popped and awaited one by one;
//! - `exit-stack`: `ExitStack` entering the same `Tick` contexts, then
//!   closed.
//!
//! Run: `cargo bench -p async-with-benches --bench stack`

use std::hint::black_box;

use async_with_benches::runtime::Opaque;
use async_with_benches::workload::{boxed_vec, exit_stack};
use async_with_benches::{BenchRuntime, ForEachRuntime, Runtimes};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};

const ENTRIES: [u64; 3] = [10, 1_000, 100_000];

struct StackScaling<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
}

impl ForEachRuntime for StackScaling<'_, '_> {
    fn run<R: BenchRuntime>(&mut self, runtime: R) {
        for entries in ENTRIES {
            let id = BenchmarkId::new(format!("{}/boxed-vec", runtime.name()), entries);
            self.group.bench_function(id, |b| {
                b.to_async(runtime)
                    .iter(|| Opaque::new(boxed_vec(black_box(entries))))
            });
            let id = BenchmarkId::new(format!("{}/exit-stack", runtime.name()), entries);
            self.group.bench_function(id, |b| {
                b.to_async(runtime)
                    .iter(|| Opaque::new(exit_stack(black_box(entries))))
            });
        }
    }
}

fn stack_scaling(c: &mut Criterion) {
    let runtimes = Runtimes::new();
    let mut group = c.benchmark_group("stack-scaling");
    runtimes.for_each(&mut StackScaling { group: &mut group });
    group.finish();
}

criterion_group!(benches, stack_scaling);
criterion_main!(benches);
