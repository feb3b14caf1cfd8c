use livetemplate::live_template;

#[live_template(source = "a{{else}}b")]
struct Page {
    a: String,
}

fn main() {}
