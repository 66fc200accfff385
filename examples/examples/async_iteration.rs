//! Async iteration with cleanup: a stream that must be closed, consumed in
//! full, left early with `break`, and left by an error; `aclosing` closes it
//! every time.
//!
//! Mirrors the last tutorial's async generator, consumed the way Python's
//! `contextlib.aclosing` is meant to be used:
//!
//! ```python
//! async def number_stream(count: int) -> AsyncGenerator[int, None]:
//!     for i in range(count):
//!         await asyncio.sleep(0.5)
//!         yield i
//!
//! async with aclosing(number_stream(5)) as numbers:
//!     async for number in numbers:
//!         print(number)
//! ```
//!
//! (0.5 s of the Python is 20 ms here.) The seeds' `tail -f` assignment is the
//! `tail_f` example.
//!
//! Run it with:
//!
//! ```text
//! cargo run -p async-with-examples --example async_iteration -- --runtime smol
//! ```

use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};
use std::time::Duration;

use async_io::Timer;
use async_with::{AsyncClose, Error, aclosing, with};
use futures_core::Stream;
use futures_lite::StreamExt;

/// Python's `number_stream(count)`: yields `0..count`, one per tick, and
/// holds something (here, a timer) that its async close releases.
struct NumberStream {
    next: u32,
    count: u32,
    ticks: Timer,
}

fn number_stream(count: u32) -> NumberStream {
    println!("ENTER number_stream({count})");
    NumberStream {
        next: 0,
        count,
        ticks: Timer::interval(Duration::from_millis(20)),
    }
}

impl Stream for NumberStream {
    type Item = u32;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        if self.next == self.count {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.ticks).poll_next(cx) {
            Poll::Ready(_tick) => {
                let number = self.next;
                self.next += 1;
                Poll::Ready(Some(number))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncClose for NumberStream {
    /// Python's `await agen.aclose()`: runs the generator's `finally`.
    async fn close(self) -> Result<(), Error> {
        // An async cleanup step, like flushing a cursor.
        Timer::after(Duration::from_millis(5)).await;
        println!(
            "EXIT number_stream({}): closed after {} of {} numbers",
            self.count, self.next, self.count
        );
        Ok(())
    }
}

fn main() -> ExitCode {
    async_with_examples::run(async |_runtime| {
        println!("== to the end ==");
        with(aclosing(number_stream(5)), async |numbers| {
            while let Some(number) = numbers.next().await {
                println!("{number}");
            }
            Ok(())
        })
        .await?;

        println!("== break early ==");
        with(aclosing(number_stream(5)), async |numbers| {
            while let Some(number) = numbers.next().await {
                println!("{number}");
                if number == 2 {
                    break;
                }
            }
            Ok(())
        })
        .await?;

        println!("== an error mid-stream ==");
        let failed = with(aclosing(number_stream(5)), async |numbers| {
            while let Some(number) = numbers.next().await {
                println!("{number}");
                if number == 1 {
                    return Err(Error::msg(format!("cannot process {number}")));
                }
            }
            Ok(())
        })
        .await;
        if let Err(error) = failed {
            println!("the caller got: {error}");
        }
        Ok(())
    })
}
