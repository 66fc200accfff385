//! async-with bound to tokio (being built).

pub mod fs;
pub mod net;
pub mod process;
pub mod sync;
