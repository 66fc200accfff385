//! A task group: several downloads from a local HTTP server run in parallel,
//! each in its own session context. When they all succeed, the group hands
//! back every result; when one fails, the others are cancelled, and each
//! cancelled download still runs its cleanup (its session is closed) before
//! the group returns the failure.
//!
//! Mirrors the second tutorial's concurrent requests over an HTTP session,
//! and the task groups the third one lists (`anyio.create_task_group()`,
//! Python 3.11's `asyncio.TaskGroup`):
//!
//! ```python
//! async with asyncio.TaskGroup() as tg:
//!     tasks = [tg.create_task(fetch_url(session, url)) for url in urls]
//! for i, task in enumerate(tasks):
//!     print(f"URL {i} returned {len(task.result())} characters")
//! ```
//!
//! The task group comes from the runtime adapter crates (`async-with-tokio`,
//! `async-with-smol`, `async-with-async-std`); the rest of the example is the
//! same on every runtime. Cancellation is cooperative: a cancelled download
//! stops at its next `.await`, and its session's exit runs inline, told the
//! `Cancelled` error.
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example task_group -- --runtime smol
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use async_with::{AsyncClose, Cancelled, Error, Outcome, Runtime, context, task_group, with};
use async_with_examples::RuntimeKind;
use async_with_examples::http::{HttpClient, LocalServer};

/// Python's `fetch_url(session, url)`, with the session as its own context:
/// opened on enter, closed on exit, however the download ended.
async fn download(
    runtime: RuntimeKind,
    server: SocketAddr,
    name: &'static str,
    path: &'static str,
) -> Result<String, Error> {
    let session = context(async move |scope| {
        let client = HttpClient::connect(runtime, server).await?;
        println!("ENTER download {name}");

        let (client, outcome) = scope.yield_(client).await;

        match &outcome {
            Outcome::Success => println!("EXIT download {name}: done"),
            Outcome::Failed(error) if error.is::<Cancelled>() => {
                println!("EXIT download {name}: cancelled");
            }
            Outcome::Failed(error) => println!("EXIT download {name}: failed ({})", **error),
            Outcome::Panicked | Outcome::Cancelled => println!("EXIT download {name}: dropped"),
        }
        client.close().await?;
        Ok(())
    });
    with(session, async |client| client.get(path).await).await
}

/// Every download succeeds: the group waits for all of them.
async fn all_succeed<R: Runtime>(
    spawner: R,
    runtime: RuntimeKind,
    server: SocketAddr,
) -> Result<(), Error> {
    println!("== every download succeeds ==");
    let files = [
        ("a", "/delay/30/alpha"),
        ("b", "/delay/20/bravo"),
        ("c", "/delay/10/charlie"),
    ];
    let handles = task_group(spawner, async |group| {
        Ok(files.map(|(name, path)| group.spawn(download(runtime, server, name, path))))
    })
    .await?;
    for (index, handle) in handles.into_iter().enumerate() {
        let body = handle.into_value().unwrap_or_default();
        println!("URL {index} returned {} characters", body.len());
    }
    Ok(())
}

/// One download fails: the group cancels the others and reports the failure.
async fn one_fails<R: Runtime>(
    spawner: R,
    runtime: RuntimeKind,
    server: SocketAddr,
) -> Result<(), Error> {
    println!("== one download fails ==");
    let files = [
        ("slow-1", "/delay/5000/slow-1"),
        ("slow-2", "/delay/5000/slow-2"),
        ("slow-3", "/delay/5000/slow-3"),
        ("broken", "/delay/500/status/404"),
    ];
    let result = task_group(spawner, async |group| {
        for (name, path) in files {
            group.spawn(download(runtime, server, name, path));
        }
        Ok(())
    })
    .await;
    match result {
        Ok(()) => println!("the group succeeded"),
        Err(error) => println!("the group failed with {} error(s): {error:#}", error.len()),
    }
    Ok(())
}

async fn downloads<R: Runtime>(spawner: R, runtime: RuntimeKind) -> Result<(), Error> {
    with(LocalServer::new(runtime), async |server| {
        all_succeed(spawner.clone(), runtime, server.addr()).await?;
        one_fails(spawner, runtime, server.addr()).await
    })
    .await
}

fn main() -> ExitCode {
    async_with_examples::run(async |runtime| match runtime {
        RuntimeKind::Tokio => downloads(async_with_tokio::Tokio, runtime).await,
        RuntimeKind::Smol => downloads(async_with_smol::Smol, runtime).await,
        RuntimeKind::AsyncStd => downloads(async_with_async_std::AsyncStd, runtime).await,
    })
}
