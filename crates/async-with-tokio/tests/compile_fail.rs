//! What the tokio adapter refuses at compile time, and the message it gives.

#[test]
fn unbound_contexts_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
