//! Connections A, B and C entered and exited in order: hand-nested `with`s and
//! the same on an `ExitStack`, a loop over a list of names, a conditional
//! entry, and a cleanup callback that runs first.
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
//! the `@asynccontextmanager` version (`make_connection`), and the
//! `AsyncExitStack` versions:
//!
//! ```python
//! async with AsyncExitStack() as stack:
//!     a = await stack.enter_async_context(await get_connection("A"))
//!     if a == "A":
//!         b = await stack.enter_async_context(await get_connection("B"))
//!     stack.push_async_callback(custom_cleanup)
//!     print(f"Doing with {a} and {b if 'b' in locals() else 'no B'}")
//! ```
//!
//! `async with AsyncExitStack() as stack:` is `ExitStack::new().scope(async
//! |stack| ...)`: `stack.enter(cm)` is `enter_async_context`, and its
//! resources can be held side by side. The conditional scenario is written
//! twice: nested (the callback becomes the innermost context, so it runs
//! first) and on a stack (the callback is pushed last, so it runs first).
//! Both print the same events.
//!
//! Last, a pool that keeps its connections once all of them opened
//! (Python's `self._stack = stack.pop_all()` idiom is
//! `ExitStack::new().setup(..)`) and reaches each one later through a
//! handle, until the pool is closed.
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example connections -- --runtime smol
//! ```
//!
//! (`--runtime` takes `tokio`, `smol` or `async-std`; tokio is the default.)

use std::process::ExitCode;

use async_with::{AsyncContext, Error, Exit, ExitStack, Outcome, With, context, defer, with};

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

// Its exit future is `Send`, so a `Send` `ExitStack` can hold it.

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

/// `async with AsyncExitStack() as stack`: the same three connections, flat.
async fn on_a_stack() -> Result<(), Error> {
    println!("== stack ==");
    ExitStack::new()
        .scope(async |stack| {
            let a = stack.enter(get_connection("A")).await?;
            let b = stack.enter(get_connection("B")).await?;
            let c = stack.enter(get_connection("C")).await?;
            println!("Using connections: {a}, {b}, and {c}");
            Ok(())
        })
        .await?;
    println!("All connections closed.");
    Ok(())
}

/// As many connections as there are names, known only at run time.
async fn in_a_loop(names: &[&'static str]) -> Result<(), Error> {
    println!("== loop ==");
    ExitStack::new()
        .scope(async |stack| {
            let mut connections = Vec::new();
            for &name in names {
                connections.push(*stack.enter(get_connection(name)).await?);
            }
            println!("Using: {connections:?}");
            Ok(())
        })
        .await
}

/// The tutorial's last program: B only if A, and a callback pushed last.
async fn conditional_on_a_stack(first: &'static str) -> Result<(), Error> {
    println!("== conditional on a stack ({first}) ==");
    ExitStack::new()
        .scope(async |stack| {
            let a = *stack.enter(get_connection(first)).await?;
            let mut b = None;
            if a == "A" {
                let connection = *stack.enter(get_connection("B")).await?;
                println!("Using connection: {a} and {connection}");
                b = Some(connection);
            }
            stack.push_callback(|| async {
                println!("Custom cleanup logic here.");
                Ok(())
            });
            println!("Doing with {a} and {}", b.unwrap_or("no B"));
            Ok(())
        })
        .await
}

/// Python's `pop_all` idiom: the connections are kept once every one
/// opened (had one failed, those before it would have been closed), used
/// later through handles, and closed with the pool.
async fn kept_as_a_pool() -> Result<(), Error> {
    println!("== pool ==");
    let (mut pool, handles) = ExitStack::new()
        .setup(async |stack| {
            let mut handles = Vec::new();
            for name in ["A", "B"] {
                handles.push(stack.enter_handle(get_connection(name)).await?);
            }
            Ok(handles)
        })
        .await?;
    println!("Pool ready with {} connections", pool.len());
    for handle in &handles {
        let connection = pool.get_mut(handle).expect("open until the pool closes");
        println!("Query on {connection}");
    }
    pool.close().await?;
    println!("Pool closed.");
    Ok(())
}

fn main() -> ExitCode {
    async_with_examples::run(async |_runtime| {
        generator_style().await?;
        nested().await?;
        conditional("A").await?;
        conditional("X").await?;
        on_a_stack().await?;
        in_a_loop(&["A", "B", "C", "D"]).await?;
        conditional_on_a_stack("A").await?;
        conditional_on_a_stack("X").await?;
        kept_as_a_pool().await?;
        Ok(())
    })
}
