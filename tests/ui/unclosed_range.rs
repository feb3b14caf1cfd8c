use livetemplate::live_template;

#[live_template(source = "<ul>{{range .items}}<li>{{.}}</li></ul>")]
struct Page {
    items: Vec<String>,
}

fn main() {}
