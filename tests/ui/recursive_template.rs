use livetemplate::live_template;

#[live_template(source = "{{define \"t\"}}{{template \"t\" .}}{{end}}{{template \"t\" .}}")]
struct Page {
    a: String,
}

fn main() {}
