//! The macros of [`crate::process`].

/// Implements [`Processes`](crate::process::Processes) for the runtime
/// marker `$binding` with the child API of `$process` (tokio's and
/// async-process's): `$process::{Command, Child}`, `Command::kill_on_drop`
/// and `Command::spawn`, and the child's three methods named here, which
/// the two crates name differently: `try_wait` (does not block), `kill`
/// (sends the signal, does not wait) and `wait` (async, reaps).
///
/// # Examples
///
/// The binding of the async-process crate, then a child spawned through
/// it:
///
/// ```
/// use async_process::Command;
/// use async_with::with;
///
/// #[derive(Debug)]
/// struct AsyncProcess;
///
/// async_with_resources::processes!(AsyncProcess: async_process, try_wait = try_status, kill = kill, wait = status);
///
/// # futures_lite::future::block_on(async {
/// let spawn = async_with_resources::process::spawn::<AsyncProcess>(Command::new("true"));
/// let status = with(spawn, async |child| Ok(Some(child.status().await?))).await?;
/// assert!(status.unwrap().success());
/// # Ok::<(), async_with::Error>(()) }).unwrap();
/// ```
#[macro_export]
macro_rules! processes {
    (
        $binding:path: $($process:ident)::+,
        try_wait = $try_wait:ident,
        kill = $kill:ident,
        wait = $wait:ident $(,)?
    ) => {
        impl $crate::process::Processes for $binding {
            type Command = $($process)::+::Command;
            type Child = $($process)::+::Child;

            fn spawn(command: &mut Self::Command) -> ::std::io::Result<Self::Child> {
                command.kill_on_drop(true).spawn()
            }

            fn try_wait(
                child: &mut Self::Child,
            ) -> ::std::io::Result<Option<::std::process::ExitStatus>> {
                child.$try_wait()
            }

            fn kill(child: &mut Self::Child) -> ::std::io::Result<()> {
                child.$kill()
            }

            async fn wait(child: &mut Self::Child) -> ::std::io::Result<::std::process::ExitStatus> {
                child.$wait().await
            }
        }
    };
}

/// Defines, in a private module `$module`, an adapter's `process` items for
/// the runtime marker `$binding` (which implements
/// [`Processes`](crate::process::Processes) with `$command` as its
/// command): `spawn` and `Spawn`, as [`process::spawn`](crate::process::spawn)
/// and [`process::Spawn`](crate::process::Spawn) with `$binding` filled in.
/// The adapter re-exports each with its docs.
///
/// # Examples
///
/// ```
/// #[derive(Debug)]
/// pub struct AsyncProcess;
/// async_with_resources::processes!(AsyncProcess: async_process, try_wait = try_status, kill = kill, wait = status);
///
/// async_with_resources::process_items!(mod bound for crate::AsyncProcess, async_process::Command);
///
/// /// A context that spawns `command` (docs and examples for this runtime
/// /// go here).
/// pub use bound::spawn;
///
/// fn main() {
///     let ctx = spawn(async_process::Command::new("true"));
///     # drop(ctx);
/// }
/// ```
#[macro_export]
macro_rules! process_items {
    (mod $module:ident for $binding:path, $command:ty $(,)?) => {
        mod $module {
            #[allow(missing_docs)]
            pub type Spawn<F = fn(::std::process::ExitStatus)> =
                $crate::process::Spawn<$binding, F>;

            #[allow(missing_docs)]
            pub fn spawn(command: $command) -> Spawn {
                $crate::process::spawn(command)
            }
        }
    };
}
