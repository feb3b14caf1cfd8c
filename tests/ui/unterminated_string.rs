use livetemplate::live_template;

#[live_template(source = "{{printf \"%s .a}}")]
struct Page {
    a: String,
}

fn main() {}
