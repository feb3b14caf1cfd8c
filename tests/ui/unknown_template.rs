use livetemplate::live_template;

#[live_template(source = "{{define \"nav\"}}x{{end}}{{template \"navv\" .}}")]
struct Page {
    a: String,
}

fn main() {}
