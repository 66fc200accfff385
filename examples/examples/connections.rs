//! Connections A, B and C entered and exited in order: hand-nested `with`s,
//! a conditional entry, and a cleanup callback that runs first.
//!
//! Mirrors the first tutorial's connection scenarios:
//!
//! ```python
//! async def get_connection(name):
//!     class ctx:
//!         async def __aenter__(self): print(f"ENTER {name}"); return name
//!         async def __aexit__(self, *exc): print(f"EXIT {name}")
//!     return ctx()
//!
//! async with await get_connection("A") as a:
//!     async with await get_connection("B") as b:
//!         async with await get_connection("C") as c:
//!             print(f"Using connections: {a}, {b}, and {c}")
//! ```
//!
//! and the `@asynccontextmanager` version (`make_connection`), then
//! `if a == "A": b = await stack.enter_async_context(...)` with
//! `stack.push_async_callback(custom_cleanup)` written as nesting: the
//! callback becomes the innermost context, so it runs first.
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example connections -- --runtime smol
//! ```
//!
//! (`--runtime` takes `tokio`, `smol` or `async-std`; tokio is the default.)

use std::process::ExitCode;

use async_with::{AsyncContext, Error, Exit, Outcome, With, context, defer, with};

/// Python's `get_connection(name)`: a class with `__aenter__`/`__aexit__`.
struct Connection {
    name: &'static str,
}

fn get_connection(name: &'static str) -> Connection {
    Connection { name }
}

impl AsyncContext for Connection {
    type Resource = &'static str;

    async fn enter(&mut self) -> Result<&'static str, Error> {
        println!("ENTER {}", self.name);
        Ok(self.name)
    }

    async fn exit(self, _name: &'static str, _outcome: Outcome) -> Result<Exit, Error> {
        println!("EXIT {}", self.name);
        Ok(Exit::Propagate)
    }
}

/// Python's `@asynccontextmanager async def make_connection(name)`.
fn make_connection(name: &'static str) -> impl With<Resource = &'static str> {
    context(async move |scope| {
        println!("Making connection...{name}");
        let (name, _outcome) = scope.yield_(name).await;
        println!("Connection made! {name}");
        Ok(())
    })
}

async fn generator_style() -> Result<(), Error> {
    println!("== asynccontextmanager ==");
    with(make_connection("A"), async |a| {
        println!("Using connection: {a}");
        Ok(())
    })
    .await?;
    println!("Connection closed.");
    Ok(())
}

async fn nested() -> Result<(), Error> {
    println!("== nested ==");
    with(get_connection("A"), async |a| {
        with(get_connection("B"), async |b| {
            with(get_connection("C"), async |c| {
                println!("Using connections: {a}, {b}, and {c}");
                Ok(())
            })
            .await
        })
        .await
    })
    .await?;
    println!("All connections closed.");
    Ok(())
}

/// Enters B only when the first connection is "A"; the custom cleanup is the
/// innermost context, so it runs before every exit.
async fn conditional(first: &'static str) -> Result<(), Error> {
    println!("== conditional ({first}) ==");
    let custom_cleanup = async || {
        println!("Custom cleanup logic here.");
        Ok(())
    };
    with(get_connection(first), async |a| {
        if *a == "A" {
            with(get_connection("B"), async |b| {
                println!("Using connection: {a} and {b}");
                with(defer(custom_cleanup), async |()| {
                    println!("Doing with {a} and {b}");
                    Ok(())
                })
                .await
            })
            .await
        } else {
            with(defer(custom_cleanup), async |()| {
                println!("Doing with {a} and no B");
                Ok(())
            })
            .await
        }
    })
    .await
}

fn main() -> ExitCode {
    async_with_examples::run(async |_runtime| {
        generator_style().await?;
        nested().await?;
        conditional("A").await?;
        conditional("X").await?;
        Ok(())
    })
}
