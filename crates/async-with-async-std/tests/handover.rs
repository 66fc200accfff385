//! Exits handed to async-std by dropped scopes (the testkit's handover
//! checks). A binary of its own: the storm counts the process's threads.

mod harness;

async_with_testkit::handover!(harness::AsyncStdHarness);
