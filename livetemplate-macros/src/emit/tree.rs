//! `build_tree`: expressions building the page's `tree::Block`, the
//! statics and dynamics `update_tree` later edits. [`block`] and
//! [`dynamic`] are also how `update_tree` rebuilds a part that changed.

use super::{meta::escapers, rt};
use crate::analyse::{Block, Dyn, Item, Node, Range, Tree};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// The expression of `build_tree`; with [`Tree::split`] each root dynamic
/// is built by a method `__lt_tree_{i}` (see [`method`]) added to `methods`.
pub fn root(tree: &Tree, methods: &mut TokenStream) -> TokenStream {
    let rt = rt();
    let root = &tree.root;
    if !tree.split {
        return block(root, &quote!(&__LT_META.root));
    }
    let m = &root.meta_ident;
    for item in &root.items {
        if let Item::Dyn(d) = item {
            let name = method(d.index);
            let code = match &d.node {
                Node::Range(r) if r.item_ty.is_some() => {
                    methods.extend(item_method_def(r, m, d.index));
                    range(r, m, d.index, Some(&item_method(d.index)))
                }
                _ => dynamic(d, m),
            };
            // A slot reads no meta.
            let bind_meta = (!matches!(d.node, Node::Slot(_)))
                .then(|| quote!(let #m: &'static #rt::BlockMeta = &__LT_META.root;));
            methods.extend(quote! {
                fn #name(&self) -> ::core::result::Result<#rt::Dyn, #rt::RenderError> {
                    #bind_meta
                    ::core::result::Result::Ok(#code)
                }
            });
        }
    }
    block_with(root, &quote!(&__LT_META.root), |d| {
        let name = method(d.index);
        quote!(self.#name()?)
    })
}

/// The method building dynamic `index` of the root block.
pub fn method(index: usize) -> Ident {
    format_ident!("__lt_tree_{}", index)
}

/// The method building one item of root range `index` (see
/// [`item_method_def`]).
pub fn item_method(index: usize) -> Ident {
    format_ident!("__lt_item_{}", index)
}

/// A range of the root block over a root field (whose type is
/// [`Range::item_ty`](crate::analyse::Range::item_ty)) builds each item
/// with a method of its own, `__lt_item_{index}(key, item)` (`(item)`
/// without a key variable), which `build_tree` and the edit of the list in
/// `update_tree` both call: the body's code is emitted once. The
/// parameters are typed through the field's `Range` impl; `m0` is the
/// root block's meta binding the body reads.
fn item_method_def(r: &Range, m0: &Ident, index: usize) -> TokenStream {
    let rt = rt();
    let name = item_method(index);
    let ty = r.item_ty.as_ref();
    let (key, dot, bindings) = (&r.key, &r.dot, &r.bindings);
    let key_param = r
        .has_key
        .then(|| quote!(#key: <#ty as #rt::Range>::Key<'__lt>,));
    let body = block(&r.body, &branch_meta(m0, index, 0));
    quote! {
        fn #name<'__lt>(
            &'__lt self,
            #key_param
            #dot: &'__lt <#ty as #rt::Range>::Item,
        ) -> ::core::result::Result<#rt::Block, #rt::RenderError> {
            let #m0: &'static #rt::BlockMeta = &__LT_META.root;
            #bindings
            ::core::result::Result::Ok(#body)
        }
    }
}

/// The call of item method `name` for the item bound to `r.dot` (and its
/// key to `r.key`).
pub fn item_call(r: &Range, name: &Ident) -> TokenStream {
    let (key, dot) = (&r.key, &r.dot);
    if r.has_key {
        quote!(self.#name(#key, #dot))
    } else {
        quote!(self.#name(#dot))
    }
}

/// The expression of `block`'s `tree::Block`, whose meta is `meta`.
pub fn block(b: &Block, meta: &TokenStream) -> TokenStream {
    block_with(b, meta, |d| dynamic(d, &b.meta_ident))
}

fn block_with(
    b: &Block,
    meta: &TokenStream,
    mut dyn_code: impl FnMut(&Dyn) -> TokenStream,
) -> TokenStream {
    let rt = rt();
    let mut out = TokenStream::new();
    for item in &b.items {
        match item {
            Item::Static(_) => {}
            Item::Decl(stmt) => out.extend(stmt.clone()),
            Item::Dyn(d) => {
                let code = dyn_code(d);
                out.extend(quote!(__dyns.push(#code);));
            }
        }
    }
    // A block of static text only (`{{if .a}}on{{end}}`).
    if b.dyn_count == 0 && out.is_empty() {
        return quote!(#rt::Block::new(#meta, ::std::vec::Vec::new()));
    }
    let (m, n) = (&b.meta_ident, b.dyn_count);
    quote!({
        let #m: &'static #rt::BlockMeta = #meta;
        let mut __dyns: ::std::vec::Vec<#rt::Dyn> = ::std::vec::Vec::with_capacity(#n);
        #out
        #rt::Block::new(#m, __dyns)
    })
}

/// The meta expression of branch `branch` of dynamic `index` of the block
/// whose meta is bound to `parent`.
pub fn branch_meta(parent: &Ident, index: usize, branch: usize) -> TokenStream {
    let rt = rt();
    quote!(#rt::__private::branch(#parent, #index, #branch))
}

/// The `Dyn` expression of `d`, a dynamic of the block whose meta is bound
/// to `parent`.
pub fn dynamic(d: &Dyn, parent: &Ident) -> TokenStream {
    let rt = rt();
    let index = d.index;
    let cond = |body: TokenStream| quote!(#rt::Dyn::Cond(::core::option::Option::Some(::std::boxed::Box::new(#body))));
    match &d.node {
        Node::Slot(s) => {
            let (value, esc) = (&s.value, escapers(&s.escapers));
            match s.escapers.first() {
                Some(crate::context::Escaper::JsVal) => {
                    quote!((&&&#rt::__private::ops::JsPrint(#value)).lt_text(#esc))
                }
                _ => quote!((&&#rt::__private::ops::Print(#value)).lt_text(#esc)),
            }
        }
        Node::Cond(c) => {
            let n = c.branches.len();
            let mut tail = match &c.else_body {
                Some(b) => cond(block(b, &branch_meta(parent, index, n))),
                None => quote!(#rt::Dyn::Cond(::core::option::Option::None)),
            };
            for (i, b) in c.branches.iter().enumerate().rev() {
                let (prelude, test) = (&b.prelude, &b.test);
                let body = cond(block(&b.body, &branch_meta(parent, index, i)));
                tail = quote!({ #prelude if #test { #body } else { #tail } });
            }
            tail
        }
        Node::Range(r) => range(r, parent, index, None),
        Node::Call(c) => {
            let prelude = &c.prelude;
            let body = block(&c.body, &branch_meta(parent, index, 0));
            quote!({ #prelude #rt::Dyn::Call(::std::boxed::Box::new(#body)) })
        }
    }
}

/// A range's `Dyn::List`; its items built by method `item` when given
/// (see [`item_method_def`]).
fn range(r: &Range, parent: &Ident, index: usize, item: Option<&Ident>) -> TokenStream {
    let rt = rt();
    let (coll_ident, bind, key, dot, bindings) =
        (&r.coll_ident, &r.coll, &r.key, &r.dot, &r.bindings);
    let coll_ref = if r.coll_owned {
        quote!(&#coll_ident)
    } else {
        quote!(#coll_ident)
    };
    let item = match item {
        Some(name) => {
            let call = item_call(r, name);
            quote!(__items.push(#call?);)
        }
        None => {
            let body = block(&r.body, &branch_meta(parent, index, 0));
            quote!(#bindings __items.push(#body);)
        }
    };
    let else_block = match &r.else_body {
        Some(b) => {
            let code = block(b, &branch_meta(parent, index, 1));
            quote!(if __items.is_empty() {
                ::core::option::Option::Some(::std::boxed::Box::new(#code))
            } else {
                ::core::option::Option::None
            })
        }
        None => quote!(::core::option::Option::None),
    };
    quote!({
        let #coll_ident = #bind;
        let mut __items: ::std::vec::Vec<#rt::Block> = ::std::vec::Vec::new();
        for (#key, #dot) in #rt::Range::range_items(#coll_ref) {
            #item
        }
        let __else = #else_block;
        #rt::Dyn::List { items: __items, else_block: __else }
    })
}
