//! The "complex operation": a database transaction, a file lock and an HTTP
//! session, nested; entered in order and cleaned up in reverse, whether the
//! work succeeds or fails.
//!
//! Mirrors the second tutorial's nested context managers:
//!
//! ```python
//! async def complex_operation():
//!     async with database_transaction() as txn:
//!         async with file_lock("data.txt") as lock:
//!             async with http_session_manager() as session:
//!                 print(f"All resources ready: {txn}, {lock}, session")
//!                 await asyncio.sleep(0.5)
//!                 print("Complex operation complete")
//! ```
//!
//! Every resource is real: the transaction runs on an SQLite file, the lock
//! is a lock file created exclusively (`O_EXCL`) in a temporary directory and
//! removed on exit, and the session is a hyper HTTP/1.1 client connection to
//! a hyper server this example starts on `127.0.0.1:0`. The operation runs
//! twice: once successfully (its row is committed), once failing on an HTTP
//! 503 (rolled back); then the table and the lock file are checked.
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example complex_operation -- --runtime tokio
//! ```

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use async_with::{AsyncClose, Error, Outcome, With, closing, context, with};
use async_with_examples::RuntimeKind;
use async_with_examples::http::{HttpClient, LocalServer};
use async_with_examples::sqlite::Database;

/// Python's `database_transaction()`: `BEGIN`, then `COMMIT` if the block
/// succeeded, `ROLLBACK` otherwise.
fn database_transaction(db: &Database) -> impl With<Resource = &'static str> {
    context(async move |scope| {
        println!("Starting transaction");
        db.execute("BEGIN").await?;

        let (_txn, outcome) = scope.yield_("transaction").await;

        if outcome.is_success() {
            println!("Committing transaction");
            db.execute("COMMIT").await?;
        } else {
            println!("Rolling back transaction");
            db.execute("ROLLBACK").await?;
        }
        Ok(())
    })
}

/// Python's `file_lock(filename)`: a lock file next to `filename`, created
/// only if it does not exist yet, and removed on exit.
fn file_lock(filename: PathBuf) -> impl With<Resource = String> {
    context(async move |scope| {
        let name = display_name(&filename);
        println!("Acquiring lock on {name}");
        let lock_path = lock_path(&filename);
        let mut lock_file = async_fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock_path)
            .await?;
        futures_lite::AsyncWriteExt::write_all(
            &mut lock_file,
            std::process::id().to_string().as_bytes(),
        )
        .await?;
        lock_file.sync_all().await?;

        let (_lock, _outcome) = scope.yield_(format!("lock:{name}")).await;

        println!("Releasing lock on {name}");
        drop(lock_file);
        async_fs::remove_file(&lock_path).await?;
        Ok(())
    })
}

fn lock_path(filename: &Path) -> PathBuf {
    let mut lock = filename.as_os_str().to_owned();
    lock.push(".lock");
    PathBuf::from(lock)
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// Python's `http_session_manager()`: a session opened on enter, closed on
/// exit, reporting a failure of the block on the way.
fn http_session_manager(
    runtime: RuntimeKind,
    server: SocketAddr,
) -> impl With<Resource = HttpClient> {
    context(async move |scope| {
        println!("Creating HTTP session...");
        let session = HttpClient::connect(runtime, server).await?;
        println!("HTTP session ready");

        let (session, outcome) = scope.yield_(session).await;

        if let Outcome::Failed(error) = &outcome {
            println!("Error occurred in session: {}", **error);
        }
        println!("Closing HTTP session...");
        session.close().await?;
        println!("HTTP session closed");
        Ok(())
    })
}

/// Python's `complex_operation()`, fetching `path` and storing what it got.
async fn complex_operation(
    runtime: RuntimeKind,
    server: SocketAddr,
    db: &Database,
    data_file: &Path,
    path: &str,
) -> Result<(), Error> {
    with(database_transaction(db), async |txn| {
        with(file_lock(data_file.to_path_buf()), async |lock| {
            with(http_session_manager(runtime, server), async |session| {
                println!("All resources ready: {txn}, {lock}, session");
                let second = async_fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(lock_path(data_file))
                    .await;
                if let Err(error) = second
                    && error.kind() == io::ErrorKind::AlreadyExists
                {
                    println!("(a second acquire of the lock fails: it is held)");
                }
                let body = session.get(path).await?;
                println!("fetched {path}: {body}");
                db.call(move |sql| sql.execute("INSERT INTO reports VALUES (?1)", [body]))
                    .await?;
                println!("Complex operation complete");
                Ok(())
            })
            .await
        })
        .await
    })
    .await
}

fn main() -> ExitCode {
    async_with_examples::run(async |runtime| {
        let dir = tempfile::tempdir()?;
        let data_file = dir.path().join("data.txt");
        let db = Database::open(dir.path().join("app.db")).await?;
        db.execute("CREATE TABLE reports (body TEXT)").await?;

        with(LocalServer::new(runtime), async |server| {
            with(closing(db), async |db| {
                println!("== the operation succeeds ==");
                complex_operation(runtime, server.addr(), db, &data_file, "/delay/50/report-1")
                    .await?;

                println!("== the operation fails ==");
                let failed =
                    complex_operation(runtime, server.addr(), db, &data_file, "/status/503").await;
                if let Err(error) = failed {
                    println!("the caller got: {error}");
                }

                let rows = db
                    .call(|sql| {
                        let mut rows = sql.prepare("SELECT body FROM reports")?;
                        let rows = rows.query_map([], |row| row.get::<_, String>(0))?;
                        rows.collect::<Result<Vec<_>, _>>()
                    })
                    .await?;
                println!("rows: {}", rows.join(", "));
                println!("lock file left behind: {}", lock_path(&data_file).exists());
                Ok(())
            })
            .await
        })
        .await
    })
}
