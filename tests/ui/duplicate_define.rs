use livetemplate::live_template;

#[live_template(source = "{{define \"a\"}}1{{end}}{{define \"a\"}}2{{end}}")]
struct Page {
    a: String,
}

fn main() {}
