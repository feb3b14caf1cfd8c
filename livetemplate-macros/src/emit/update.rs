//! `update_tree`: statements bringing the tree built for `__old` to
//! `self`, recording in `__changes` what they replace. Each dynamic of
//! the root block is recomputed only when a root field it reads differs
//! (each field compared once, at the top); a range over a root field is
//! edited item by item, keeping the blocks of items equal in both states,
//! and updating in place the items of a range that has an item update
//! ([`crate::analyse::Range::item_update`]).

use super::{rt, tree};
use crate::analyse::{rust_ident, Dyn, Item, Node, Range, RootDeps, Tree};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// The body of `update_tree`; root ranges edited item by item go to
/// methods of their own (see [`super`]).
pub fn root(tree: &Tree, methods: &mut TokenStream) -> TokenStream {
    let rt = rt();
    let root = &tree.root;
    let m0 = &root.meta_ident;
    let mut out = quote!(let #m0: &'static #rt::BlockMeta = &__LT_META.root;);
    // Root field name -> the local holding whether it changed.
    let mut flags: BTreeMap<String, Ident> = BTreeMap::new();
    for item in &root.items {
        let d = match item {
            Item::Static(_) => continue,
            Item::Decl(stmt) => {
                out.extend(stmt.clone());
                continue;
            }
            Item::Dyn(d) => d,
        };
        let index = d.index;
        let changed = changed_once(&d.deps, &mut flags);
        let code = if tree.split {
            let name = tree::method(index);
            quote!(self.#name()?)
        } else {
            tree::dynamic(d, m0)
        };
        let rebuild = quote!(#rt::__private::replace_dyn(__tree, __changes, #index, #code););
        let body = match &d.node {
            Node::Range(r) if r.root_field.is_some() => {
                let splice = root_range(r, d, m0, &rebuild);
                if tree.split {
                    let name = format_ident!("__lt_update_{}", index);
                    methods.extend(quote! {
                        fn #name(
                            &self,
                            __old: &Self,
                            __tree: &mut #rt::Block,
                            __changes: &mut ::std::vec::Vec<#rt::Change>,
                        ) -> ::core::result::Result<(), #rt::RenderError> {
                            let #m0: &'static #rt::BlockMeta = &__LT_META.root;
                            #splice
                            ::core::result::Result::Ok(())
                        }
                    });
                    quote!(self.#name(__old, __tree, __changes)?;)
                } else {
                    splice
                }
            }
            _ => rebuild,
        };
        out.extend(quote!(if #changed { #body }));
    }
    let compare = flags.iter().map(|(field, flag)| {
        let f = rust_ident(field);
        quote!(let #flag = (&&#rt::__private::Cmp(&__old.#f, &self.#f)).lt_changed();)
    });
    quote!(#(#compare)* #out)
}

/// A range of the root block over root field `r.root_field`, edited item
/// by item: items equal in both states keep their rendered block, unless
/// the body reads another root field that changed.
fn root_range(r: &Range, d: &Dyn, m0: &Ident, rebuild: &TokenStream) -> TokenStream {
    let f = rust_ident(r.root_field.as_deref().unwrap_or_default());
    let body_same = if r.body.deps.all {
        quote!(false)
    } else {
        let c = changed(&r.body.deps);
        quote!(!(#c))
    };
    splice(
        r,
        m0,
        d.index,
        &Splice {
            old_coll: quote!(&__old.#f),
            new_coll: quote!(&self.#f),
            owned: false,
            target: {
                let i = d.index;
                quote!(__tree.dyns[#i])
            },
            changes: quote!(__changes),
            rebuild,
            body_same,
            item_update: item_update(r),
        },
    )
}

/// `true` when any of `deps` differs between `__old` and `self`.
fn changed(deps: &RootDeps) -> TokenStream {
    let rt = rt();
    if deps.all {
        return quote!(true);
    }
    if deps.fields.is_empty() {
        return quote!(false);
    }
    let tests = deps.fields.iter().map(|f| {
        let f = rust_ident(f);
        quote!((&&#rt::__private::Cmp(&__old.#f, &self.#f)).lt_changed())
    });
    quote!(#(#tests)||*)
}

/// [`changed`] at the top of `update_tree`, where a page's dynamics read
/// the same few fields over and over: each field is compared once, into a
/// local named in `flags`.
fn changed_once(deps: &RootDeps, flags: &mut BTreeMap<String, Ident>) -> TokenStream {
    if deps.all {
        return quote!(true);
    }
    if deps.fields.is_empty() {
        return quote!(false);
    }
    let mut tests: Vec<Ident> = Vec::new();
    for f in &deps.fields {
        let n = flags.len();
        let flag = flags
            .entry(f.clone())
            .or_insert_with(|| format_ident!("__lt_changed{}", n));
        tests.push(flag.clone());
    }
    quote!(#(#tests)||*)
}

/// How a list is spliced (see [`splice`]).
struct Splice<'a> {
    /// The collections in the two states: both references, or both owned
    /// values when `owned`.
    old_coll: TokenStream,
    new_coll: TokenStream,
    owned: bool,
    /// The list's `Dyn`.
    target: TokenStream,
    /// Where the edits go.
    changes: TokenStream,
    /// What runs when the list cannot be edited item by item.
    rebuild: &'a TokenStream,
    /// The body reads nothing else that changed: equal items may be kept.
    body_same: TokenStream,
    /// Statements updating an item in place (see [`item_update`]).
    item_update: Option<TokenStream>,
}

/// Code editing the list of range `r` (dynamic `index` of the block whose
/// meta is bound to `parent`) item by item (see [`Splice`]): items equal
/// in both states keep their rendered block; changed ones are updated in
/// place when the range has an item update, else rebuilt.
fn splice(r: &Range, parent: &Ident, index: usize, s: &Splice) -> TokenStream {
    let rt = rt();
    let (dot, key, bindings) = (&r.dot, &r.key, &r.bindings);
    // An item: through the range's item method when it has one (the
    // method `build_tree` calls too), else its code here.
    let build = match &r.item_ty {
        Some(_) => tree::item_call(r, &tree::item_method(index)),
        None => {
            let body = tree::block(&r.body, &tree::branch_meta(parent, index, 0));
            quote!({ #bindings ::core::result::Result::Ok(#body) })
        }
    };
    let Splice {
        old_coll,
        new_coll,
        target,
        changes,
        rebuild,
        body_same,
        ..
    } = s;
    let (oc, nc) = if s.owned {
        (quote!(&__oc), quote!(&__nc))
    } else {
        (quote!(__oc), quote!(__nc))
    };
    // With a key variable, an item renders from its key and value:
    // items are compared as (key, value) pairs, so an item whose index
    // shifted is rebuilt.
    let (items, item_at, old_at) = if r.has_key {
        (
            quote!(let __olds: ::std::vec::Vec<(_, &_)> = #rt::Range::range_items(#oc).collect();
            let __news: ::std::vec::Vec<(_, &_)> = #rt::Range::range_items(#nc).collect();),
            quote!(let (#key, #dot) = __news[__j];),
            quote!(__olds[__i].1),
        )
    } else {
        (
            quote!(let __olds: ::std::vec::Vec<&_> =
                #rt::Range::range_items(#oc).map(|(_, v)| v).collect();
            let __news: ::std::vec::Vec<&_> =
                #rt::Range::range_items(#nc).map(|(_, v)| v).collect();),
            quote!(let #dot = __news[__j];),
            quote!(__olds[__i]),
        )
    };
    let update = match &s.item_update {
        Some(stmts) => quote!(
            |__i: usize, __j: usize, __item: &mut #rt::Block| -> #rt::__private::ItemUpdate {
                #item_at
                #bindings
                let __odot = #old_at;
                let mut __ch: ::std::vec::Vec<#rt::Change> = ::std::vec::Vec::new();
                #stmts
                ::core::result::Result::Ok(::core::option::Option::Some(__ch))
            }
        ),
        None => quote!(
            |_: usize, _: usize, _: &mut #rt::Block| -> #rt::__private::ItemUpdate {
                ::core::result::Result::Ok(::core::option::Option::None)
            }
        ),
    };
    quote! {{
        let __oc = #old_coll;
        let __nc = #new_coll;
        #items
        let __ops = if #body_same {
            (&&&#rt::__private::ItemsDiff(&__olds, &__news)).lt_item_ops()
        } else {
            ::core::option::Option::None
        };
        let __edits = #rt::__private::splice_items(
            &mut #target, __ops, __olds.len(), __news.len(),
            &mut |__j| {
                #item_at
                #build
            },
            &mut #update,
        )?;
        match __edits {
            ::core::option::Option::Some(__edits) => {
                if !__edits.is_empty() {
                    #changes.push(#rt::Change::List { index: #index, edits: __edits });
                }
            }
            ::core::option::Option::None => { #rebuild }
        }
    }}
}

/// Statements updating `__item`, the block of an item of `r`, in place
/// from the old item `__odot` to the new one (bound to `r.dot`),
/// recording what they replace in `__ch`, when `r` has an item update: a
/// nested range over the item (a table row's cells) whose body reads
/// nothing else is edited item by item, so one changed cell rebuilds one
/// cell, not the row. Every other dynamic of the body is recomputed and
/// kept only when it differs. `None` otherwise: the item is rebuilt
/// whole, and the code is not generated (it would be a second copy of the
/// body; a 200-line page compiled 2 s slower with it).
fn item_update(r: &Range) -> Option<TokenStream> {
    if !r.item_update {
        return None;
    }
    let rt = rt();
    let m = &r.body.meta_ident;
    let mut out = quote!(let #m: &'static #rt::BlockMeta = __item.meta;);
    for item in &r.body.items {
        let d = match item {
            Item::Static(_) => continue,
            Item::Decl(stmt) => {
                out.extend(stmt.clone());
                continue;
            }
            Item::Dyn(d) => d,
        };
        let index = d.index;
        let code = tree::dynamic(d, m);
        let rebuild =
            quote!(#rt::__private::replace_dyn_if_changed(__item, &mut __ch, #index, #code););
        let stmt = match &d.node {
            Node::Range(nested) if nested.spliceable => {
                let (dot, coll) = (&r.dot, &nested.coll);
                splice(
                    nested,
                    m,
                    index,
                    &Splice {
                        old_coll: quote!({ let #dot = __odot; #coll }),
                        new_coll: coll.clone(),
                        owned: nested.coll_owned,
                        target: quote!(__item.dyns[#index]),
                        changes: quote!(__ch),
                        rebuild: &rebuild,
                        body_same: quote!(true),
                        item_update: None,
                    },
                )
            }
            _ => rebuild,
        };
        out.extend(stmt);
    }
    Some(out)
}
