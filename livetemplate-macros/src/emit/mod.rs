//! Code generation from the analysed template ([`crate::analyse::Tree`]):
//! four emitters, each a walk of the tree that cannot fail.
//!
//! - [`render`]: the body of `Template::render_into`, writing HTML;
//! - [`tree`]: the expression of `build_tree`, building `tree::Block`s
//!   (also what `update_tree` rebuilds a changed part with);
//! - [`update`]: the body of `update_tree`, recomputing only what reads a
//!   root field that changed, and editing root ranges item by item;
//! - [`meta`]: the `BlockMeta` of the root block (statics, slot metas,
//!   control metas with their ids), the static behind `Template::META`.
//!
//! Each dynamic of the root block gets methods of its own (when
//! [`Tree::split`](crate::analyse::Tree::split)): `__lt_render_{i}` writes
//! it, `__lt_tree_{i}` builds its `Dyn` (which `update_tree` calls again to
//! rebuild it), `__lt_update_{i}` edits a root range in place, and
//! `__lt_item_{i}` builds one item of a root range over a root field (for
//! both `__lt_tree_{i}` and `__lt_update_{i}`: the body is emitted once). rustc
//! checks, borrow-checks and (incrementally) re-checks a function as a
//! whole, and the borrow check grows faster than the function: many small
//! methods cost less than three large bodies, and a template edit re-checks
//! only the methods it changed.

mod meta;
mod render;
mod tree;
mod update;

use crate::analyse::Tree;
use proc_macro2::TokenStream;
use quote::quote;

pub struct Generated {
    /// Statements of `render_into`.
    pub body: TokenStream,
    /// A `BlockMeta` expression for the root block.
    pub meta: TokenStream,
    /// Expression of `build_tree` (a `tree::Block`, may use `?`).
    pub tree: TokenStream,
    /// Statements of `update_tree(&self, __old, __tree, __changes)`.
    pub update: TokenStream,
    /// Methods of the struct the three bodies call.
    pub methods: TokenStream,
    pub size_hint: usize,
}

/// Emits the code of `tree`.
pub fn generate(tree: &Tree) -> Generated {
    let mut methods = TokenStream::new();
    let body = render::root(tree, &mut methods);
    let tree_expr = tree::root(tree, &mut methods);
    let update = update::root(tree, &mut methods);
    Generated {
        body,
        meta: meta::block(&tree.root),
        tree: tree_expr,
        update,
        methods,
        size_hint: tree.static_bytes + 16 * tree.slots,
    }
}

/// The runtime's path in generated code.
fn rt() -> TokenStream {
    quote!(::livetemplate::__rt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(src: &str, fields: &[(&str, &str)]) -> Generated {
        let file = crate::parse::parse(src).expect("parses");
        let lowered = crate::lower::lower(&file, src).expect("lowers");
        let input = crate::analyse::Input {
            path: "t.html",
            src,
            fields: fields.iter().map(|(f, _)| f.to_string()).collect(),
            types: fields
                .iter()
                .map(|(_, t)| t.parse().expect("a type"))
                .collect(),
            calls: Default::default(),
        };
        let tree = crate::analyse::analyse(&input, &lowered.block).expect("no errors");
        generate(&tree)
    }

    /// How many times `needle` occurs in `code`, spaces ignored.
    fn count(code: &TokenStream, needle: &str) -> usize {
        let code: String = code.to_string().split_whitespace().collect();
        let needle: String = needle.split_whitespace().collect();
        code.matches(&needle).count()
    }

    /// The code of the tree, the update and the methods.
    fn code(g: &Generated) -> TokenStream {
        let (t, u, m) = (&g.tree, &g.update, &g.methods);
        quote!(#t #u #m)
    }

    #[test]
    fn a_root_range_item_body_is_emitted_once_for_tree_and_update() {
        let g = generated(
            "<ul>{{range .items}}<li>{{.name}}</li>{{end}}</ul>",
            &[("items", "Vec<Item>")],
        );
        let code = code(&g);
        // The item's text slot: built in `__lt_item_0` only, which
        // `__lt_tree_0` and `__lt_update_0` both call.
        assert_eq!(count(&code, "lt_text"), 1, "{code}");
        assert_eq!(count(&code, "fn __lt_item_0"), 1);
        assert_eq!(count(&code, "self . __lt_item_0 ("), 2);
        assert_eq!(
            count(
                &code,
                "< Vec < Item > as :: livetemplate :: __rt :: Range > :: Item"
            ),
            1
        );
        // The render writes it, once.
        assert_eq!(count(&g.methods, "lt_emit"), 1);
    }

    #[test]
    fn an_unsplit_root_builds_items_inline() {
        // A root variable keeps the root's code whole: no methods; the
        // body (two slots) is in `build_tree`, and in the edit of the list
        // twice (an item, and the whole list when it cannot be edited).
        let g = generated(
            "{{$n := len .items}}{{range .items}}<li>{{.name}} {{$n}}</li>{{end}}",
            &[("items", "Vec<Item>")],
        );
        assert!(g.methods.is_empty());
        assert_eq!(count(&code(&g), "lt_text"), 6, "{}", code(&g));
    }
}
