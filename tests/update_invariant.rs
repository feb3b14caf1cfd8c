//! The reconstruction invariant, as property tests.
//!
//! For each template below and random sequences of states s0, s1, …, sn:
//!
//! 1. the tree that `update_tree` leaves after each step equals the tree
//!    built from scratch for that state (the generated field-level diff
//!    recomputes everything that changed), and renders the same HTML;
//! 2. applying the fragments of each `Page::update` in turn to the first
//!    render of s0, with the Rust `Reconstructor`, gives exactly the fresh
//!    render of each state, byte for byte.
//!
//! Cases per template: `PROPTEST_CASES` (test.sh sets 1000 in CI).

use livetemplate::{Page, Reconstructor, Template};
use proptest::prelude::*;

#[path = "common/invariant_templates.rs"]
mod templates;
use templates::*;

/// Checks both invariants over one sequence of states.
fn check_sequence<T: Template + Clone + PartialEq + std::fmt::Debug>(states: Vec<T>) {
    let mut states = states.into_iter();
    let first = states.next().expect("at least one state");

    // 1. update_tree reaches build_tree.
    let mut tree = first.build_tree().expect("build");
    assert_eq!(tree.html(false), first.render().unwrap());
    let mut prev = first.clone();

    // 2. fragments reconstruct the fresh render.
    let mut page = Page::new(first).expect("page");
    let mut client = Reconstructor::new(page.render());

    for next in states {
        let mut changes = Vec::new();
        next.update_tree(&prev, &mut tree, &mut changes)
            .expect("update_tree");
        assert_eq!(
            tree,
            next.build_tree().unwrap(),
            "update_tree vs build_tree"
        );

        let fragments = page.update(next.clone()).expect("update");
        if prev == next {
            assert!(fragments.is_empty(), "no change must give no fragments");
        }
        client
            .apply(&fragments)
            .unwrap_or_else(|e| panic!("apply failed: {e}\nfragments: {fragments:#?}"));
        let fresh = Page::new(next.clone()).unwrap().render();
        assert_eq!(
            client.html(),
            fresh,
            "reconstructed HTML differs from a fresh render\nfragments: {fragments:#?}"
        );
        prev = next;
    }
}

macro_rules! invariant {
    ($($name:ident: $ty:ty),* $(,)?) => {
        proptest! {
            $(
                #[test]
                fn $name(states in proptest::collection::vec(templates::$name(), 1..6)) {
                    check_sequence::<$ty>(states);
                }
            )*
        }
    };
}

invariant! {
    text_slots: Counter,
    attribute_slots: Attrs,
    range_with_else: Todos,
    table_rows: Table,
    select_options: Select,
    nested_blocks: Profile,
    define_template: Cards,
    rcdata_slots: Rcdata,
    else_if_chain: Status,
    variables_and_index: Numbered,
    script_and_style: Scripted,
    full_page: FullPage,
}

/// Tables whose rows are updated in place: the root range's items hold
/// nested ranges over the item (edited cell by cell), next to other values
/// of the row and to a nested range that reads an outer variable (rebuilt
/// whole); an attribute after the table moves with the rows' lengths.
#[livetemplate::live_template(
    source = r#"<table>{{range $r, $row := .rows}}<tr class="r{{$r}}"><th>{{len $row}}</th>{{range $c, $v := .}}<td>{{$c}}:{{$v}}</td>{{end}}<td>{{range .}}{{.}}{{end}}</td><td>{{range .}}{{len $row}}{{end}}</td></tr>{{end}}</table><p class="u{{.unit}}">{{.unit}}</p>"#
)]
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    rows: Vec<Vec<u8>>,
    unit: String,
}

/// A grid, then edits: set one cell, append or drop a cell of a row, add or
/// drop a row, or change the unit (with a cell, in one step).
fn grid_sequences() -> impl Strategy<Value = Vec<Grid>> {
    let grid = (
        proptest::collection::vec(proptest::collection::vec(0..20u8, 0..5), 0..5),
        "[a-c]{0,2}",
    )
        .prop_map(|(rows, unit)| Grid { rows, unit });
    let edit = (0..6u8, 0..6usize, 0..6usize, 0..20u8);
    (grid, proptest::collection::vec(edit, 1..12)).prop_map(|(first, edits)| {
        let mut states = vec![first];
        for (kind, r, c, v) in edits {
            let mut g = states.last().expect("first").clone();
            let n = g.rows.len();
            match kind {
                0 | 1 if n > 0 => {
                    let row = &mut g.rows[r % n];
                    if !row.is_empty() {
                        let len = row.len();
                        row[c % len] = v;
                    }
                }
                2 if n > 0 => g.rows[r % n].push(v),
                3 if n > 0 => {
                    g.rows[r % n].pop();
                }
                4 => g.rows.insert(r % (n + 1), vec![v]),
                _ => {
                    // the unit (an attribute after the table) and a cell at once
                    g.unit = format!("{}{}", g.unit, v % 3);
                    if let Some(row) = g.rows.get_mut(r % n.max(1)) {
                        if !row.is_empty() {
                            let len = row.len();
                            row[c % len] = v.wrapping_mul(7) % 200;
                        }
                    }
                }
            }
            states.push(g);
        }
        states
    })
}

proptest! {
    #[test]
    fn rows_updated_in_place(states in grid_sequences()) {
        check_sequence::<Grid>(states);
    }
}
