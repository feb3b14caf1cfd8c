use livetemplate::live_template;

#[live_template(source = "{{.a # .b}}")]
struct Page {
    a: String,
    b: String,
}

fn main() {}
