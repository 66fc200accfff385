//! Exits handed to smol by dropped scopes (the testkit's handover checks),
//! on smol's global executor with its default single thread. A binary of
//! its own: the storm counts the process's threads.

mod harness;

async_with_testkit::handover!(harness::SmolHarness);
