//! Choosing the runtime an example runs on.

use std::fmt;
use std::future::Future;
use std::process::ExitCode;
use std::str::FromStr;

use async_with::Error;

use crate::Background;

/// The runtime an example runs on, chosen with `--runtime`.
///
/// # Examples
///
/// ```
/// use async_with_examples::RuntimeKind;
///
/// let runtime: RuntimeKind = "smol".parse().unwrap();
/// assert_eq!(runtime, RuntimeKind::Smol);
/// assert_eq!(runtime.block_on(async { 1 + 1 }), 2);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuntimeKind {
    /// A multi-threaded tokio runtime.
    #[default]
    Tokio,
    /// `smol::block_on`, with `smol::spawn` for background tasks.
    Smol,
    /// `async_std::task::block_on` (async-std is discontinued upstream).
    AsyncStd,
}

impl RuntimeKind {
    /// Every runtime, in the order the tests run them.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(async_with_examples::RuntimeKind::ALL.len(), 3);
    /// ```
    pub const ALL: [RuntimeKind; 3] =
        [RuntimeKind::Tokio, RuntimeKind::Smol, RuntimeKind::AsyncStd];

    /// The name `--runtime` takes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(async_with_examples::RuntimeKind::AsyncStd.name(), "async-std");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            RuntimeKind::Tokio => "tokio",
            RuntimeKind::Smol => "smol",
            RuntimeKind::AsyncStd => "async-std",
        }
    }

    /// The runtime named by `--runtime NAME` (or `--runtime=NAME`) in `args`;
    /// tokio when the flag is absent. Other arguments are left to the example.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_examples::RuntimeKind;
    ///
    /// let args = ["--runtime", "async-std"].map(String::from);
    /// assert_eq!(RuntimeKind::from_args(args)?, RuntimeKind::AsyncStd);
    /// assert_eq!(RuntimeKind::from_args(Vec::<String>::new())?, RuntimeKind::Tokio);
    /// assert!(RuntimeKind::from_args(["--runtime=glommio".to_string()]).is_err());
    /// # Ok::<(), async_with_examples::UnknownRuntime>(())
    /// ```
    pub fn from_args<I>(args: I) -> Result<RuntimeKind, UnknownRuntime>
    where
        I: IntoIterator<Item = String>,
    {
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--runtime" {
                return args.next().unwrap_or_default().parse();
            }
            if let Some(name) = arg.strip_prefix("--runtime=") {
                return name.parse();
            }
        }
        Ok(RuntimeKind::default())
    }

    /// Runs `future` to completion on this runtime, from synchronous code.
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_examples::RuntimeKind;
    ///
    /// for runtime in RuntimeKind::ALL {
    ///     assert_eq!(runtime.block_on(async { "done" }), "done");
    /// }
    /// ```
    pub fn block_on<F: Future>(self, future: F) -> F::Output {
        match self {
            RuntimeKind::Tokio => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime starts")
                .block_on(future),
            RuntimeKind::Smol => smol::block_on(future),
            RuntimeKind::AsyncStd => async_std::task::block_on(future),
        }
    }

    /// Spawns `future` as a background task of this runtime; must be called
    /// from inside [`block_on`](RuntimeKind::block_on).
    ///
    /// # Examples
    ///
    /// ```
    /// use async_with_examples::RuntimeKind;
    ///
    /// let runtime = RuntimeKind::Smol;
    /// runtime.block_on(async {
    ///     let task = runtime.spawn(async { /* serve something */ });
    ///     task.cancel().await;
    /// });
    /// ```
    pub fn spawn<F>(self, future: F) -> Background
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Background::spawn(self, future)
    }
}

impl fmt::Display for RuntimeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RuntimeKind {
    type Err = UnknownRuntime;

    fn from_str(name: &str) -> Result<Self, UnknownRuntime> {
        RuntimeKind::ALL
            .into_iter()
            .find(|runtime| runtime.name() == name)
            .ok_or_else(|| UnknownRuntime(name.to_string()))
    }
}

/// `--runtime` named no runtime this crate knows.
///
/// # Examples
///
/// ```
/// let error = "glommio".parse::<async_with_examples::RuntimeKind>().unwrap_err();
/// assert_eq!(error.to_string(), "unknown runtime `glommio` (expected tokio, smol or async-std)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRuntime(String);

impl fmt::Display for UnknownRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown runtime `{}` (expected tokio, smol or async-std)",
            self.0
        )
    }
}

impl std::error::Error for UnknownRuntime {}

/// An example's `main`: reads `--runtime` from the command line, runs `main`
/// on that runtime, and prints an error with every earlier error (`{:#}`).
///
/// # Examples
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     async_with_examples::run(async |runtime| {
///         println!("hello from {runtime}");
///         Ok(())
///     })
/// }
/// ```
pub fn run<M>(main: M) -> ExitCode
where
    M: AsyncFnOnce(RuntimeKind) -> Result<(), Error>,
{
    let runtime = match RuntimeKind::from_args(std::env::args().skip(1)) {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(main(runtime)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
