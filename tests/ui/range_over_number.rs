use livetemplate::live_template;

#[live_template(source = "{{range .count}}x{{end}}")]
struct Page {
    count: usize,
}

fn main() {}
