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
use proptest::collection::vec;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

#[path = "common/invariant_templates.rs"]
mod templates;
use templates::*;

/// `count` sequences of states drawn from `seqs` (at least two states each).
fn sequences<T, S>(seqs: S, count: usize, seed: u8) -> Vec<Value>
where
    T: Template + Clone + PartialEq + std::fmt::Debug,
    S: Strategy<Value = Vec<T>>,
{
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
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
        ($($seed:literal $name:ident: $ty:ty = $seqs:expr),* $(,)?) => {$(
            let seqs = sequences::<$ty, _>($seqs, count, $seed);
            let file = format!("{dir}/{}.json", stringify!($name));
            let body = json!({ "template": stringify!($name), "sequences": seqs });
            std::fs::write(&file, body.to_string()).expect("write fixture");
        )*};
    }
    write! {
        1 text_slots: Counter = vec(templates::text_slots(), 2..8),
        2 attribute_slots: Attrs = vec(templates::attribute_slots(), 2..8),
        3 range_with_else: Todos = vec(templates::range_with_else(), 2..8),
        4 table_rows: Table = vec(templates::table_rows(), 2..8),
        5 select_options: Select = vec(templates::select_options(), 2..8),
        6 nested_blocks: Profile = vec(templates::nested_blocks(), 2..8),
        7 define_template: Cards = vec(templates::define_template(), 2..8),
        8 rcdata_slots: Rcdata = vec(templates::rcdata_slots(), 2..8),
        9 else_if_chain: Status = vec(templates::else_if_chain(), 2..8),
        10 variables_and_index: Numbered = vec(templates::variables_and_index(), 2..8),
        11 script_and_style: Scripted = vec(templates::script_and_style(), 2..8),
        12 full_page: FullPage = vec(templates::full_page(), 2..8),
        13 item_trees: Entries = entry_sequences().prop_map(|s| s.into_iter().map(|(e, _)| e).collect()),
        14 rows_in_place: Grid = grid_sequences(),
    }
}
