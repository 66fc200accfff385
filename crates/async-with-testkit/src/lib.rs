//! Conformance suite shared by every adapter (being built).
