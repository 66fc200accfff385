//! A database connection and a transaction that commits when its block
//! succeeds and rolls back when it fails, on a real SQLite file; then the
//! table is read again, over a fresh connection, to prove which rows survived.
//!
//! Mirrors the tutorials' database scenarios:
//!
//! ```python
//! class AsyncDatabaseConnection:
//!     async def __aenter__(self):
//!         print("Connecting to the database..."); ...; print("Connected.")
//!     async def __aexit__(self, exc_type, exc_val, exc_tb):
//!         print("Disconnecting from the database..."); ...; print("Disconnected.")
//!
//! @asynccontextmanager
//! async def database_transaction():
//!     print("Starting transaction")
//!     try:
//!         yield "transaction"
//!     except Exception:
//!         print("Rolling back transaction"); raise
//!     else:
//!         print("Committing transaction")
//! ```
//!
//! SQLite is blocking: every call runs on a blocking thread
//! (`blocking::unblock`), so the executor never stalls.
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example transaction -- --runtime tokio
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use async_with::{AsyncClose, AsyncContext, Error, Exit, Outcome, with};
use async_with_examples::sqlite::Database;

/// Python's `AsyncDatabaseConnection`: connects on enter, disconnects on exit.
struct DatabaseConnection {
    path: PathBuf,
}

impl AsyncContext for DatabaseConnection {
    type Resource = Database;

    async fn enter(&mut self) -> Result<Database, Error> {
        println!("Connecting to the database...");
        let db = Database::open(&self.path).await?;
        db.execute("CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY)")
            .await?;
        println!("Connected.");
        Ok(db)
    }

    async fn exit(self, db: Database, _outcome: Outcome) -> Result<Exit, Error> {
        println!("Disconnecting from the database...");
        db.close().await?;
        println!("Disconnected.");
        Ok(Exit::Propagate)
    }
}

/// Python's `db.query("SELECT * FROM users")`.
async fn user_names(db: &Database) -> Result<Vec<String>, Error> {
    db.call(|connection| {
        let mut statement = connection.prepare("SELECT name FROM users ORDER BY rowid")?;
        let names = statement.query_map([], |row| row.get(0))?;
        names.collect()
    })
    .await
}

/// Python's `database_transaction()`: `BEGIN` on enter; `COMMIT` when the
/// block succeeded, `ROLLBACK` otherwise.
struct Transaction<'db> {
    db: &'db Database,
}

/// What a transaction's block works with.
struct Tx<'db> {
    db: &'db Database,
}

impl Tx<'_> {
    async fn add_user(&self, name: &str) -> Result<(), Error> {
        println!("INSERT {name}");
        let name = name.to_string();
        self.db
            .call(move |connection| connection.execute("INSERT INTO users VALUES (?1)", [name]))
            .await?;
        Ok(())
    }
}

impl<'db> AsyncContext for Transaction<'db> {
    type Resource = Tx<'db>;

    async fn enter(&mut self) -> Result<Tx<'db>, Error> {
        println!("ENTER transaction: BEGIN");
        self.db.execute("BEGIN").await?;
        Ok(Tx { db: self.db })
    }

    async fn exit(self, tx: Tx<'db>, outcome: Outcome) -> Result<Exit, Error> {
        match outcome {
            Outcome::Success => {
                tx.db.execute("COMMIT").await?;
                println!("EXIT transaction: COMMIT");
            }
            failed => {
                tx.db.execute("ROLLBACK").await?;
                match failed.error() {
                    Some(error) => println!("EXIT transaction: ROLLBACK ({error})"),
                    None => println!("EXIT transaction: ROLLBACK"),
                }
            }
        }
        Ok(Exit::Propagate)
    }
}

async fn show_rows(path: &Path) -> Result<(), Error> {
    let path = path.to_path_buf();
    with(DatabaseConnection { path }, async |db| {
        let names = user_names(db).await?;
        println!("rows: {}", names.join(", "));
        Ok(())
    })
    .await
}

fn main() -> ExitCode {
    async_with_examples::run(async |_runtime| {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("app.db");

        with(DatabaseConnection { path: path.clone() }, async |db| {
            println!("== a transaction that succeeds ==");
            with(Transaction { db }, async |tx| {
                tx.add_user("ada").await?;
                tx.add_user("grace").await
            })
            .await?;

            println!("== a transaction that fails ==");
            let failed = with(Transaction { db }, async |tx| {
                tx.add_user("linus").await?;
                tx.add_user("ada").await // already there: UNIQUE constraint
            })
            .await;
            match failed {
                Err(error) => println!("the caller got: {error}"),
                Ok(()) => println!("the caller got no error"),
            }
            Ok(())
        })
        .await?;

        println!("== reconnecting to read what survived ==");
        show_rows(&path).await
    })
}
