//! `render_into`: statements writing the page's HTML to `__out`.

use super::{meta::escapers, rt};
use crate::analyse::{Block, Dyn, Item, Node, Tree};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The body of `render_into`; the root's dynamics go to `methods` (see
/// [`super`]).
pub fn root(tree: &Tree, methods: &mut TokenStream) -> TokenStream {
    let rt = rt();
    let result = quote!(::core::result::Result);
    let mut body = TokenStream::new();
    for item in &tree.root.items {
        match item {
            Item::Dyn(d) if tree.split => {
                let name = format_ident!("__lt_render_{}", d.index);
                let code = dynamic(d);
                methods.extend(quote! {
                    fn #name(&self, __out: &mut ::std::string::String) -> #result<(), #rt::RenderError> {
                        #code
                        #result::Ok(())
                    }
                });
                body.extend(quote!(self.#name(__out)?;));
            }
            _ => body.extend(item_code(item)),
        }
    }
    // The render reserves `Template::size_hint`: the static estimate, or
    // what the previous render of the type wrote (`__LT_LAST_LEN`, a static
    // next to the impl, see `lib.rs`), since ranges make the estimate short.
    quote! {
        let __lt_start = __out.len();
        __out.reserve(#rt::Template::size_hint(self));
        #body
        __LT_LAST_LEN.store(__out.len() - __lt_start, ::core::sync::atomic::Ordering::Relaxed);
    }
}

fn block(block: &Block) -> TokenStream {
    block.items.iter().map(item_code).collect()
}

fn item_code(item: &Item) -> TokenStream {
    match item {
        Item::Static(s) => quote!(__out.push_str(#s);),
        Item::Decl(stmt) => stmt.clone(),
        Item::Dyn(d) => dynamic(d),
    }
}

fn dynamic(d: &Dyn) -> TokenStream {
    let rt = rt();
    match &d.node {
        Node::Slot(s) => {
            let (value, esc) = (&s.value, escapers(&s.escapers));
            match s.escapers.first() {
                Some(crate::context::Escaper::JsVal) => {
                    quote!((&&&#rt::__private::ops::JsPrint(#value)).lt_emit(#esc, __out);)
                }
                _ => quote!((&&#rt::__private::ops::Print(#value)).lt_emit(#esc, __out);),
            }
        }
        Node::Cond(c) => {
            // From the else outwards: else { prelude; if c { b } else { … } }.
            let mut tail = c.else_body.as_ref().map(block).unwrap_or_default();
            for b in c.branches.iter().rev() {
                let (prelude, test, body) = (&b.prelude, &b.test, block(&b.body));
                tail = quote!({ #prelude if #test { #body } else { #tail } });
            }
            tail
        }
        Node::Range(r) => {
            let (coll_ident, bind, key, dot, bindings) =
                (&r.coll_ident, &r.coll, &r.key, &r.dot, &r.bindings);
            let coll_ref = if r.coll_owned {
                quote!(&#coll_ident)
            } else {
                quote!(#coll_ident)
            };
            let body = block(&r.body);
            match &r.else_body {
                Some(else_body) => {
                    let empty = &r.empty;
                    let else_code = block(else_body);
                    quote!({
                        let #coll_ident = #bind;
                        let mut #empty = true;
                        for (#key, #dot) in #rt::Range::range_items(#coll_ref) {
                            #empty = false;
                            #bindings
                            #body
                        }
                        if #empty { #else_code }
                    })
                }
                None => quote!({
                    let #coll_ident = #bind;
                    for (#key, #dot) in #rt::Range::range_items(#coll_ref) {
                        #bindings
                        #body
                    }
                }),
            }
        }
        Node::Call(c) => {
            let (prelude, body) = (&c.prelude, block(&c.body));
            quote!({ #prelude #body })
        }
    }
}
