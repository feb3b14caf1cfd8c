use livetemplate::live_template;

#[live_template(source = "<h1>{{.titel}}</h1>")]
struct Page {
    title: String,
}

fn main() {}
