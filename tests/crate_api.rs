//! The crate as users install it: what `cargo package` ships must be what
//! the repository builds, and what `livetemplate`'s signatures name must be
//! reachable from `livetemplate`.

/// `livetemplate-runtime` serves its own copy of the built client
/// (`livetemplate-runtime/assets/`, packaged with the crate: a crate cannot
/// include files outside its directory); `client/build.mjs` writes both.
/// The copy must be the bundle `client/dist/` holds, byte for byte.
#[test]
fn client_js_is_client_dist() {
    let dist = include_str!("../client/dist/livetemplate.min.js");
    assert!(
        livetemplate::CLIENT_JS == dist,
        "livetemplate-runtime/assets/livetemplate.min.js differs from client/dist/livetemplate.min.js \
         ({} and {} bytes): run `node client/build.mjs` (or copy the file)",
        livetemplate::CLIENT_JS.len(),
        dist.len()
    );
}

/// Every type `livetemplate`'s public signatures name is named here through
/// `livetemplate` alone, as an application would: the template description
/// (`Template::META`), a page's tree (`Page::tree`, `Template::update_tree`),
/// `Slot::content` and `RenderError::loc`. (A type that lost its re-export is
/// a build error of this test.)
mod reachable {
    use livetemplate::{
        live_template, Block, BlockKind, BlockMeta, Change, Content, ControlMeta, Dyn, Dynamic,
        Escaper, ListEdit, Loc, Page, RenderError, Slot, SlotMeta, Template, TemplateMeta,
    };

    #[live_template(source = "<p>{{.title}}</p>{{range .items}}<i>{{.}}</i>{{end}}")]
    #[derive(Clone, PartialEq)]
    struct View {
        title: String,
        items: Vec<u32>,
    }

    #[test]
    fn template_meta_through_livetemplate() {
        let meta: &TemplateMeta = View::META;
        let root: &BlockMeta = &meta.root;
        assert_eq!(root.kind, BlockKind::Root);
        let slot: &SlotMeta = root
            .dynamics
            .iter()
            .find_map(|d: &Dynamic| match d {
                Dynamic::Slot(s) => Some(s),
                Dynamic::Block(_) => None,
            })
            .unwrap();
        assert_eq!(slot.action, "{{.title}}");
        assert_eq!(slot.escapers, [Escaper::Html]);
        let range: &ControlMeta = root
            .dynamics
            .iter()
            .find_map(|d| match d {
                Dynamic::Block(c) => Some(c),
                Dynamic::Slot(_) => None,
            })
            .unwrap();
        assert_eq!(range.branches[0].kind, BlockKind::Range);
    }

    #[test]
    fn page_tree_through_livetemplate() {
        let old = View {
            title: "a".into(),
            items: vec![1],
        };
        let page = Page::new(old.clone()).unwrap();
        let tree: &Block = page.tree();
        assert!(matches!(&tree.dyns[0], Dyn::Text(t) if t == "a"));
        assert!(matches!(&tree.dyns[1], Dyn::List { items, .. } if items.len() == 1));

        let new = View {
            title: "a".into(),
            items: vec![1, 2],
        };
        let mut tree: Block = old.build_tree().unwrap();
        let mut changes: Vec<Change> = Vec::new();
        new.update_tree(&old, &mut tree, &mut changes).unwrap();
        let edits: Vec<&ListEdit> = changes
            .iter()
            .flat_map(|c| match c {
                Change::List { edits, .. } => edits.edits().iter().collect(),
                Change::Replaced { .. } => Vec::new(),
            })
            .collect();
        assert!(!edits.is_empty());
    }

    #[test]
    fn slot_content_and_error_loc_through_livetemplate() {
        struct Bold;
        impl Slot for Bold {
            fn write_plain(&self, out: &mut String) {
                out.push_str("<b>bold</b>");
            }
            fn content(&self) -> Content {
                Content::Html
            }
        }
        assert_eq!(Bold.content(), Content::Html);

        #[live_template(source = "{{index .items 3}}")]
        struct Missing {
            items: Vec<u32>,
        }
        let err: RenderError = Missing { items: vec![] }.render().unwrap_err();
        let loc: &Loc = &err.loc;
        assert_eq!((loc.line, loc.action), (1, "{{index .items 3}}"));
    }
}
