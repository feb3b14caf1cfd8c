// Mistakes in different blocks (a branch, an else, a called template)
// are all reported; a template called twice reports its mistake once.
use livetemplate::live_template;

#[live_template(source = "{{define \"row\"}}<td>{{.nmae}}</td>{{end}}{{if .ok}}{{printf .name}}{{else}}{{html .name}}{{end}}{{template \"row\" .}}{{template \"row\" .}}")]
struct Page {
    ok: bool,
    name: String,
}

fn main() {}
