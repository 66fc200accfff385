//! The conformance suite on async-std.

mod harness;

async_with_testkit::conformance!(harness::AsyncStdHarness);
