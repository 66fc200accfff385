//! A context or a generator-style closure used against its protocol.

use std::fmt;

/// A context used against its protocol: entered twice, exited without an
/// enter, or a generator-style closure that did not yield exactly once.
/// Each is an error the caller can match, never a panic or a hang, and
/// never loses the cleanup of what was already entered.
///
/// # Examples
///
/// ```
/// use async_with::{MisuseError, context, with};
/// # futures_lite::future::block_on(async {
/// let never_yields = context(async |_scope: async_with::Yield<'_, ()>| Ok(()));
/// let error = with(never_yields, async |()| Ok(())).await.unwrap_err();
/// assert_eq!(error.downcast_ref::<MisuseError>(), Some(&MisuseError::NoYield));
/// assert_eq!(error.to_string(), "generator-style context returned without yielding");
/// # });
/// ```
///
/// Entering a context twice:
///
/// ```
/// use async_with::{LocalAsyncContext, MisuseError, nullcontext};
/// # futures_lite::future::block_on(async {
/// let mut once = nullcontext(1);
/// once.enter().await?;
/// let error = once.enter().await.unwrap_err();
/// assert!(matches!(
///     error.downcast_ref::<MisuseError>(),
///     Some(MisuseError::EnteredTwice { context: "nullcontext" })
/// ));
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MisuseError {
    /// The closure returned before it yielded: nothing was entered.
    NoYield,
    /// The closure started a yield, then dropped it instead of awaiting it to
    /// the end (for example in a `select`), so it never took its resource back.
    AbandonedYield,
    /// A context that can be entered once was entered again. The first
    /// entry is untouched: its exit still runs.
    EnteredTwice {
        /// Which kind of context, as its documentation names it.
        context: &'static str,
    },
    /// A context was exited without a successful enter before.
    ExitedWithoutEnter {
        /// Which kind of context, as its documentation names it.
        context: &'static str,
    },
}

impl fmt::Display for MisuseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MisuseError::NoYield => {
                f.write_str("generator-style context returned without yielding")
            }
            MisuseError::AbandonedYield => {
                f.write_str("generator-style context dropped its yield before the block ended")
            }
            MisuseError::EnteredTwice { context } => write!(f, "{context} entered twice"),
            MisuseError::ExitedWithoutEnter { context } => {
                write!(f, "{context} exited without being entered")
            }
        }
    }
}

impl std::error::Error for MisuseError {}
