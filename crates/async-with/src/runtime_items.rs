//! The runtime-bound half of an adapter crate, written once: the macro
//! [`runtime_items!`](crate::runtime_items) each adapter invokes for its
//! runtime.

/// Binds a runtime: defines its marker type, a [`Runtime`](crate::Runtime)
/// from the bodies of `spawn` (detach `task` on the runtime) and `sleep`
/// (a future that waits `duration` on its timer), and, in a module
/// `$module`, the constructs whose cancellation needs a runtime, bound to
/// it: `with` and the `With` trait, generator-style `context`,
/// `ExitStack`, `timeout`, `move_on_after`, `exit_timeout` and
/// `task_group`. Each is a thin call into this crate's runtime-generic form
/// (`with_runtime`, `boxed_context`, ...).
///
/// An adapter crate invokes it in a private module and re-exports each
/// item with `pub use` under docs of its own, whose examples are written
/// for its runtime; so the logic is here once, and each adapter's docs show
/// its runtime's code. `unbound` and `runs_on` are the first lines of the
/// compile error for a context that cannot be handed to the runtime (an
/// attribute cannot build them from the runtime's name).
///
/// # Examples
///
/// A crate binding a runtime of its own:
///
/// ```
/// async_with::runtime_items! {
///     /// Exits run on a thread each (for the example).
///     pub struct Threads;
///
///     fn spawn(task) {
///         std::thread::spawn(move || futures_lite::future::block_on(task));
///     }
///
///     fn sleep(duration) {
///         async move { std::thread::sleep(duration) }
///     }
///
///     mod bound;
///     unbound = "`{Self}` cannot have its exit handed to a thread";
///     runs_on = "a dropped scope's exit runs on a thread of its own";
/// }
/// /// `async with`, bound to [`Threads`].
/// pub use bound::with;
///
/// fn main() -> Result<(), async_with::Error> {
///     futures_lite::future::block_on(async {
///         let n = with(async_with::nullcontext(2), async |n| Ok(*n * 21)).await?;
///         assert_eq!(n, 42);
///         Ok(())
///     })
/// }
/// ```
#[macro_export]
macro_rules! runtime_items {
    (
        $(#[$meta:meta])*
        pub struct $runtime:ident;
        fn spawn($task:ident) $spawn:block
        fn sleep($duration:ident) $sleep:block
        mod $module:ident;
        unbound = $unbound:literal;
        runs_on = $runs_on:literal;
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $runtime;

        impl $crate::Runtime for $runtime {
            fn spawn<F>(&self, $task: F)
            where
                F: ::core::future::Future<Output = ()> + Send + 'static,
            $spawn

            fn sleep(
                &self,
                $duration: ::core::time::Duration,
            ) -> impl ::core::future::Future<Output = ()> + Send + 'static + use<> $sleep
        }

        mod $module {
            // Documented where the adapter re-exports them.
            #![allow(missing_docs)]

            use ::core::future::Future;
            use ::core::time::Duration;

            use $crate::{AsyncContext, Error};

            use super::$runtime;

            /// The runtime, as a value.
            fn runtime() -> $runtime {
                $runtime
            }

            #[doc(alias = "async with")]
            pub fn with<C, B, T>(context: C, body: B) -> impl Future<Output = Result<T, Error>>
            where
                C: With,
                B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
            {
                context.with(body)
            }

            #[diagnostic::on_unimplemented(
                message = $unbound,
                label = "not an `AsyncContext` that is `'static`",
                note = $runs_on,
                note = "a context that borrows (a guard on a borrowed `&Mutex`), or has `!Send` parts, goes to the core's `async_with::with`: a dropped scope then drops its resource (for a lock guard, the whole cleanup) and reports any exit it skipped",
                note = "for a generator-style context, use this crate's `context(async move |scope| ..)`, which owns its state; `async_with::context` goes to `async_with::with`"
            )]
            pub trait With: AsyncContext<Resource: 'static> + 'static {
                /// Enters, runs `body` with the resource, exits with the
                /// body's outcome; a scope dropped mid-way hands its exit
                /// to the runtime. See [`with`].
                fn with<B, T>(self, body: B) -> impl Future<Output = Result<T, Error>>
                where
                    B: AsyncFnOnce(&mut Self::Resource) -> Result<T, Error>;
            }

            impl<C: AsyncContext<Resource: 'static> + 'static> With for C {
                fn with<B, T>(self, body: B) -> impl Future<Output = Result<T, Error>>
                where
                    B: AsyncFnOnce(&mut C::Resource) -> Result<T, Error>,
                {
                    $crate::with_runtime(runtime(), self, body)
                }
            }

            #[doc(alias = "asynccontextmanager")]
            pub fn context<R, X, F, G>(closure: F) -> $crate::BoxedContext<R>
            where
                R: Send + 'static,
                F: FnOnce($crate::Yield<'static, R>) -> G + Send + 'static,
                G: Future<Output = Result<X, Error>> + Send + 'static,
                X: $crate::IntoExit,
            {
                $crate::boxed_context(closure)
            }

            #[doc(alias = "AsyncExitStack")]
            pub type ExitStack = $crate::stack::ExitStack<$crate::Sendable, $runtime>;

            #[doc(alias = "asyncio.timeout")]
            pub fn timeout<F, T>(duration: Duration, block: F) -> impl Future<Output = Result<T, Error>>
            where
                F: Future<Output = Result<T, Error>>,
            {
                $crate::timeout(runtime(), duration, block)
            }

            pub fn move_on_after<F, T>(
                duration: Duration,
                block: F,
            ) -> impl Future<Output = Result<Option<T>, Error>>
            where
                F: Future<Output = Result<T, Error>>,
            {
                $crate::move_on_after(runtime(), duration, block)
            }

            pub fn exit_timeout<C: AsyncContext>(
                limit: Duration,
                context: C,
            ) -> $crate::ExitTimeout<$runtime, C> {
                $crate::exit_timeout(runtime(), limit, context)
            }

            #[doc(alias = "TaskGroup")]
            pub async fn task_group<B, T>(body: B) -> Result<T, Error>
            where
                B: AsyncFnOnce(&$crate::TaskGroup<$runtime>) -> Result<T, Error>,
            {
                $crate::task_group(runtime(), body).await
            }
        }
    };
}
