use livetemplate::live_template;

#[live_template(source = "{{len .a .b}}")]
struct Page {
    a: String,
    b: String,
}

fn main() {}
