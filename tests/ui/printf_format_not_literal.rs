use livetemplate::live_template;

#[live_template(source = "{{printf .a 1}}")]
struct Page {
    a: String,
}

fn main() {}
