//! Writes the fixtures of the in-browser reconstruction invariant: for each
//! template of the property suite, random state sequences with the first
//! render, the fragments of every update and the fresh render after it.
//! `client/test-browser/invariant.test.mjs` replays them with the real JS client
//! in Chromium and compares DOMs. Each sequence is also checked here with the
//! Rust reconstructor, so a fixture is known good before the browser sees it.
//!
//! Output: `$LT_FIXTURES_DIR` (default `target/browser-fixtures/`), one JSON
//! file per template. Sequences per template: `$LT_BROWSER_SEQUENCES` (default 40).

use livetemplate::{Page, Reconstructor, Template};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

#[path = "common/invariant_templates.rs"]
mod templates;
use templates::*;

fn sequences<T, S>(strategy: S, count: usize, seed: u8) -> Vec<Value>
where
    T: Template + Clone + PartialEq + std::fmt::Debug,
    S: Strategy<Value = T>,
{
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let seqs = proptest::collection::vec(strategy, 2..8);
    (0..count)
        .map(|_| {
            let states = seqs.new_tree(&mut runner).expect("strategy").current();
            let mut states = states.into_iter();
            let mut page = Page::new(states.next().unwrap()).expect("render");
            let first = page.render();
            let mut client = Reconstructor::new(first.clone());
            let steps: Vec<Value> = states
                .map(|next| {
                    let fragments = page.update(next.clone()).expect("update");
                    client.apply(&fragments).expect("rust reconstructor");
                    let expected = Page::new(next).unwrap().render();
                    assert_eq!(client.html(), expected);
                    json!({ "fragments": fragments, "expected": expected })
                })
                .collect();
            json!({ "first": first, "steps": steps })
        })
        .collect()
}

#[test]
fn write_browser_fixtures() {
    let dir = std::env::var("LT_FIXTURES_DIR")
        .unwrap_or_else(|_| format!("{}/target/browser-fixtures", env!("CARGO_MANIFEST_DIR")));
    let count: usize = std::env::var("LT_BROWSER_SEQUENCES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    std::fs::create_dir_all(&dir).expect("fixtures dir");
    macro_rules! write {
        ($($seed:literal $name:ident: $ty:ty),* $(,)?) => {$(
            let seqs = sequences::<$ty, _>(templates::$name(), count, $seed);
            let file = format!("{dir}/{}.json", stringify!($name));
            let body = json!({ "template": stringify!($name), "sequences": seqs });
            std::fs::write(&file, body.to_string()).expect("write fixture");
        )*};
    }
    write! {
        1 text_slots: Counter,
        2 attribute_slots: Attrs,
        3 range_with_else: Todos,
        4 table_rows: Table,
        5 select_options: Select,
        6 nested_blocks: Profile,
        7 define_template: Cards,
        8 rcdata_slots: Rcdata,
        9 else_if_chain: Status,
        10 variables_and_index: Numbered,
        11 script_and_style: Scripted,
        12 full_page: FullPage,
    }
}
