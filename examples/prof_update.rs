#![allow(dead_code, unused_imports)]
#[path = "../benches/scenarios/mod.rs"]
mod scenarios;
use livetemplate::{Page, Template};
fn run<T: Template + Clone + PartialEq>(s: scenarios::Scenario<T>, rounds: usize) {
    for _ in 0..rounds {
        let mut page = Page::new(s.initial.clone()).unwrap();
        for st in &s.steps {
            std::hint::black_box(page.update(st.clone()).unwrap());
        }
    }
}
fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let n = 20000;
    match which.as_str() {
        "move" => run(scenarios::todo_move(), n),
        "toggle" => run(scenarios::todo_toggle(), n),
        "score" => run(scenarios::teams_score(), n * 5),
        "append" => run(scenarios::todo_append(), n),
        "resort" => run(scenarios::rows_resort(), n / 10),
        _ => panic!("which?"),
    }
}
