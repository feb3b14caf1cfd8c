// A template with several mistakes: each is its own build error, in
// template order, not only the first: an undefined variable too.
use livetemplate::live_template;

#[live_template(source = "<h1>{{.titel}}</h1>\n{{range .items}}<li>{{lenn .}}</li>{{end}}\n<p>{{eq .count}} {{$missing}}</p>")]
struct Page {
    title: String,
    items: Vec<String>,
    count: i64,
}

fn main() {}
