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

use livetemplate::{Fragment, Page, Reconstructor, Template};
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
        // through the wire, as a client gets them (ids cut to 4 digits)
        let json = serde_json::to_string(&fragments).unwrap();
        let wire: Vec<Fragment> = serde_json::from_str(&json).expect("the wire form reads back");
        client
            .apply(&wire)
            .unwrap_or_else(|e| panic!("apply failed: {e}\nfragments: {fragments:#?}"));
        let fresh = Page::new(next.clone()).unwrap().render();
        assert_eq!(
            client.html(),
            fresh,
            "reconstructed HTML differs from a fresh render\nfragments: {fragments:#?}"
        );
        // 3. never more bytes than replacing the root with the fresh render
        if let Some((root, content)) = root_content(&fresh) {
            let sent = serde_json::to_string(&fragments).unwrap().len();
            let whole = serde_json::to_string(&[Fragment::replacement(root.to_owned(), content)])
                .unwrap()
                .len();
            assert!(
                sent <= whole,
                "{sent} bytes sent where replacing the root takes {whole}\nfragments: {fragments:#?}"
            );
        }
        prev = next;
    }
}

/// The root's id and content in a render: `<!--ID-->content<!--/ID-->`.
fn root_content(html: &str) -> Option<(&str, &str)> {
    let id = html.strip_prefix("<!--")?.split_once("-->")?.0;
    let inner = html.strip_prefix(&format!("<!--{id}-->"))?;
    Some((id, inner.strip_suffix(&format!("<!--/{id}-->"))?))
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

proptest! {
    #[test]
    fn keyed_items(states in task_sequences()) {
        check_sequence::<Tasks>(states);
    }

    #[test]
    fn rows_updated_in_place(states in grid_sequences()) {
        check_sequence::<Grid>(states);
    }
}

proptest! {
    /// Entries edited one change at a time: the invariant holds, and a
    /// change of text only inside items is sent as markers (patches of the
    /// items' values, through their folded blocks, never the items' tree),
    /// or as the root's replacement when that is smaller.
    #[test]
    fn item_text_is_markers(steps in entry_sequences()) {
        let states: Vec<Entries> = steps.iter().map(|(s, _)| s.clone()).collect();
        check_sequence(states);
        let mut page = Page::new(steps[0].0.clone()).expect("page");
        for (next, text_only) in &steps[1..] {
            let fragments = page.update(next.clone()).expect("update");
            // unless the root's replacement is smaller
            let html = page.render();
            let root = root_content(&html).expect("root").0;
            let capped = matches!(fragments.as_slice(),
                [f] if f.id == root && f.strategy == livetemplate::Strategy::Replacement);
            if *text_only && !capped {
                for f in &fragments {
                    prop_assert_eq!(f.strategy, livetemplate::Strategy::Markers, "{:?}", f);
                }
            }
        }
    }
}

/// Every block of a template's tree (branches, range bodies, called
/// templates) has an id of its own: blocks are told apart by id
/// (`BlockMeta::same_block`), not by the address of their meta.
fn block_ids(meta: &'static livetemplate::__rt::BlockMeta, out: &mut Vec<&'static str>) {
    out.push(meta.id);
    for d in meta.dynamics {
        if let livetemplate::__rt::Dynamic::Block(c) = d {
            for b in c.branches {
                block_ids(b, out);
            }
        }
    }
}

fn assert_unique_block_ids<T: Template>() {
    let mut ids = Vec::new();
    block_ids(&T::META.root, &mut ids);
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        ids.len(),
        "{}: a block id repeats: {ids:?}",
        std::any::type_name::<T>()
    );
    // The wire names a block by its first digits: they differ too.
    let mut wire: Vec<&str> = ids.iter().map(|id| &id[..6]).collect();
    wire.sort_unstable();
    wire.dedup();
    assert_eq!(wire.len(), ids.len(), "wire ids repeat: {ids:?}");
    // Equal ids are the same block: a copy of the meta compares equal to it.
    let root = &T::META.root;
    assert!(root.same_block(&T::META.root));
}

#[test]
fn block_ids_are_unique_within_each_template() {
    assert_unique_block_ids::<Counter>();
    assert_unique_block_ids::<Attrs>();
    assert_unique_block_ids::<Todos>();
    assert_unique_block_ids::<Table>();
    assert_unique_block_ids::<Select>();
    assert_unique_block_ids::<Profile>();
    assert_unique_block_ids::<Cards>();
    assert_unique_block_ids::<Rcdata>();
    assert_unique_block_ids::<Status>();
    assert_unique_block_ids::<Numbered>();
    assert_unique_block_ids::<Scripted>();
    assert_unique_block_ids::<FullPage>();
    assert_unique_block_ids::<Entries>();
    assert_unique_block_ids::<Grid>();
}
