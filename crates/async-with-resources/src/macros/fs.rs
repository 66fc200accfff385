//! The macros of [`crate::fs`].

/// Implements [`Files`](crate::fs::Files) for the runtime marker `$binding`
/// with the file API that tokio, async-fs and async-std share:
/// `$fs::{File, OpenOptions}`, `OpenOptions::{new, read, write, create,
/// truncate, open}`, `File::sync_all`, and `flush` from the extension
/// trait `$write_ext`.
///
/// # Examples
///
/// The binding of the async-fs crate, then a file written through it:
///
/// ```
/// use async_with::with;
/// use futures_lite::AsyncWriteExt;
///
/// #[derive(Debug)]
/// struct AsyncFs;
///
/// async_with_resources::files!(AsyncFs: async_fs, futures_lite::AsyncWriteExt);
///
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("greeting.txt");
/// # futures_lite::future::block_on(async {
/// with(async_with_resources::fs::create::<AsyncFs>(&path), async |file| {
///     file.write_all(b"hello").await?;
///     Ok(())
/// })
/// .await?;
/// # Ok::<(), async_with::Error>(()) })?;
/// assert_eq!(std::fs::read(&path)?, b"hello");
/// # Ok::<(), async_with::BoxError>(())
/// ```
#[macro_export]
macro_rules! files {
    ($binding:path: $($fs:ident)::+, $($write_ext:ident)::+ $(,)?) => {
        impl $crate::fs::Files for $binding {
            type File = $($fs)::+::File;
            type OpenOptions = $($fs)::+::OpenOptions;

            fn create_options() -> Self::OpenOptions {
                let mut options = $($fs)::+::OpenOptions::new();
                options.write(true).create(true).truncate(true);
                options
            }

            fn read_options() -> Self::OpenOptions {
                let mut options = $($fs)::+::OpenOptions::new();
                options.read(true);
                options
            }

            async fn open(
                options: &Self::OpenOptions,
                path: &::std::path::Path,
            ) -> ::std::io::Result<Self::File> {
                options.open(path).await
            }

            async fn flush(file: &mut Self::File) -> ::std::io::Result<()> {
                use $($write_ext)::+ as _;
                file.flush().await
            }

            async fn sync_all(file: &Self::File) -> ::std::io::Result<()> {
                file.sync_all().await
            }
        }
    };
}

/// Defines, in a private module `$module`, an adapter's `fs` items for the
/// runtime marker `$binding` (which implements [`Files`](crate::fs::Files)
/// with `$options` as its options): `create`, `open`, `open_with` and
/// `Open`, as [`fs::create`](crate::fs::create), [`fs::open`](crate::fs::open),
/// [`fs::open_with`](crate::fs::open_with) and [`fs::Open`](crate::fs::Open)
/// with `$binding` filled in. The adapter re-exports each with its docs.
///
/// # Examples
///
/// ```
/// #[derive(Debug)]
/// pub struct AsyncFs;
/// async_with_resources::files!(AsyncFs: async_fs, futures_lite::AsyncWriteExt);
///
/// async_with_resources::fs_items!(mod bound for crate::AsyncFs, async_fs::OpenOptions);
///
/// /// A context that creates the file at `path` for writing (docs and
/// /// examples for this runtime go here).
/// pub use bound::create;
///
/// fn main() {
///     let ctx = create("report.csv");
///     assert_eq!(ctx.path(), std::path::Path::new("report.csv"));
/// }
/// ```
#[macro_export]
macro_rules! fs_items {
    (mod $module:ident for $binding:path, $options:ty $(,)?) => {
        mod $module {
            #[allow(missing_docs)]
            pub type Open = $crate::fs::Open<$binding>;

            #[allow(missing_docs)]
            #[doc(alias = "aiofiles.open")]
            pub fn create(path: impl AsRef<::std::path::Path>) -> Open {
                $crate::fs::create(path)
            }

            #[allow(missing_docs)]
            pub fn open(path: impl AsRef<::std::path::Path>) -> Open {
                $crate::fs::open(path)
            }

            #[allow(missing_docs)]
            pub fn open_with(options: $options, path: impl AsRef<::std::path::Path>) -> Open {
                $crate::fs::open_with(options, path)
            }
        }
    };
}
