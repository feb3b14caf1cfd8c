use livetemplate::live_template;

#[live_template(source = "<p>{{.a</p>")]
struct Page {
    a: String,
}

fn main() {}
