//! Files: flushed and synced on exit whatever the block did, and the
//! errors of both kept.

use std::io::ErrorKind;

use async_with::{Error, with};
use async_with_resources::fs;

use super::{AsyncIo, Resources, enter_fails, panics};
use crate::Harness;

/// Bytes the block wrote, with no flush of its own, are on disk once the
/// scope returns.
pub fn file_bytes_are_on_disk_after_the_exit_without_a_flush_in_the_block<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    R::Harness::block_on(with(fs::create::<R::Files>(&path), async |file| {
        R::Io::write_all(file, b"hello ").await?;
        R::Io::write_all(file, b"world").await?;
        Ok(())
    }))
    .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"hello world");
}

/// A failed block's writes still reach the disk, and the caller gets the
/// block's error alone.
pub fn file_is_flushed_when_the_block_fails_and_the_block_error_reaches_the_caller<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.txt");
    let error = R::Harness::block_on(with(fs::create::<R::Files>(&path), async |file| {
        R::Io::write_all(file, b"partial").await?;
        Err::<(), _>(Error::msg("parse failed"))
    }))
    .unwrap_err();
    assert_eq!(error.len(), 1);
    assert_eq!(error.to_string(), "parse failed");
    assert_eq!(std::fs::read(&path).unwrap(), b"partial");
}

/// A panicking block's writes still reach the disk.
pub fn file_is_flushed_when_the_block_panics<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("panicked.txt");
    assert!(panics::<R, _>(with(
        fs::create::<R::Files>(&path),
        async |file| -> Result<(), Error> {
            R::Io::write_all(file, b"before the panic").await?;
            panic!("boom");
        }
    )));
    assert_eq!(std::fs::read(&path).unwrap(), b"before the panic");
}

/// A flush that fails is the exit's error, after the block's.
pub fn file_flush_failure_is_the_exit_error_after_the_block_error<R: Resources>() {
    // /dev/full accepts the write (the runtime writes on another thread)
    // and fails it with "no space left" when the exit flushes.
    let error = R::Harness::block_on(with(fs::create::<R::Files>("/dev/full"), async |file| {
        R::Io::write_all(file, b"lost").await?;
        Err::<(), _>(Error::msg("parse failed"))
    }))
    .unwrap_err();
    let messages: Vec<String> = error.errors().map(|e| e.to_string()).collect();
    assert_eq!(messages[0], "parse failed", "{messages:?}");
    let storage_full = error.errors().skip(1).any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == ErrorKind::StorageFull)
    });
    assert!(storage_full, "{messages:?}");
}

/// A flush that fails after a successful block is the caller's error, as
/// the `std::io::Error` itself.
pub fn file_flush_failure_alone_is_an_io_error<R: Resources>() {
    let full = fs::create::<R::Files>("/dev/full").sync_on_exit(false);
    let error = R::Harness::block_on(with(full, async |file| {
        R::Io::write_all(file, b"lost").await?;
        Ok(())
    }))
    .unwrap_err();
    let io = error.downcast::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), ErrorKind::StorageFull);
}

/// `open` reads an existing file; a missing one fails the enter, and the
/// block does not run.
pub fn file_open_reads_and_a_missing_file_fails_the_enter<R: Resources>() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "remember").unwrap();
    let text = R::Harness::block_on(with(fs::open::<R::Files>(&path), async |file| {
        Ok(R::Io::read_to_string(file).await?)
    }))
    .unwrap();
    assert_eq!(text, "remember");

    enter_fails::<R>(
        fs::open::<R::Files>(dir.path().join("missing")),
        ErrorKind::NotFound,
    );
}
