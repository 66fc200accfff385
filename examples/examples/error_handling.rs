//! How errors flow through a context: an error in setup (nothing to clean
//! up), an error in the block (the cleanup runs, the error reaches the caller
//! as its own type), suppressing one error type, and a cleanup that fails on
//! top of a failing block (both errors reach the caller).
//!
//! Mirrors the second tutorial's error handling section:
//!
//! ```python
//! @asynccontextmanager
//! async def error_handling_example():
//!     print("Entering context")
//!     try:
//!         yield "resource"
//!     except ValueError as e:
//!         print(f"Caught ValueError in context manager: {e}")
//!         return False
//!     except Exception as e:
//!         print(f"Caught other exception: {e}"); raise
//!     finally:
//!         print("Cleanup always happens")
//!
//! @asynccontextmanager
//! async def failing_setup():
//!     print("About to fail in setup...")
//!     raise RuntimeError("Setup failed!")
//!     yield "never reached"
//! ```
//!
//! plus `contextlib.suppress(ValueError)` and an `__aexit__` that raises
//! while another exception is pending (Python chains it in `__context__`;
//! here the caller gets both, oldest first, shown with `{:#}`).
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example error_handling -- --runtime tokio
//! ```

use std::fmt;
use std::process::ExitCode;

use async_with::{AllowSuppressed, Error, Outcome, With, Yield, context, suppress, with};

/// Python's `ValueError`.
#[derive(Debug)]
struct ValueError(&'static str);

/// Python's `RuntimeError`.
#[derive(Debug)]
struct RuntimeError(&'static str);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ValueError {}
impl std::error::Error for RuntimeError {}

/// Python's `error_handling_example()`.
fn error_handling_example() -> impl With<Resource = &'static str> {
    context(async |scope| {
        println!("Entering context");
        let (_resource, outcome) = scope.yield_("resource").await;
        match &outcome {
            Outcome::Failed(error) if error.is::<ValueError>() => {
                println!("Caught ValueError in context manager: {}", **error);
            }
            Outcome::Failed(error) => println!("Caught other exception: {}", **error),
            _ => {}
        }
        println!("Cleanup always happens");
        Ok(()) // let any error go on, like `return False` / `raise`
    })
}

/// Python's `failing_setup()`: fails before it yields, so nothing was entered
/// and there is nothing to clean up.
fn failing_setup() -> impl With<Resource = &'static str> {
    context(async |_scope: Yield<'_, &'static str>| {
        println!("About to fail in setup...");
        Err::<(), _>(RuntimeError("Setup failed!").into())
    })
}

/// A connection whose cleanup itself fails.
fn flaky_connection() -> impl With<Resource = &'static str> {
    context(async |scope| {
        println!("ENTER flaky connection");
        let (_connection, outcome) = scope.yield_("connection").await;
        println!(
            "EXIT flaky connection (block failed: {})",
            !outcome.is_success()
        );
        Err::<(), _>(Error::msg("rollback failed: connection lost"))
    })
}

fn main() -> ExitCode {
    async_with_examples::run(async |_runtime| {
        println!("=== No Exception ===");
        with(error_handling_example(), async |resource| {
            println!("Using {resource} normally");
            Ok(())
        })
        .await?;

        println!("=== Exception in with block ===");
        let result = with(error_handling_example(), async |resource| {
            println!("Using {resource}");
            Err::<(), _>(ValueError("Something went wrong!").into())
        })
        .await;
        match result.map_err(Error::downcast::<ValueError>) {
            Err(Ok(ValueError(message))) => println!("Exception propagated: {message}"),
            other => println!("unexpected: {other:?}"),
        }

        println!("=== Exception in setup ===");
        let result = with(failing_setup(), async |_resource| {
            println!("This won't execute");
            Ok(())
        })
        .await;
        if let Err(error) = result
            && error.is::<RuntimeError>()
        {
            println!("Setup exception caught: {error}");
        }

        println!("=== Suppressing one error type ===");
        // Python leaves a name bound in a suppressed block unbound: `None`.
        let value: Option<u32> = with(suppress::<ValueError>(), async |()| {
            Err(ValueError("bad value").into())
        })
        .await
        .allow_suppressed()?;
        println!("suppress(ValueError) swallowed a ValueError: block value {value:?}");
        let result = with(suppress::<ValueError>(), async |()| {
            Err::<u32, _>(RuntimeError("disk on fire").into())
        })
        .await;
        if let Err(error) = result {
            println!("suppress(ValueError) let a RuntimeError through: {error}");
        }
        let result = with(error_handling_example(), async |resource| {
            println!("Using {resource}");
            Err::<(), _>(RuntimeError("unexpected state").into())
        })
        .await;
        if let Err(error) = result {
            println!("Exception propagated: {error}");
        }

        println!("=== A failing cleanup on top of a failing block ===");
        let result = with(flaky_connection(), async |connection| {
            println!("querying over {connection}");
            Err::<(), _>(Error::msg("query failed: timeout"))
        })
        .await;
        if let Err(error) = result {
            println!("the caller got {} errors; the newest: {error}", error.len());
            println!("all of them, oldest first:\n{error:#}");
        }
        Ok(())
    })
}
