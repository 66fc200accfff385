//! An SQLite connection whose blocking calls run on a blocking thread.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use async_with::{AsyncClose, Error};

/// An open SQLite database (rusqlite, SQLite bundled). Every call runs on a
/// blocking thread (`blocking::unblock`), so no executor thread ever waits on
/// the disk.
///
/// It is [`AsyncClose`]: `closing(db)` closes it when a block ends.
///
/// # Examples
///
/// ```
/// use async_with::{AsyncClose, closing, with};
/// use async_with_examples::sqlite::Database;
///
/// # futures_lite::future::block_on(async {
/// let dir = tempfile::tempdir()?;
/// let db = Database::open(dir.path().join("app.db")).await?;
/// let answer = with(closing(db), async |db| {
///     db.call(|sql| sql.query_row("SELECT 6 * 7", [], |row| row.get::<_, i64>(0))).await
/// })
/// .await?;
/// assert_eq!(answer, 42);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
pub struct Database {
    connection: Arc<Mutex<rusqlite::Connection>>,
}

impl Database {
    /// Opens (or creates) the database file at `path`.
    ///
    /// # Examples
    ///
    /// See [`Database`].
    pub async fn open(path: impl Into<PathBuf>) -> Result<Database, Error> {
        let path = path.into();
        let connection = blocking::unblock(move || rusqlite::Connection::open(path)).await?;
        Ok(Database {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `call` with the connection on a blocking thread.
    ///
    /// # Examples
    ///
    /// See [`Database`].
    pub async fn call<T, F>(&self, call: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        let result = blocking::unblock(move || {
            let connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            call(&connection)
        })
        .await;
        Ok(result?)
    }

    /// Runs one or more SQL statements without parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures_lite::future::block_on(async {
    /// let db = async_with_examples::sqlite::Database::open(":memory:").await?;
    /// db.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1)").await?;
    /// # Ok::<(), async_with::Error>(()) }).unwrap();
    /// ```
    pub async fn execute(&self, sql: &str) -> Result<(), Error> {
        let sql = sql.to_string();
        self.call(move |connection| connection.execute_batch(&sql))
            .await
    }
}

impl AsyncClose for Database {
    /// Closes the connection, reporting what SQLite says on the way out.
    async fn close(self) -> Result<(), Error> {
        // A call whose future was dropped mid-way may still hold a clone on
        // its blocking thread.
        let connection = match Arc::try_unwrap(self.connection) {
            Ok(connection) => connection
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner),
            Err(_shared) => return Err(Error::msg("database closed while a call was running")),
        };
        blocking::unblock(move || connection.close().map_err(|(_connection, error)| error)).await?;
        Ok(())
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database").finish_non_exhaustive()
    }
}
