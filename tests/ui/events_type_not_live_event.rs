use livetemplate::live_template;

enum Event {
    Add,
}

#[live_template(source = "<p>no actions</p>", events = Event)]
struct Page {}

fn main() {}
