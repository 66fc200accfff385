//! The conformance suite on smol.

mod harness;

async_with_testkit::conformance!(harness::SmolHarness);
