//! Programs that must not compile: yielding twice from a generator-style
//! context, and spawning a scope that holds a `!Send` resource.
//!
//! The expected compiler output lives next to each program in `tests/ui`;
//! regenerate it with `TRYBUILD=overwrite` after a compiler upgrade, and
//! check the new output still names the mistake.

#[test]
fn misuse_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
