//! async-with bound to smol (being built).
