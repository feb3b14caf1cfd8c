use livetemplate::live_template;

#[live_template(source = "<p>hi</p>{{end}}")]
struct Page {
    a: bool,
}

fn main() {}
