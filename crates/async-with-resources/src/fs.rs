//! Files as contexts: the bytes are flushed and synced to disk on exit.
//!
//! Python's `async with aiofiles.open(path, "w") as f:` closes the file at
//! the end of the block. An async runtime's file dropped without a flush may
//! lose the last write silently (the runtime writes on a background
//! thread), so [`Open`]'s exit flushes, syncs, and only then closes,
//! reporting any error on the way.

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use async_with::{AsyncContext, Error, Exit, Outcome};

/// A runtime's files: the calls [`Open`] makes. Implemented by each
/// adapter's runtime marker for its file type.
///
/// # Examples
///
/// The binding of the runtime-agnostic `async-fs` crate (the smol
/// adapter's):
///
/// ```
/// use std::io;
/// use std::path::Path;
/// use async_fs::{File, OpenOptions};
/// use async_with_resources::fs::{self, Files};
/// use futures_lite::AsyncWriteExt;
///
/// #[derive(Debug)]
/// struct AsyncFs;
///
/// impl Files for AsyncFs {
///     type File = File;
///     type OpenOptions = OpenOptions;
///
///     fn create_options() -> OpenOptions {
///         let mut options = OpenOptions::new();
///         options.write(true).create(true).truncate(true);
///         options
///     }
///
///     fn read_options() -> OpenOptions {
///         let mut options = OpenOptions::new();
///         options.read(true);
///         options
///     }
///
///     async fn open(options: &OpenOptions, path: &Path) -> io::Result<File> {
///         options.open(path).await
///     }
///
///     async fn flush(file: &mut File) -> io::Result<()> {
///         file.flush().await
///     }
///
///     async fn sync_all(file: &File) -> io::Result<()> {
///         file.sync_all().await
///     }
/// }
///
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("greeting.txt");
/// # futures_lite::future::block_on(async {
/// async_with::with(fs::create::<AsyncFs>(&path), async |file| {
///     file.write_all(b"hello").await?;
///     Ok(())
/// })
/// .await?;
/// # Ok::<(), async_with::Error>(()) })?;
/// assert_eq!(std::fs::read(&path)?, b"hello");
/// # Ok::<(), async_with::BoxError>(())
/// ```
pub trait Files: 'static {
    /// The runtime's file.
    type File: Send + 'static;

    /// The runtime's options to open a file with.
    type OpenOptions: fmt::Debug + Send + Sync + 'static;

    /// Options that create the file, or truncate it, for writing.
    fn create_options() -> Self::OpenOptions;

    /// Options that open an existing file for reading.
    fn read_options() -> Self::OpenOptions;

    /// Opens the file at `path` with `options`.
    fn open(
        options: &Self::OpenOptions,
        path: &Path,
    ) -> impl Future<Output = io::Result<Self::File>> + Send;

    /// Writes out what the runtime still buffers for `file`.
    fn flush(file: &mut Self::File) -> impl Future<Output = io::Result<()>> + Send;

    /// Waits for the operating system to have `file`'s data and metadata on
    /// disk (`fsync`).
    fn sync_all(file: &Self::File) -> impl Future<Output = io::Result<()>> + Send;
}

/// A context that creates (or truncates) the file at `path` for writing,
/// on runtime `B`. Adapters expose it as `fs::create`.
///
/// # Examples
///
/// ```
/// use async_with_resources::fs::{self, Files, Open};
///
/// fn report<B: Files>() -> Open<B> {
///     fs::create("report.csv")
/// }
/// ```
pub fn create<B: Files>(path: impl AsRef<Path>) -> Open<B> {
    open_with(B::create_options(), path)
}

/// A context that opens the file at `path` for reading, on runtime `B`.
/// Nothing is written through it, so its exit only closes the file (no
/// sync; [`Open::sync_on_exit`] turns it on). Adapters expose it as
/// `fs::open`.
///
/// # Examples
///
/// ```
/// use async_with_resources::fs::{self, Files, Open};
///
/// fn settings<B: Files>() -> Open<B> {
///     fs::open("settings.toml")
/// }
/// ```
pub fn open<B: Files>(path: impl AsRef<Path>) -> Open<B> {
    open_with(B::read_options(), path).sync_on_exit(false)
}

/// A context that opens the file at `path` with `options`, on runtime `B`;
/// its exit flushes, syncs and closes. Adapters expose it as
/// `fs::open_with`.
///
/// # Examples
///
/// ```
/// use async_with_resources::fs::{self, Files, Open};
///
/// fn log<B: Files>(append: B::OpenOptions) -> Open<B> {
///     fs::open_with(append, "log.txt")
/// }
/// ```
pub fn open_with<B: Files>(options: B::OpenOptions, path: impl AsRef<Path>) -> Open<B> {
    Open {
        options,
        path: path.as_ref().to_path_buf(),
        sync: true,
        binding: PhantomData,
    }
}

/// A file opened on enter and flushed, synced and closed on exit, on
/// runtime `B` ([`create`], [`open`], [`open_with`]).
///
/// - **Enter** opens the file; an error (not found, permission denied) is the
///   [`std::io::Error`] itself, and no exit runs.
/// - **Exit** runs whatever the block's outcome (success, error, panic,
///   cancellation through a runtime policy): it flushes the file, then syncs
///   it ([`Files::sync_all`], unless turned off), then closes it. Data the
///   block wrote therefore reaches the disk even when the block failed; a
///   block that must not leave partial data should write to a temporary
///   file and rename it on success.
/// - **Errors**: a failed flush or sync is the exit's error, an
///   [`std::io::Error`] that joins the block's own error in the aggregate
///   ([`Error::errors`]: the block's first). When both fail, both are kept,
///   flush first. The exit never suppresses.
///
/// # Examples
///
/// ```
/// use async_with_resources::fs::{self, Files, Open};
///
/// fn scratch<B: Files>() -> Open<B> {
///     fs::create("scratch.bin").sync_on_exit(false)
/// }
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Open<B: Files> {
    options: B::OpenOptions,
    path: PathBuf,
    sync: bool,
    binding: PhantomData<fn() -> B>,
}

// By hand: the binding marker need not be `Debug`.
impl<B: Files> fmt::Debug for Open<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Open")
            .field("options", &self.options)
            .field("path", &self.path)
            .field("sync", &self.sync)
            .finish()
    }
}

impl<B: Files> Open<B> {
    /// Whether the exit syncs the file to disk after the flush (default:
    /// yes, except for [`open`]). Turning it off trades durability across a
    /// power loss for speed; the flush still runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_resources::fs::{self, Files, Open};
    ///
    /// fn scratch<B: Files>() -> Open<B> {
    ///     fs::create("scratch.bin").sync_on_exit(false)
    /// }
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
    /// use std::path::Path;
    /// use async_with_resources::fs::{Files, Open};
    ///
    /// fn is_config<B: Files>(ctx: &Open<B>) -> bool {
    ///     ctx.path().extension() == Some("toml".as_ref())
    /// }
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl<B: Files> AsyncContext for Open<B> {
    type Resource = B::File;

    async fn enter(&mut self) -> Result<B::File, Error> {
        Ok(B::open(&self.options, &self.path).await?)
    }

    async fn exit(self, mut file: B::File, _outcome: Outcome) -> Result<Exit, Error> {
        let flushed = B::flush(&mut file).await;
        let synced = if self.sync {
            B::sync_all(&file).await
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
