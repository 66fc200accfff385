use std::fmt;
use std::time::{Duration, Instant};

use crate::{AsyncContext, Error, Exit, Outcome};

/// A context that times its block and hands the elapsed time to `report`,
/// however the block ended: the tutorials' `AsyncTimer`.
///
/// The block gets a [`Stopwatch`] to read the time so far.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use async_with::{timer, with};
/// # futures_lite::future::block_on(async {
/// let mut measured = Duration::ZERO;
/// with(timer(|elapsed| measured = elapsed), async |watch| {
///     std::thread::sleep(Duration::from_millis(5));
///     assert!(watch.elapsed() >= Duration::from_millis(5));
///     Ok(())
/// })
/// .await?;
/// assert!(measured >= Duration::from_millis(5));
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "AsyncTimer")]
pub fn timer<F: FnOnce(Duration) + Send>(report: F) -> Timer<F> {
    Timer { report }
}

/// The context [`timer`] returns.
///
/// # Examples
///
/// ```
/// let _ctx = async_with::timer(|elapsed| println!("took {elapsed:?}"));
/// ```
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Timer<F> {
    report: F,
}

impl<F> fmt::Debug for Timer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer").finish_non_exhaustive()
    }
}

/// When a [`timer`] block started.
///
/// # Examples
///
/// ```
/// use async_with::{timer, with};
/// # futures_lite::future::block_on(async {
/// with(timer(|_| {}), async |watch| {
///     let _so_far = watch.elapsed();
///     let _started = watch.started();
///     Ok(())
/// }).await?;
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Stopwatch {
    started: Instant,
}

impl Stopwatch {
    /// Time since the block was entered.
    ///
    /// # Examples
    ///
    /// See [`Stopwatch`].
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// When the block was entered.
    ///
    /// # Examples
    ///
    /// See [`Stopwatch`].
    pub fn started(&self) -> Instant {
        self.started
    }
}

impl<F: FnOnce(Duration) + Send> AsyncContext for Timer<F> {
    type Resource = Stopwatch;

    async fn enter(&mut self) -> Result<Stopwatch, Error> {
        Ok(Stopwatch {
            started: Instant::now(),
        })
    }

    async fn exit(self, watch: Stopwatch, _outcome: Outcome) -> Result<Exit, Error> {
        (self.report)(watch.elapsed());
        Ok(Exit::Propagate)
    }
}
