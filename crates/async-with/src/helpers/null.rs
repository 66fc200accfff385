use crate::{AsyncContext, Error, Exit, MisuseError, Outcome};

/// A context that does nothing: enters to `value`, exits doing nothing.
/// Python's `contextlib.nullcontext`, for code that takes an optional
/// context.
///
/// It is an [`AsyncContext`] when `T` is `Send`; for a `!Send` value on a
/// [`LocalExitStack`](crate::LocalExitStack), use
/// [`adopt`](crate::ExitStack::adopt).
///
/// # Examples
///
/// ```
/// use async_with::{nullcontext, with};
/// # futures_lite::future::block_on(async {
/// let len = with(nullcontext("data"), async |text| Ok(text.len())).await?;
/// assert_eq!(len, 4);
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[doc(alias = "contextlib.nullcontext")]
pub fn nullcontext<T>(value: T) -> Null<T> {
    Null { value: Some(value) }
}

/// The context [`nullcontext`] returns.
///
/// # Examples
///
/// ```
/// let _unused: async_with::Null<()> = async_with::nullcontext(());
/// ```
#[derive(Debug)]
#[must_use = "a context does nothing until it is used with `with`"]
pub struct Null<T> {
    value: Option<T>,
}

impl<T: Send> AsyncContext for Null<T> {
    type Resource = T;

    const CLEANUP_IS_DROP: bool = true;

    async fn enter(&mut self) -> Result<T, Error> {
        self.value.take().ok_or_else(|| {
            MisuseError::EnteredTwice {
                context: "nullcontext",
            }
            .into()
        })
    }

    async fn exit(self, _value: T, _outcome: Outcome) -> Result<Exit, Error> {
        Ok(Exit::Propagate)
    }
}
