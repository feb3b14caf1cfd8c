use livetemplate::live_template;

#[live_template(source = "{{.a | }}")]
struct Page {
    a: String,
}

fn main() {}
