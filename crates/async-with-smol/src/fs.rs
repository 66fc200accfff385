//! Files as contexts: the bytes are flushed and synced to disk on exit.
//!
//! Python's `async with aiofiles.open(path, "w") as f:` closes the file at
//! the end of the block. A [`smol::fs::File`] dropped without a flush may
//! lose the last write silently (it writes on a background thread), so the
//! exit here flushes, calls [`sync_all`](smol::fs::File::sync_all), and
//! only then closes, reporting any error on the way.

use std::io;
use std::path::{Path, PathBuf};

use async_with::{AsyncContext, Error, Exit, Outcome};
use smol::fs::{File, OpenOptions};
use smol::io::AsyncWriteExt;

/// A context that creates (or truncates) the file at `path` for writing.
///
/// The block gets the [`smol::fs::File`]. The exit flushes it, syncs it to
/// disk and closes it; see [`Open`] for what happens on errors.
///
/// # Examples
///
/// ```
/// use async_with_smol::with;
/// use smol::io::AsyncWriteExt;
///
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("greeting.txt");
/// # smol::block_on(async {
/// with(async_with_smol::fs::create(&path), async |file| {
///     file.write_all(b"hello").await?; // no flush needed
///     Ok(())
/// })
/// .await?;
/// assert_eq!(std::fs::read(&path)?, b"hello");
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
#[doc(alias = "aiofiles.open")]
pub fn create(path: impl AsRef<Path>) -> Open {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    open_with(options, path)
}

/// A context that opens the file at `path` for reading.
///
/// Nothing is written through it, so its exit only closes the file (no sync;
/// [`Open::sync_on_exit`] turns it on).
///
/// # Examples
///
/// ```
/// use async_with_smol::with;
/// use smol::io::AsyncReadExt;
///
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("notes.txt");
/// std::fs::write(&path, "remember the milk")?;
/// # smol::block_on(async {
/// let text = with(async_with_smol::fs::open(&path), async |file| {
///     let mut text = String::new();
///     file.read_to_string(&mut text).await?;
///     Ok(text)
/// })
/// .await?;
/// assert_eq!(text, "remember the milk");
/// # Ok::<(), async_with::Error>(()) })?;
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub fn open(path: impl AsRef<Path>) -> Open {
    let mut options = OpenOptions::new();
    options.read(true);
    open_with(options, path).sync_on_exit(false)
}

/// A context that opens the file at `path` with `options` (append, create
/// new, read and write, ...). Its exit flushes, syncs and closes.
///
/// # Examples
///
/// ```
/// use async_with_smol::with;
/// use smol::fs::OpenOptions;
/// use smol::io::AsyncWriteExt;
///
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("log.txt");
/// std::fs::write(&path, "one\n")?;
/// let mut append = OpenOptions::new();
/// append.append(true);
/// # smol::block_on(async {
/// with(async_with_smol::fs::open_with(append, &path), async |log| {
///     log.write_all(b"two\n").await?;
///     Ok(())
/// })
/// .await?;
/// # Ok::<(), async_with::Error>(()) })?;
/// assert_eq!(std::fs::read_to_string(&path)?, "one\ntwo\n");
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub fn open_with(options: OpenOptions, path: impl AsRef<Path>) -> Open {
    Open {
        options,
        path: path.as_ref().to_path_buf(),
        sync: true,
    }
}

/// The context [`create`], [`open`] and [`open_with`] return: a file opened
/// on enter and flushed, synced and closed on exit.
///
/// - **Enter** opens the file; an error (not found, permission denied) is the
///   [`std::io::Error`] itself, and no exit runs.
/// - **Exit** runs whatever the block's outcome (success, error, panic,
///   cancellation through a runtime policy): it flushes the file, then calls
///   [`File::sync_all`] (unless turned off), then closes it. Data the block
///   wrote therefore reaches the disk even when the block failed; a block
///   that must not leave partial data should write to a temporary file and
///   rename it on success.
/// - **Errors**: a failed flush or sync is the exit's error, an
///   [`std::io::Error`] that joins the block's own error in the aggregate
///   ([`Error::errors`]: the block's first). When both fail, both are kept,
///   flush first. The exit never suppresses.
/// - **Cancellation**: with this crate's [`with`](crate::with), a scope
///   dropped mid-way still runs this exit, on smol. Through the core's
///   `async_with::with` (no runtime) the file is dropped unflushed:
///   a write still buffered may be lost, and so is
///   its error.
///
/// # Examples
///
/// The block's error and the file's both reach the caller (`/dev/full`
/// accepts the write, then fails the flush):
///
/// ```no_run
/// use async_with_smol::{Error, with};
/// use smol::fs::OpenOptions;
/// use smol::io::AsyncWriteExt;
///
/// # smol::block_on(async {
/// let mut write = OpenOptions::new();
/// write.write(true);
/// let error = with(async_with_smol::fs::open_with(write, "/dev/full"), async |file| {
///     file.write_all(b"lost").await?;
///     Err::<(), _>(Error::msg("parse failed"))
/// })
/// .await
/// .unwrap_err();
/// assert_eq!(error.errors().next().unwrap().to_string(), "parse failed");
/// assert!(error.len() >= 2); // the flush failed too
/// # Ok::<(), Error>(()) }).unwrap();
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Open {
    options: OpenOptions,
    path: PathBuf,
    sync: bool,
}

impl Open {
    /// Whether the exit calls [`File::sync_all`] after the flush (default:
    /// yes, except for [`open`]). Turning it off trades durability across a
    /// power loss for speed; the flush still runs.
    ///
    /// # Examples
    ///
    /// ```
    /// let scratch = async_with_smol::fs::create("/tmp/scratch.bin").sync_on_exit(false);
    /// # drop(scratch);
    /// ```
    pub fn sync_on_exit(mut self, sync: bool) -> Self {
        self.sync = sync;
        self
    }

    /// The path this context opens.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = async_with_smol::fs::open("Cargo.toml");
    /// assert_eq!(ctx.path(), std::path::Path::new("Cargo.toml"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl AsyncContext for Open {
    type Resource = File;

    async fn enter(&mut self) -> Result<File, Error> {
        Ok(self.options.open(&self.path).await?)
    }

    async fn exit(self, mut file: File, _outcome: Outcome) -> Result<Exit, Error> {
        let flushed = file.flush().await;
        let synced = if self.sync {
            file.sync_all().await
        } else {
            Ok(())
        };
        drop(file);
        both(flushed, synced)?;
        Ok(Exit::Propagate)
    }
}

/// Keeps both errors when both steps failed, the first one first.
fn both(first: io::Result<()>, second: io::Result<()>) -> Result<(), Error> {
    match (first, second) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(error), Ok(())) | (Ok(()), Err(error)) => Err(error.into()),
        (Err(first), Err(second)) => {
            let mut error = Error::from(first);
            error.push(second.into());
            Err(error)
        }
    }
}
