//! async-with bound to async-std (being built).

pub mod fs;
pub mod net;
pub mod process;
pub mod sync;
