#!/usr/bin/env python3
"""CPython reference for `cargo xtask bench`: the overhead micro-workload of
benches/benches/overhead.rs, written with contextlib.

Times, per entry (one enter plus one exit), at nesting depths 1, 4, 16, 64:
  async-with           a class with __aenter__/__aexit__ under `async with`
  asynccontextmanager  a generator-style context under `async with`
  AsyncExitStack       `depth` contexts entered on one AsyncExitStack
The enter derives a resource from a seed (seed * 31 + 1), the exit consumes
it, the innermost body reads it: the same work the Rust contexts do.

Prints one JSON object on stdout. Run: python3 contextlib_bench.py [--quick]
"""

import asyncio
import json
import platform
import sys
import time
from contextlib import AsyncExitStack, asynccontextmanager

DEPTHS = (1, 4, 16, 64)
MASK = (1 << 64) - 1


def enter_work(seed):
    return (seed * 31 + 1) & MASK


def exit_work(resource, success):
    return None


class Tick:
    __slots__ = ("seed", "resource")

    def __init__(self, seed):
        self.seed = seed

    async def __aenter__(self):
        self.resource = enter_work(self.seed)
        return self.resource

    async def __aexit__(self, exc_type, exc, tb):
        exit_work(self.resource, exc_type is None)
        return False


@asynccontextmanager
async def tick(seed):
    resource = enter_work(seed)
    success = True
    try:
        yield resource
    except BaseException:
        success = False
        raise
    finally:
        exit_work(resource, success)


async def nested_with(depth, seed):
    if depth == 0:
        return seed
    async with Tick(seed) as resource:
        return await nested_with(depth - 1, resource)


async def nested_generator(depth, seed):
    if depth == 0:
        return seed
    async with tick(seed) as resource:
        return await nested_generator(depth - 1, resource)


async def exit_stack(depth, seed):
    total = 0
    async with AsyncExitStack() as stack:
        for i in range(depth):
            total += await stack.enter_async_context(Tick(seed + i))
    return total


CONSTRUCTS = {
    "async-with": nested_with,
    "asynccontextmanager": nested_generator,
    "AsyncExitStack": exit_stack,
}


async def measure(run, depth, budget_s):
    """Best ns per entry over a few rounds of `budget_s` seconds each."""
    iterations = 1
    while True:  # calibrate: a round lasts about budget_s
        start = time.perf_counter_ns()
        for _ in range(iterations):
            await run(depth, 1)
        elapsed = time.perf_counter_ns() - start
        if elapsed > budget_s * 1e9 / 10:
            break
        iterations *= 2
    per_round = max(1, int(iterations * budget_s * 1e9 / max(elapsed, 1)))
    best = None
    for _ in range(5):
        start = time.perf_counter_ns()
        for _ in range(per_round):
            await run(depth, 1)
        ns = (time.perf_counter_ns() - start) / per_round / depth
        best = ns if best is None else min(best, ns)
    return best


async def main(quick):
    budget = 0.05 if quick else 0.4
    results = []
    for name, run in CONSTRUCTS.items():
        for depth in DEPTHS:
            ns = await measure(run, depth, budget)
            results.append({"construct": name, "depth": depth, "ns_per_entry": ns})
    return results


if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]
    results = asyncio.run(main(quick))
    print(json.dumps({
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "statistic": "best of 5 rounds",
        "results": results,
    }))
