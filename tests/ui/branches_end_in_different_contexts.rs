use livetemplate::live_template;

#[live_template(source = "{{if .a}}<a href=\"{{end}}x")]
struct Page {
    a: bool,
}

fn main() {}
