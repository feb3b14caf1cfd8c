use livetemplate::LiveEvent;

#[derive(LiveEvent)]
struct Add {
    text: String,
}

fn main() {}
