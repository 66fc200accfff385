//! The seeds' assignment: a log-writer child process appends a timestamped
//! line every 100 ms; an async `tail -f` stream yields the lines as they
//! appear; the reader stops after 10 lines, and the writer's context kills
//! and reaps the child on the way out.
//!
//! Mirrors the last tutorial's daily assignment (`log_writer.py` and
//! `async_tail.py`):
//!
//! ```python
//! async def tail_file(filepath):
//!     with open(filepath) as f:
//!         while True:
//!             line = f.readline()
//!             if line: yield line
//!             else: await asyncio.sleep(0.1)
//!
//! async def main():
//!     writer = await asyncio.create_subprocess_exec("python", "log_writer.py")
//!     async for line in tail_file("app.log"):   # stop after 10 lines
//!         ...
//! ```
//!
//! The writer is this same binary started again with `--write-log PATH`: a
//! plain synchronous loop, like `log_writer.py` (every 100 ms instead of every
//! second). The writer is a context, so the child is killed and reaped
//! whatever happens in the block; the tail stream is closed by `aclosing`.
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example tail_f -- --runtime async-std
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_io::Timer;
use async_process::{Child, Command};
use async_with::{AsyncClose, Error, With, aclosing, context, with};
use futures_core::Stream;
use futures_lite::io::{AsyncBufReadExt, BufReader};
use futures_lite::{StreamExt, stream};

const WRITE_EVERY: Duration = Duration::from_millis(100);
const POLL_EVERY: Duration = Duration::from_millis(100);
const LINES_WANTED: usize = 10;

/// `log_writer.py`: append a timestamped line forever, until killed.
fn write_log_forever(path: &Path) -> ExitCode {
    let mut file = match std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
    {
        Ok(file) => file,
        Err(error) => {
            eprintln!("log writer: cannot open {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    for tick in 0_u64.. {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let line = format!("{}.{:03} tick {tick}\n", now.as_secs(), now.subsec_millis());
        // One write per line, so the reader never sees half of one for long.
        if file.write_all(line.as_bytes()).is_err() {
            return ExitCode::FAILURE;
        }
        std::thread::sleep(WRITE_EVERY);
    }
    ExitCode::SUCCESS
}

/// The writer as a context: enter creates the log and starts the child;
/// exit kills it and waits for it (reaps it), however the block ended.
fn log_writer(path: PathBuf) -> impl With<Resource = Child> {
    context(async move |scope| {
        async_fs::File::create(&path).await?;
        let child = Command::new(std::env::current_exe()?)
            .arg("--write-log")
            .arg(&path)
            // Should this scope be dropped instead of exited, the child still dies.
            .kill_on_drop(true)
            .spawn()?;
        let pid = child.id();
        println!("ENTER log writer (pid {pid})");
        println!("writer pid: {pid}");

        let (mut child, _outcome) = scope.yield_(child).await;

        child.kill()?;
        let status = child.status().await?;
        println!("EXIT log writer: killed and reaped ({status})");
        Ok(())
    })
}

/// `tail -f` as a stream: the lines of a file, as they are written.
struct TailFile {
    name: String,
    lines: Pin<Box<dyn Stream<Item = Result<String, Error>> + Send>>,
    read: usize,
}

/// Python's `tail_file(filepath)`.
async fn tail_file(path: &Path) -> Result<TailFile, Error> {
    let file = async_fs::File::open(path).await?;
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    println!("ENTER tail -f {name}");
    let reader = BufReader::new(file);
    let lines = stream::unfold(
        (reader, String::new()),
        async |(mut reader, mut partial)| {
            loop {
                match reader.read_line(&mut partial).await {
                    // A whole line: hand it out.
                    Ok(_) if partial.ends_with('\n') => {
                        let line = std::mem::take(&mut partial).trim_end().to_string();
                        return Some((Ok(line), (reader, partial)));
                    }
                    // End of the file for now (maybe mid-line): wait for more.
                    Ok(_) => Timer::after(POLL_EVERY).await,
                    Err(error) => return Some((Err(error.into()), (reader, partial))),
                };
            }
        },
    );
    Ok(TailFile {
        name,
        lines: Box::pin(lines),
        read: 0,
    })
}

impl Stream for TailFile {
    type Item = Result<String, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.lines.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(_))) = next {
            self.read += 1;
        }
        next
    }
}

impl AsyncClose for TailFile {
    async fn close(self) -> Result<(), Error> {
        println!("EXIT tail -f {} ({} lines read)", self.name, self.read);
        Ok(())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path] = args.as_slice()
        && flag == "--write-log"
    {
        return write_log_forever(Path::new(path));
    }

    async_with_examples::run(async |_runtime| {
        let dir = tempfile::tempdir()?;
        let log = dir.path().join("app.log");

        with(log_writer(log.clone()), async |_writer| {
            let tail = tail_file(&log).await?;
            with(aclosing(tail), async |lines| {
                let mut count = 0;
                while let Some(line) = lines.next().await {
                    count += 1;
                    println!("line {count}: {}", line?);
                    if count == LINES_WANTED {
                        break;
                    }
                }
                Ok(())
            })
            .await
        })
        .await
    })
}
