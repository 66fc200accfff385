//! async-with bound to tokio (being built).
