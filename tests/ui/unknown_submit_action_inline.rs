use livetemplate::{live_template, LiveEvent};

#[derive(LiveEvent)]
enum Event {
    #[serde(rename = "add")]
    Add { text: String },
    #[serde(alias = "clear")]
    ClearCompleted,
}

#[live_template(
    source = r#"<form lt-submit="save"><input name="text"></form>
<button lt-click="{{.act}}">unchecked</button> <button lt-click="clear">ok</button>"#,
    events = Event
)]
struct Page {
    act: String,
}

fn main() {}
