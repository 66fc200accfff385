//! async-with bound to smol (being built).

pub mod fs;
pub mod net;
pub mod process;
pub mod sync;
