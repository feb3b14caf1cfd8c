use livetemplate::live_template;

#[live_template(source = "{{with .a}}{{.}}")]
struct Page {
    a: String,
}

fn main() {}
