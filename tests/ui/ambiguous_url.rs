use livetemplate::live_template;

#[live_template(source = "<a href=\"{{if .c}}/path/{{else}}/search?q={{end}}{{.a}}\">x</a>")]
struct Page {
    a: String,
    c: bool,
}

fn main() {}
