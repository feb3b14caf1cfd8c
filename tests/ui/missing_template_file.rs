// trybuild compiles each case in target/tests/trybuild/<crate>/, which is then
// CARGO_MANIFEST_DIR; template paths climb back to the repository.
use livetemplate::live_template;

#[live_template("../../../../tests/ui/templates/does_not_exist.html")]
struct Page {
    a: String,
}

fn main() {}
