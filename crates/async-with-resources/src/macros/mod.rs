//! The macros an adapter writes its resource modules with.
//!
//! Two kinds:
//!
//! - **Bindings** ([`files!`](crate::files), [`processes!`](crate::processes)):
//!   tokio, async-fs and async-std name their file calls alike, and tokio
//!   and async-process their child calls but for three method names, so
//!   one macro writes each of those bindings from the runtime's paths. A
//!   runtime with another shape implements the trait by hand, as every
//!   adapter does for [`Tcp`](crate::net::Tcp) and
//!   [`Acquire`](crate::sync::Acquire).
//! - **Items** ([`fs_items!`](crate::fs_items), [`net_items!`](crate::net_items),
//!   [`process_items!`](crate::process_items), [`lock_items!`](crate::lock_items),
//!   [`semaphore_items!`](crate::semaphore_items)): the functions and type
//!   aliases an adapter's module exposes (`create`, `Open`, ...), the
//!   shared contexts with the runtime filled in, defined in a private
//!   module. They carry no docs of their own: the adapter re-exports each
//!   one with `pub use` and its own docs, whose examples are written for
//!   its runtime.

mod fs;
mod net;
mod process;
mod sync;
