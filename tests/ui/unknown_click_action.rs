// trybuild compiles each case in target/tests/trybuild/<crate>/, which is then
// CARGO_MANIFEST_DIR; template paths climb back to the repository.
use livetemplate::{live_template, LiveEvent};

#[derive(LiveEvent)]
#[serde(rename_all = "snake_case")]
enum TodoEvent {
    Add { text: String },
    Toggle { id: u64 },
    Remove { id: u64 },
    ClearCompleted,
}

#[live_template("../../../../tests/ui/templates/events.html", events = TodoEvent)]
struct Todos {
    ids: Vec<u64>,
}

fn main() {}
