use livetemplate::live_template;

#[live_template]
struct Page {
    a: String,
}

fn main() {}
