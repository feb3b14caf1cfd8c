#![allow(dead_code, unused_imports)]
#[path = "../benches/scenarios/mod.rs"]
mod scenarios;
use livetemplate::Page;
fn main() {
    let s = scenarios::todo_append();
    let mut page = Page::new(s.initial.clone()).unwrap();
    for st in &s.steps {
        let f = page.update(st.clone()).unwrap();
        println!("{}", serde_json::to_string(&f).unwrap());
    }
}
