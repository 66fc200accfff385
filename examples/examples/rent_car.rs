//! Renting a car: a generator-style context whose setup and cleanup really
//! take time, and the same resource written as a struct with `enter`/`exit`.
//!
//! Mirrors the first tutorial's `rent_car` (one second of the Python is 100 ms
//! here, so the example stays quick):
//!
//! ```python
//! @asynccontextmanager
//! async def rent_car(name):
//!     print(f"Preparing car {name} for you...")
//!     await asyncio.sleep(1)
//!     print(f"Filling up gas for {name}...")
//!     await asyncio.sleep(1)
//!     print(f"Paperwork for {name} done!")
//!     yield name
//!     print(f"Returning {name}...")
//!     await asyncio.sleep(1)
//!     print(f"Cleaning up {name} for the next customer.")
//! ```
//!
//! and the last tutorial's exercise, `class AsyncResource` with `__aenter__`
//! ("Acquiring resource..."), `use()` and `__aexit__` ("Releasing resource...").
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example rent_car -- --runtime async-std
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use async_io::Timer;
use async_with::{AsyncContext, Error, Exit, Outcome, With, context, with};

/// One second of the Python tutorial.
const SECOND: Duration = Duration::from_millis(100);

/// Python's `@asynccontextmanager async def rent_car(name)`.
fn rent_car(name: &'static str) -> impl With<Resource = &'static str> {
    context(async move |scope| {
        println!("Preparing car {name} for you...");
        Timer::after(SECOND).await;
        println!("Filling up gas for {name}...");
        Timer::after(SECOND).await;
        println!("Paperwork for {name} done!");

        let (car, _outcome) = scope.yield_(name).await;

        println!("Returning {car}...");
        Timer::after(SECOND).await;
        println!("Cleaning up {car} for the next customer.");
        Ok(())
    })
}

/// Python's `class AsyncResource` with `__aenter__`/`__aexit__`.
struct AsyncResource;

/// What the block holds while the resource is acquired.
struct Acquired;

impl Acquired {
    async fn use_it(&self) {
        println!("Using the resource...");
        Timer::after(SECOND).await;
    }
}

impl AsyncContext for AsyncResource {
    type Resource = Acquired;

    async fn enter(&mut self) -> Result<Acquired, Error> {
        println!("Acquiring resource...");
        Timer::after(SECOND).await;
        println!("Resource acquired.");
        Ok(Acquired)
    }

    async fn exit(self, _resource: Acquired, _outcome: Outcome) -> Result<Exit, Error> {
        println!("Releasing resource...");
        Timer::after(SECOND).await;
        println!("Resource released.");
        Ok(Exit::Propagate)
    }
}

fn main() -> ExitCode {
    async_with_examples::run(async |_runtime| {
        let started = Instant::now();
        with(rent_car("Tesla"), async |car| {
            println!("Driving the {car} around town");
            Timer::after(2 * SECOND).await;
            println!("Had fun with the {car}!");
            Ok(())
        })
        .await?;
        // Two seconds of setup, two of driving, one of cleanup.
        println!("rental took {} ms", started.elapsed().as_millis());

        let started = Instant::now();
        with(AsyncResource, async |resource| {
            resource.use_it().await;
            Ok(())
        })
        .await?;
        println!("resource held for {} ms", started.elapsed().as_millis());
        Ok(())
    })
}
