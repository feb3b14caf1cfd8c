//! The template description: a `BlockMeta` per block, with a `Dynamic`
//! per slot (`SlotMeta`) and control structure (`ControlMeta`, its id and
//! branches).

use super::rt;
use crate::analyse::{Block, Control, Dyn, Item, Node};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The `BlockMeta` expression of `block`.
pub fn block(block: &Block) -> TokenStream {
    let rt = rt();
    let kind = format_ident!("{}", block.kind.name());
    let (id, line) = (&block.id, block.line);
    let statics = &block.statics;
    let dynamics = block.items.iter().filter_map(|i| match i {
        Item::Dyn(d) => Some(dynamic(d)),
        _ => None,
    });
    quote!(#rt::BlockMeta {
        kind: #rt::BlockKind::#kind, id: #id, line: #line,
        statics: &[#(#statics),*], dynamics: &[#(#dynamics),*],
    })
}

/// The `Dynamic` expression of `d`.
fn dynamic(d: &Dyn) -> TokenStream {
    let rt = rt();
    let (ctl, branches): (&Control, Vec<TokenStream>) = match &d.node {
        Node::Slot(s) => {
            let (action, line, context, attr) = (&s.action, s.line, &s.context, s.attr);
            let esc = escapers(&s.escapers);
            return quote!(#rt::Dynamic::Slot(#rt::SlotMeta {
                action: #action, line: #line, context: #context, escapers: #esc,
                attr: #attr,
            }));
        }
        Node::Cond(c) => (
            &c.ctl,
            c.branches
                .iter()
                .map(|b| &b.body)
                .chain(&c.else_body)
                .map(block)
                .collect(),
        ),
        Node::Range(r) => (
            &r.ctl,
            std::iter::once(&r.body)
                .chain(&r.else_body)
                .map(block)
                .collect(),
        ),
        Node::Call(c) => (&c.ctl, vec![block(&c.body)]),
    };
    let Control {
        id,
        kind,
        fragment,
        attr,
        line,
    } = ctl;
    let kind = format_ident!("{}", kind.name());
    quote!(#rt::Dynamic::Block(#rt::ControlMeta {
        id: #id, kind: #rt::BlockKind::#kind, fragment: #fragment, attr: #attr,
        line: #line, branches: &[#(#branches),*],
    }))
}

/// `&[Escaper::…]`, the escaper chain of a slot.
pub fn escapers(escapers: &[crate::context::Escaper]) -> TokenStream {
    let rt = rt();
    let names = escapers.iter().map(|e| format_ident!("{}", e.name()));
    quote!(&[#(#rt::Escaper::#names),*])
}
