use livetemplate::live_template;

#[live_template(source = "a{{/* never closed")]
struct Page {
    a: String,
}

fn main() {}
