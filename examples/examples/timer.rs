//! Timing a block: the library's `timer` context, the same thing written as a
//! generator-style context, and a timer around a block that fails (it still
//! reports).
//!
//! Mirrors the third tutorial's `AsyncTimer`:
//!
//! ```python
//! class AsyncTimer:
//!     async def __aenter__(self):
//!         self.start = time.perf_counter(); return self
//!     async def __aexit__(self, exc_type, exc_val, exc_tb):
//!         print(f"Async elapsed: {time.perf_counter() - self.start:.2f}s")
//!
//! @asynccontextmanager
//! async def async_timer():
//!     start = time.perf_counter()
//!     yield
//!     print(f"Async elapsed: {time.perf_counter() - start:.2f}s")
//! ```
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example timer -- --runtime smol
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use async_io::Timer;
use async_with::{Error, With, context, timer, with};

const WORK: Duration = Duration::from_millis(150);

/// Python's `@asynccontextmanager async def async_timer()`.
fn async_timer(label: &'static str) -> impl With<Resource = ()> {
    context(async move |scope| {
        let start = Instant::now();
        let ((), outcome) = scope.yield_(()).await;
        let verdict = if outcome.is_success() { "ok" } else { "failed" };
        println!(
            "{label}: Async elapsed: {:.2}s ({verdict})",
            start.elapsed().as_secs_f64()
        );
        Ok(())
    })
}

fn main() -> ExitCode {
    async_with_examples::run(async |_runtime| {
        // The library's timer: Python's `AsyncTimer` class, ready-made.
        with(
            timer(|elapsed| println!("timer: Async elapsed: {:.2}s", elapsed.as_secs_f64())),
            async |watch| {
                Timer::after(WORK).await;
                let slept = watch.elapsed() >= WORK;
                println!("timer: the stopwatch shows the 150 ms sleep: {slept}");
                Ok(())
            },
        )
        .await?;

        with(async_timer("async_timer"), async |()| {
            Timer::after(WORK).await;
            Ok(())
        })
        .await?;

        // The exit runs whatever happened in the block.
        let failed = with(async_timer("failing block"), async |()| {
            Timer::after(WORK).await;
            Err::<(), _>(Error::msg("work failed"))
        })
        .await;
        if let Err(error) = failed {
            println!("the caller got: {error}");
        }
        Ok(())
    })
}
