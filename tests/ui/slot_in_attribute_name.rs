use livetemplate::live_template;

#[live_template(source = "<a {{.a}}=\"x\">link</a>")]
struct Page {
    a: String,
}

fn main() {}
