//! Measurements besides wall time, taken by the `overhead` bench binary
//! when `cargo xtask bench` asks through the [`PROBE`] environment
//! variable instead of running criterion:
//!
//! - `PROBE=sizes`: prints the size of the future each nesting makes, one
//!   [`size_line`] per construct and depth;
//! - `PROBE=run <construct> <depth> <iterations>`: runs that many
//!   iterations of one construct under a plain `block_on` ([`run`]), for
//!   callgrind to count instructions (two iteration counts, subtracted,
//!   cancel the process's own start-up).
//!
//! Both live in the bench binary so that they measure the same release
//! build, the same monomorphized code, as the wall times.

use std::future::Future;

use async_with::Error;

use crate::runtime::Opaque;

/// The environment variable that turns the `overhead` bench binary into a
/// probe.
pub const PROBE: &str = "ASYNC_WITH_BENCH_PROBE";

/// What a probe run was asked for.
///
/// # Examples
///
/// ```
/// use async_with_benches::probe::Request;
///
/// assert_eq!(Request::parse("sizes"), Some(Request::Sizes));
/// assert_eq!(
///     Request::parse("run with 16 1000"),
///     Some(Request::Run { construct: "with".into(), depth: 16, iterations: 1000 })
/// );
/// assert_eq!(Request::parse("run with"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Print every nesting's future size.
    Sizes,
    /// Run `iterations` of `construct` at `depth` (entries, for a stack).
    Run {
        /// The construct's name in bench ids (`with`, `hand-written`, ...).
        construct: String,
        /// Depth of the nesting, or entries of a dynamic stack.
        depth: u64,
        /// How many times the construct's future is run to completion.
        iterations: u64,
    },
}

impl Request {
    /// Reads the request from [`PROBE`]; `None` when unset (run criterion).
    ///
    /// # Panics
    ///
    /// If the variable is set but not a request [`parse`](Request::parse)
    /// understands: a probe that silently ran criterion instead would
    /// count the wrong thing.
    ///
    /// # Examples
    ///
    /// ```
    /// // Unset in doc tests: the bench binary runs criterion.
    /// assert_eq!(async_with_benches::probe::Request::from_env(), None);
    /// ```
    pub fn from_env() -> Option<Self> {
        let request = std::env::var(PROBE).ok()?;
        match Self::parse(&request) {
            Some(parsed) => Some(parsed),
            None => panic!(
                "{PROBE}={request:?}: expected `sizes` or `run <construct> <depth> <iterations>`"
            ),
        }
    }

    /// Parses `sizes` or `run <construct> <depth> <iterations>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_benches::probe::Request;
    /// assert_eq!(Request::parse("sizes"), Some(Request::Sizes));
    /// ```
    pub fn parse(request: &str) -> Option<Self> {
        let words: Vec<&str> = request.split_whitespace().collect();
        match words[..] {
            ["sizes"] => Some(Self::Sizes),
            ["run", construct, depth, iterations] => Some(Self::Run {
                construct: construct.to_owned(),
                depth: depth.parse().ok()?,
                iterations: iterations.parse().ok()?,
            }),
            _ => None,
        }
    }
}

/// The size in bytes of `future`, which is never polled nor dropped.
///
/// Forgetting it keeps the probe from generating the nesting's drop glue
/// (a constructed, unpolled future owns only its arguments, here a
/// reference and an integer), so sizing a deep nesting costs no code.
///
/// # Examples
///
/// ```
/// use async_with_benches::nesting::{Depth4, Nest};
/// use async_with_benches::probe::future_size;
///
/// let nest = Depth4::default();
/// assert!(future_size(nest.with(1)) >= future_size(nest.hand_written(1)));
/// ```
pub fn future_size<F: Future>(future: F) -> usize {
    let size = std::mem::size_of_val(&future);
    std::mem::forget(future);
    size
}

/// One line of the `sizes` probe's output: `future-size`, the construct,
/// the depth and the size in bytes, separated by tabs.
///
/// # Examples
///
/// ```
/// use async_with_benches::probe::size_line;
/// assert_eq!(size_line("with", 16, 7040), "future-size\twith\t16\t7040");
/// ```
pub fn size_line(construct: &str, depth: usize, bytes: usize) -> String {
    format!("future-size\t{construct}\t{depth}\t{bytes}")
}

/// Runs `iterations` futures made by `make` to completion inside one
/// `futures_lite::future::block_on`, each polled through [`Opaque`] as the
/// wall-time benches poll them (criterion's async loop is one `block_on`
/// too).
///
/// # Panics
///
/// If a future returns an error: the workload never fails.
///
/// # Examples
///
/// ```
/// use async_with_benches::nesting::{Depth4, Nest};
/// use async_with_benches::probe::run;
///
/// let nest = Depth4::default();
/// run(3, || nest.same_guarantees_by_hand(1));
/// ```
pub fn run<F>(iterations: u64, mut make: impl FnMut() -> F)
where
    F: Future<Output = Result<u64, Error>>,
{
    futures_lite::future::block_on(async {
        for _ in 0..iterations {
            let value = Opaque::new(make()).await;
            std::hint::black_box(value.expect("the workload never fails"));
        }
    });
}
