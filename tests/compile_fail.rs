//! Template mistakes are build errors that name the template file, line and
//! column. Each case in tests/ui/ is compiled and its error compared with the
//! `.stderr` beside it (regenerate with `TRYBUILD=overwrite`).

#[test]
fn template_errors_are_build_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
