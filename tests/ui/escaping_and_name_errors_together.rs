// A call of an unknown template and a value where a tag name should be
// leave the escaping on track: they are reported with the analysis's
// mistakes.
use livetemplate::live_template;

#[live_template(source = "{{template \"hedaer\"}}<{{.tag}}>{{.titel}}{{define \"header\"}}<h1>x</h1>{{end}}")]
struct Page {
    tag: String,
    title: String,
}

fn main() {}
