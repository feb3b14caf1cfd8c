use livetemplate::live_template;

#[live_template(source = "{{.a | html}}")]
struct Page {
    a: String,
}

fn main() {}
