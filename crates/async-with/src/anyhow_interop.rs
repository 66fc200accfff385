//! `?` from a scope's result into `anyhow::Result` (the `anyhow` feature).
//!
//! `anyhow::Error` converts from any `std::error::Error`, which
//! [`Error`](crate::Error) cannot be (it converts from every one of them
//! itself, as `anyhow::Error` does). This impl is the bridge, and needs
//! `anyhow` as a dependency: hence a feature, off by default.

use crate::{BoxError, Error, ErrorList};

impl From<Error> for anyhow::Error {
    /// A lone error becomes an `anyhow::Error` of the user's own type, so
    /// `downcast_ref::<E>()` finds it; an aggregate becomes one of
    /// [`ErrorList`], whose `source()` chain anyhow prints under "Caused
    /// by", the block's own error last, as the root cause.
    fn from(error: Error) -> Self {
        match error.into_anyhow_if_lone() {
            Ok(lone) => lone,
            Err(aggregate) => anyhow::Error::new(ErrorList::from(aggregate)),
        }
    }
}

/// An error [`Error::new`] boxed as an `E`, unboxed again so that anyhow
/// knows its type.
pub(crate) fn typed<E>(boxed: BoxError) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    match boxed.downcast::<E>() {
        Ok(error) => anyhow::Error::new(*error),
        Err(other) => anyhow::Error::from_boxed(other),
    }
}
