//! async-with bound to async-std (being built).
