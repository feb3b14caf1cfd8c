use livetemplate::live_template;

#[live_template(source = "<p>{{if .a}}yes</p>")]
struct Page {
    a: bool,
}

fn main() {}
