//! Code generation: the escaped template ([`crate::lower::Block`]) becomes
//! the body of `Template::render_into` and the `TemplateMeta` constant.
//!
//! Every expression compiles to a Rust expression over references into the
//! view-model, so rendering copies nothing but the output; the value traits of
//! `livetemplate-runtime` give each type its Go meaning (truthiness, range,
//! printing). Field names of the root struct are checked here, with a
//! suggestion; fields of nested types are checked by rustc.

use crate::ast::{Expr, Ident as TIdent, Pipeline, Span};
use crate::context::Escaper;
use crate::diag::{line_col, TemplateError};
use crate::lower::{Body, Part};
use crate::suggest::closest;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

/// What the generator needs to know besides the template.
pub struct Input<'a> {
    /// Template path as written in the attribute (or `<inline>`).
    pub path: &'a str,
    pub src: &'a str,
    /// Field names of the struct the attribute is on.
    pub fields: Vec<String>,
}

pub struct Generated {
    /// Statements of `render_into`.
    pub body: TokenStream,
    /// A `BlockMeta` expression for the root block.
    pub meta: TokenStream,
    /// Expression of `build_tree` (a `tree::Block`, may use `?`).
    pub tree: TokenStream,
    /// Statements of `update_tree(&self, __old, __tree, __changes)`.
    pub update: TokenStream,
    /// Methods of the struct the three bodies call (see [`Gen::split`]).
    pub methods: TokenStream,
    pub size_hint: usize,
}

/// Compiles `root` for `input`: the render, the tree build and the update.
pub fn generate(input: &Input, root: &Body) -> Result<Generated, TemplateError> {
    let mut g = Gen {
        input,
        rt: quote!(::livetemplate::__rt),
        mode: Mode::Render,
        next_id: 0,
        static_bytes: 0,
        slots: 0,
        range_depth: 0,
        collectors: Vec::new(),
        last_range: None,
        want_item_update: false,
        ids: livetemplate_shared::Ids::new(),
        // Root variables (`{{$x := …}}` at the top level) are locals of the
        // root's code, which the dynamics after them read: keep it whole.
        split: !root.items.iter().any(|p| matches!(p, Part::Decl { .. })),
        methods: TokenStream::new(),
    };
    // The static behind `Template::META` (see `lib.rs`).
    let root_meta = quote!(&__LT_META.root);
    let (body, meta) = g.block(
        root,
        &mut Scope::root(),
        Kind::Root,
        "0",
        0,
        root_meta.clone(),
    )?;
    // The render reserves `Template::size_hint`: the static estimate, or
    // what the previous render of the type wrote (`__LT_LAST_LEN`, a static
    // next to the impl, see `lib.rs`), since ranges make the estimate short.
    let rt_path = g.rt.clone();
    let body = quote! {
        let __lt_start = __out.len();
        __out.reserve(#rt_path::Template::size_hint(self));
        #body
        __LT_LAST_LEN.store(__out.len() - __lt_start, ::core::sync::atomic::Ordering::Relaxed);
    };
    g.mode = Mode::Tree;
    let (tree, _) = g.block(
        root,
        &mut Scope::root(),
        Kind::Root,
        "0",
        0,
        root_meta.clone(),
    )?;
    let update = g.update(root, root_meta)?;
    Ok(Generated {
        body,
        meta,
        tree,
        update,
        methods: g.methods,
        size_hint: g.static_bytes + 16 * g.slots,
    })
}

struct Gen<'a> {
    input: &'a Input<'a>,
    rt: TokenStream,
    mode: Mode,
    next_id: usize,
    static_bytes: usize,
    slots: usize,
    /// How many `range` bodies enclose the code being generated.
    range_depth: usize,
    /// Root fields read by the code being generated (innermost last).
    collectors: Vec<RootDeps>,
    /// Pieces of the last range generated in Tree mode (for item reuse).
    last_range: Option<RangeParts>,
    /// Set by `update` for a root-level range: the range also generates the
    /// in-place update of its items (see [`Gen::item_update`]).
    want_item_update: bool,
    /// The blocks' ids, apart on the wire (the same block, the same id, in
    /// every mode).
    ids: livetemplate_shared::Ids,
    /// Each dynamic of the root block gets methods of its own (see
    /// [`Gen::split`]).
    split: bool,
    /// The methods generated so far.
    methods: TokenStream,
}

/// What `update_tree` needs to rebuild single items of a root-level range.
struct RangeParts {
    /// Expression of one item's `Block`, reading the item through `dot`.
    body: TokenStream,
    dot: Ident,
    /// The key's identifier when the range binds it (`{{range $i, $v := …}}`).
    key: Option<Ident>,
    bindings: TokenStream,
    /// Root fields the body reads besides the item (through `$` or variables).
    body_deps: RootDeps,
    /// The collection expression (evaluated where the range stands) and
    /// whether it is an owned value rather than a reference.
    coll: TokenStream,
    coll_owned: bool,
    /// Statements updating an item's block in place (see
    /// [`Gen::item_update`]), when generated.
    item_update: Option<TokenStream>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `render_into`: write HTML to `__out`.
    Render,
    /// `build_tree` / `update_tree`: build `tree::Block`s.
    Tree,
}

/// The fields of the root struct some code reads (`all`: the whole struct).
#[derive(Clone, Default)]
struct RootDeps {
    all: bool,
    fields: std::collections::BTreeSet<String>,
}

impl RootDeps {
    fn merge(&mut self, other: &RootDeps) {
        self.all |= other.all;
        self.fields.extend(other.fields.iter().cloned());
    }
}

impl Scope {
    /// The scope of the page: `.` and `$` are the view-model itself.
    fn root() -> Self {
        Scope {
            dot: quote!(self),
            dot_is_root: true,
            root: quote!(self),
            root_is_struct: true,
            vars: Vec::new(),
        }
    }
}

#[derive(Clone)]
struct Scope {
    /// Expression of reference type for `.`.
    dot: TokenStream,
    /// `.` is the view-model struct itself (its fields can be checked).
    dot_is_root: bool,
    /// Expression for `$`.
    root: TokenStream,
    root_is_struct: bool,
    vars: Vec<Var>,
}

#[derive(Clone)]
struct Var {
    name: String,
    ident: Ident,
    /// The binding holds a value (use `&ident`), not a reference.
    owned: bool,
    is_root_struct: bool,
    /// Root fields the variable's value was computed from.
    root_deps: RootDeps,
}

/// A compiled expression.
enum Val {
    /// A place, e.g. `self.title`: borrow it with `&`.
    Place(TokenStream),
    /// An expression that is already a reference.
    Ref(TokenStream),
    /// A computed value (a temporary).
    Owned(TokenStream),
}

impl Val {
    fn by_ref(&self) -> TokenStream {
        match self {
            Val::Place(p) => quote!(&#p),
            Val::Ref(r) => r.clone(),
            Val::Owned(v) => quote!(&(#v)),
        }
    }
    /// `(expression to bind with let, binding is owned)`.
    fn bind(&self) -> (TokenStream, bool) {
        match self {
            Val::Place(p) => (quote!(&#p), false),
            Val::Ref(r) => (r.clone(), false),
            Val::Owned(v) => (v.clone(), true),
        }
    }
}

use livetemplate_shared::BlockKind as Kind;

const BUILTINS: &[&str] = &[
    "and", "or", "not", "len", "index", "eq", "ne", "lt", "le", "gt", "ge", "print", "printf",
];

/// The generated code's name of a block kind (`BlockKind::If`).
fn kind_ident(kind: Kind) -> Ident {
    format_ident!("{}", kind.name())
}

fn rust_ident(name: &str) -> Ident {
    syn::parse_str::<Ident>(name)
        .unwrap_or_else(|_| Ident::new_raw(name, proc_macro2::Span::call_site()))
}

fn valid_field_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

impl Gen<'_> {
    fn fresh(&mut self, what: &str) -> Ident {
        self.next_id += 1;
        format_ident!("__lt_{}{}", what, self.next_id)
    }

    /// Moves the code of dynamic `index` of the root block into a method
    /// of its own and returns the call: `__lt_render_{index}` writes it
    /// (Render mode), `__lt_tree_{index}` builds its `Dyn` (Tree mode, also
    /// what `update_tree` rebuilds a changed dynamic with). rustc checks,
    /// borrow-checks and (incrementally) re-checks a function as a whole,
    /// and the borrow check grows faster than the function: many small
    /// methods cost less than three large bodies, a template edit re-checks
    /// only the methods it changed, and the tree code is no longer emitted
    /// twice. `root_meta` is the root block's `BlockMeta` binding the code
    /// reads.
    fn split(&mut self, index: usize, root_meta: &Ident, code: TokenStream) -> TokenStream {
        let rt = &self.rt;
        let result = quote!(::core::result::Result);
        match self.mode {
            Mode::Render => {
                let name = format_ident!("__lt_render_{}", index);
                self.methods.extend(quote! {
                    fn #name(&self, __out: &mut ::std::string::String) -> #result<(), #rt::RenderError> {
                        #code
                        #result::Ok(())
                    }
                });
                quote!(self.#name(__out)?;)
            }
            Mode::Tree => {
                let name = format_ident!("__lt_tree_{}", index);
                self.methods.extend(quote! {
                    fn #name(&self) -> #result<#rt::Dyn, #rt::RenderError> {
                        let #root_meta: &'static #rt::BlockMeta = &__LT_META.root;
                        #result::Ok(#code)
                    }
                });
                quote!(self.#name()?)
            }
        }
    }

    fn err(&self, span: Span, msg: impl Into<String>) -> TemplateError {
        TemplateError::new(span, msg)
    }

    /// `&Loc { … }` for runtime errors raised by the action at `span`.
    fn loc(&self, span: Span) -> TokenStream {
        let rt = &self.rt;
        let (line, col) = line_col(self.input.src, span.start);
        let (line, col) = (line as u32, col as u32);
        let path = self.input.path;
        let action = self.input.src.get(span.start..span.end).unwrap_or("");
        quote!(&#rt::Loc { file: #path, line: #line, col: #col, action: #action })
    }

    fn line(&self, span: Span) -> u32 {
        line_col(self.input.src, span.start).0 as u32
    }

    fn escapers(&self, escapers: &[Escaper]) -> TokenStream {
        let rt = &self.rt;
        let names = escapers.iter().map(|e| format_ident!("{}", e.name()));
        quote!(&[#(#rt::Escaper::#names),*])
    }

    /// Generates the code of `block`. In [`Mode::Render`] the code is
    /// statements writing to `__out`; in [`Mode::Tree`] it is an expression
    /// building a `tree::Block` whose meta is `meta_expr`. Returns the code
    /// and the block's `BlockMeta` expression.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        block: &Body,
        scope: &mut Scope,
        kind: Kind,
        path: &str,
        pos: usize,
        meta_expr: TokenStream,
    ) -> Result<(TokenStream, TokenStream), TemplateError> {
        let rt = self.rt.clone();
        let vars_before = scope.vars.len();
        let meta_ident = self.fresh("m");
        let mut out = TokenStream::new();
        let mut statics: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut dynamics: Vec<TokenStream> = Vec::new();
        for (i, item) in block.items.iter().enumerate() {
            let child_path = format!("{path}/{i}");
            let index = dynamics.len();
            if let Part::Static(s) = item {
                if self.mode == Mode::Render {
                    self.static_bytes += s.len();
                    out.extend(quote!(__out.push_str(#s);));
                }
                current.push_str(s);
                continue;
            }
            if let Part::Decl { pipe, span } = item {
                let loc = self.loc(*span);
                out.extend(self.declare(pipe, scope, &loc)?);
                continue;
            }
            let parent = quote!(#meta_ident);
            let Some((code, meta)) = self.dynamic(item, scope, &child_path, &parent, index)? else {
                continue;
            };
            let code = if kind == Kind::Root && self.split {
                self.split(index, &meta_ident, code)
            } else {
                code
            };
            match self.mode {
                Mode::Render => out.extend(code),
                Mode::Tree => out.extend(quote!(__dyns.push(#code);)),
            }
            statics.push(std::mem::take(&mut current));
            dynamics.push(meta);
        }
        statics.push(current);
        scope.vars.truncate(vars_before);
        let kind_ident = kind_ident(kind);
        let id = self.id(path, pos)?;
        let line = self.line(Span::new(pos, pos));
        let meta = quote!(#rt::BlockMeta {
            kind: #rt::BlockKind::#kind_ident, id: #id, line: #line,
            statics: &[#(#statics),*], dynamics: &[#(#dynamics),*],
        });
        let code = match self.mode {
            Mode::Render => out,
            // A block of static text only (`{{if .a}}on{{end}}`).
            Mode::Tree if dynamics.is_empty() && out.is_empty() => {
                quote!(#rt::Block::new(#meta_expr, ::std::vec::Vec::new()))
            }
            Mode::Tree => {
                let n = dynamics.len();
                quote!({
                    let #meta_ident: &'static #rt::BlockMeta = #meta_expr;
                    let mut __dyns: ::std::vec::Vec<#rt::Dyn> = ::std::vec::Vec::with_capacity(#n);
                    #out
                    #rt::Block::new(#meta_ident, __dyns)
                })
            }
        };
        Ok((code, meta))
    }

    /// Deterministic id: `f-` + 16 hex digits of a hash of the template
    /// path, the block path and the position (see `livetemplate_shared::Ids`).
    fn id(&mut self, path: &str, pos: usize) -> Result<String, TemplateError> {
        self.ids.get(self.input.path, path, pos).ok_or_else(|| {
            self.err(
                Span::new(pos, pos),
                format!(
                    "the template has more than {} blocks (if, range, with, template)",
                    livetemplate_shared::MAX_BLOCKS
                ),
            )
        })
    }

    /// A slot or control structure at dynamic `index` of its block: its code
    /// (statements in Render mode, a `Dyn` expression in Tree mode) and its
    /// `Dynamic` meta. `None` for a slot in an HTML comment (prints nothing).
    fn dynamic(
        &mut self,
        item: &Part,
        scope: &mut Scope,
        path: &str,
        parent: &TokenStream,
        index: usize,
    ) -> Result<Option<(TokenStream, TokenStream)>, TemplateError> {
        let rt = self.rt.clone();
        let (code, place, span, kind, branches) = match item {
            Part::Static(_) | Part::Decl { .. } => return Ok(None),
            Part::Slot {
                pipe,
                escapers,
                context,
                attr,
                span,
            } => {
                let loc = self.loc(*span);
                let val = self.pipeline(pipe, scope, &loc)?;
                if escapers.as_slice() == [Escaper::Comment] {
                    // Inside an HTML comment: Go prints nothing; neither do we.
                    return Ok(None);
                }
                self.slots += usize::from(self.mode == Mode::Render);
                let r = val.by_ref();
                let esc = self.escapers(escapers);
                let code = match self.mode {
                    Mode::Render => quote!(#rt::__private::ops::emit(#r, #esc, __out);),
                    Mode::Tree => quote!(#rt::__private::ops::text(#r, #esc)),
                };
                let action = self.input.src.get(span.start..span.end).unwrap_or("");
                let line = self.line(*span);
                let meta = quote!(#rt::Dynamic::Slot(#rt::SlotMeta {
                    action: #action, line: #line, context: #context, escapers: #esc,
                    attr: #attr,
                }));
                return Ok(Some((code, meta)));
            }
            Part::If {
                branches,
                else_body,
                span,
                place,
            } => {
                let (code, metas) = self.conditional(
                    branches, else_body, scope, *span, path, false, parent, index,
                )?;
                (code, place, span, Kind::If, metas)
            }
            Part::With {
                branches,
                else_body,
                span,
                place,
            } => {
                let (code, metas) =
                    self.conditional(branches, else_body, scope, *span, path, true, parent, index)?;
                (code, place, span, Kind::With, metas)
            }
            Part::Range {
                pipe,
                body,
                else_body,
                span,
                place,
            } => {
                self.range_depth += 1;
                let r = self.range(pipe, body, else_body, scope, *span, path, parent, index);
                self.range_depth -= 1;
                let (code, metas) = r?;
                (code, place, span, Kind::Range, metas)
            }
            Part::Call {
                name,
                pipe,
                body,
                span,
                place,
            } => {
                let path = format!("{path}:{name}");
                let (code, meta) =
                    self.call(pipe.as_ref(), body, scope, *span, &path, parent, index)?;
                (code, place, span, Kind::Template, vec![meta])
            }
        };
        let id = self.id(path, span.start)?;
        let kind_ident = kind_ident(kind);
        let fragment = place.markable && self.range_depth == 0;
        let attr = place.attr;
        let line = self.line(*span);
        let meta = quote!(#rt::Dynamic::Block(#rt::ControlMeta {
            id: #id, kind: #rt::BlockKind::#kind_ident, fragment: #fragment, attr: #attr,
            line: #line, branches: &[#(#branches),*],
        }));
        Ok(Some((code, meta)))
    }

    /// Meta expression of branch `branch` of dynamic `index` of `parent`.
    fn branch_meta(&self, parent: &TokenStream, index: usize, branch: usize) -> TokenStream {
        let rt = &self.rt;
        quote!(#rt::__private::branch(#parent, #index, #branch))
    }

    /// `{{if}}` and `{{with}}` chains.
    #[allow(clippy::too_many_arguments)]
    fn conditional(
        &mut self,
        branches: &[(Pipeline, Body)],
        else_body: &Option<Body>,
        scope: &mut Scope,
        span: Span,
        path: &str,
        is_with: bool,
        parent: &TokenStream,
        index: usize,
    ) -> Result<(TokenStream, Vec<TokenStream>), TemplateError> {
        let rt = self.rt.clone();
        let loc = self.loc(span);
        let kind = if is_with { Kind::With } else { Kind::If };
        let mut metas = Vec::new();
        // Build from the else outwards: else { prelude; if c { b } else { … } }.
        let mut compiled = Vec::new();
        // Variables declared in a condition stay visible in later branches and the else.
        let mut chain = scope.clone();
        for (i, (cond, block)) in branches.iter().enumerate() {
            let (prelude, test) = self.condition(cond, &mut chain, &loc)?;
            let mut inner = chain.clone();
            let test = if is_with {
                let dot = self.fresh("dot");
                inner.dot = quote!(#dot);
                inner.dot_is_root = false;
                quote!(let ::core::option::Option::Some(#dot) = (&&&#rt::__private::W(#test)).lt_with())
            } else {
                truthy(&rt, &test)
            };
            let bm = self.branch_meta(parent, index, i);
            let (body, meta) = self.block(
                block,
                &mut inner,
                kind,
                &format!("{path}/{i}"),
                span.start,
                bm,
            )?;
            metas.push(meta);
            compiled.push((prelude, test, self.wrap_cond(body)));
        }
        let mut tail = match else_body {
            Some(block) => {
                let mut inner = chain.clone();
                let bm = self.branch_meta(parent, index, branches.len());
                let (body, meta) = self.block(
                    block,
                    &mut inner,
                    kind,
                    &format!("{path}/else"),
                    span.start,
                    bm,
                )?;
                metas.push(meta);
                self.wrap_cond(body)
            }
            None => match self.mode {
                Mode::Render => TokenStream::new(),
                Mode::Tree => quote!(#rt::Dyn::Cond(::core::option::Option::None)),
            },
        };
        for (prelude, test, body) in compiled.into_iter().rev() {
            tail = quote!({ #prelude if #test { #body } else { #tail } });
        }
        Ok((tail, metas))
    }

    /// In Tree mode a branch's block becomes `Dyn::Cond(Some(block))`.
    fn wrap_cond(&self, body: TokenStream) -> TokenStream {
        let rt = &self.rt;
        match self.mode {
            Mode::Render => body,
            Mode::Tree => {
                quote!(#rt::Dyn::Cond(::core::option::Option::Some(::std::boxed::Box::new(#body))))
            }
        }
    }

    /// A control pipeline, which may declare variables (`{{if $x := .a}}`):
    /// `(statements, reference expression to test)`.
    fn condition(
        &mut self,
        pipe: &Pipeline,
        scope: &mut Scope,
        loc: &TokenStream,
    ) -> Result<(TokenStream, TokenStream), TemplateError> {
        if pipe.decl.is_empty() {
            let v = self.pipeline(pipe, scope, loc)?;
            return Ok((TokenStream::new(), v.by_ref()));
        }
        let stmt = self.declare(pipe, scope, loc)?;
        let var = scope.vars.last().expect("declare pushed a variable");
        let ident = &var.ident;
        let test = if var.owned {
            quote!(&#ident)
        } else {
            quote!(#ident)
        };
        Ok((stmt, test))
    }

    /// `{{$x := pipeline}}`.
    fn declare(
        &mut self,
        pipe: &Pipeline,
        scope: &mut Scope,
        loc: &TokenStream,
    ) -> Result<TokenStream, TemplateError> {
        if pipe.is_assign {
            return Err(self.err(
                pipe.span,
                "assigning to a variable (`$x = …`) is not supported; declare a new one with `:=`",
            ));
        }
        if pipe.decl.len() != 1 {
            return Err(self.err(pipe.span, "only `{{range}}` can declare two variables"));
        }
        self.collectors.push(RootDeps::default());
        let v = self.pipeline(pipe, scope, loc);
        let root_deps = self.collectors.pop().expect("pushed above");
        let (bind, owned) = v?.bind();
        let (name, _) = &pipe.decl[0];
        let ident = self.fresh(&format!("v_{}_", sanitize(name)));
        let is_root_struct = self.is_root_struct(pipe, scope);
        scope.vars.push(Var {
            name: name.clone(),
            ident: ident.clone(),
            owned,
            is_root_struct,
            root_deps,
        });
        Ok(quote!(let #ident = #bind;))
    }

    /// Whether a pipeline is just `.` or `$` of the root struct.
    fn is_root_struct(&self, pipe: &Pipeline, scope: &Scope) -> bool {
        match pipe.cmds.as_slice() {
            [cmd] => match cmd.args.as_slice() {
                [Expr::Dot(_)] => scope.dot_is_root,
                [Expr::Var { name, path, .. }] if path.is_empty() => {
                    if name.is_empty() {
                        scope.root_is_struct
                    } else {
                        scope
                            .vars
                            .iter()
                            .rev()
                            .find(|v| v.name == *name)
                            .is_some_and(|v| v.is_root_struct)
                    }
                }
                _ => false,
            },
            _ => false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn range(
        &mut self,
        pipe: &Pipeline,
        body: &Body,
        else_body: &Option<Body>,
        scope: &mut Scope,
        span: Span,
        path: &str,
        parent: &TokenStream,
        index: usize,
    ) -> Result<(TokenStream, Vec<TokenStream>), TemplateError> {
        let rt = self.rt.clone();
        let want_item_update = std::mem::take(&mut self.want_item_update);
        let loc = self.loc(span);
        let (bind, owned) = self.pipeline(pipe, scope, &loc)?.bind();
        let coll_ident = self.fresh("coll");
        let coll_ref = if owned {
            quote!(&#coll_ident)
        } else {
            quote!(#coll_ident)
        };
        let dot = self.fresh("dot");
        let key = self.fresh("key");
        let mut inner = scope.clone();
        inner.dot = quote!(#dot);
        inner.dot_is_root = false;
        let mut bindings = TokenStream::new();
        let mut var = |g: &mut Self, name: &str, owned: bool| {
            let ident = g.fresh(&format!("v_{}_", sanitize(name)));
            inner.vars.push(Var {
                name: name.to_string(),
                ident: ident.clone(),
                owned,
                is_root_struct: false,
                // The item itself: compared item by item, not through root fields.
                root_deps: RootDeps::default(),
            });
            ident
        };
        match pipe.decl.as_slice() {
            [] => {}
            [(v, _)] => {
                let ident = var(self, v, false);
                bindings.extend(quote!(let #ident = #dot;));
            }
            [(k, _), (v, _)] => {
                let kident = var(self, k, true);
                let vident = var(self, v, false);
                bindings.extend(quote!(let #kident = #key; let #vident = #dot;));
            }
            _ => return Err(self.err(pipe.span, "`{{range}}` declares at most two variables")),
        }
        let bm = self.branch_meta(parent, index, 0);
        self.collectors.push(RootDeps::default());
        let body_result = self.block(
            body,
            &mut inner,
            Kind::Range,
            &format!("{path}/body"),
            span.start,
            bm,
        );
        let body_deps = self.collectors.pop().expect("pushed above");
        let (body_code, body_meta) = body_result?;
        if let Some(outer) = self.collectors.last_mut() {
            outer.merge(&body_deps);
        }
        if self.mode == Mode::Tree {
            let item_update = if want_item_update {
                self.item_update(body, &mut inner, &dot, path)?
            } else {
                None
            };
            self.last_range = Some(RangeParts {
                body: body_code.clone(),
                dot: dot.clone(),
                key: (pipe.decl.len() == 2).then(|| key.clone()),
                bindings: bindings.clone(),
                body_deps,
                coll: bind.clone(),
                coll_owned: owned,
                item_update,
            });
        }
        let mut metas = vec![body_meta];
        let else_code = match else_body {
            Some(block) => {
                let mut inner = scope.clone();
                let bm = self.branch_meta(parent, index, 1);
                let (code, meta) = self.block(
                    block,
                    &mut inner,
                    Kind::RangeElse,
                    &format!("{path}/else"),
                    span.start,
                    bm,
                )?;
                metas.push(meta);
                Some(code)
            }
            None => None,
        };
        let code = match (self.mode, else_code) {
            (Mode::Render, Some(else_code)) => {
                let empty = self.fresh("empty");
                quote!({
                    let #coll_ident = #bind;
                    let mut #empty = true;
                    for (#key, #dot) in #rt::Range::range_items(#coll_ref) {
                        #empty = false;
                        #bindings
                        #body_code
                    }
                    if #empty { #else_code }
                })
            }
            (Mode::Render, None) => quote!({
                let #coll_ident = #bind;
                for (#key, #dot) in #rt::Range::range_items(#coll_ref) {
                    #bindings
                    #body_code
                }
            }),
            (Mode::Tree, else_code) => {
                let else_block = match else_code {
                    Some(code) => quote!(if __items.is_empty() {
                        ::core::option::Option::Some(::std::boxed::Box::new(#code))
                    } else {
                        ::core::option::Option::None
                    }),
                    None => quote!(::core::option::Option::None),
                };
                quote!({
                    let #coll_ident = #bind;
                    let mut __items: ::std::vec::Vec<#rt::Block> = ::std::vec::Vec::new();
                    for (#key, #dot) in #rt::Range::range_items(#coll_ref) {
                        #bindings
                        __items.push(#body_code);
                    }
                    let __else = #else_block;
                    #rt::Dyn::List { items: __items, else_block: __else }
                })
            }
        };
        Ok((code, metas))
    }

    /// `{{template "name" pipeline}}`: the callee, inlined with its own dot and `$`.
    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        pipe: Option<&Pipeline>,
        body: &Body,
        scope: &mut Scope,
        span: Span,
        path: &str,
        parent: &TokenStream,
        index: usize,
    ) -> Result<(TokenStream, TokenStream), TemplateError> {
        let rt = self.rt.clone();
        let loc = self.loc(span);
        let arg = self.fresh("arg");
        let dot = self.fresh("dot");
        let (prelude, is_root) = match pipe {
            Some(p) => {
                let v = self.pipeline(p, scope, &loc)?;
                let is_root = self.is_root_struct(p, scope);
                let (bind, owned) = v.bind();
                let r = if owned { quote!(&#arg) } else { quote!(#arg) };
                (quote!(let #arg = #bind; let #dot = #r;), is_root)
            }
            None => (quote!(let #dot = &();), false),
        };
        let mut inner = Scope {
            dot: quote!(#dot),
            dot_is_root: is_root,
            root: quote!(#dot),
            root_is_struct: is_root,
            vars: Vec::new(),
        };
        let bm = self.branch_meta(parent, index, 0);
        let (code, meta) = self.block(body, &mut inner, Kind::Template, path, span.start, bm)?;
        let code = match self.mode {
            Mode::Render => quote!({ #prelude #code }),
            Mode::Tree => quote!({ #prelude #rt::Dyn::Call(::std::boxed::Box::new(#code)) }),
        };
        Ok((code, meta))
    }

    fn pipeline(
        &mut self,
        pipe: &Pipeline,
        scope: &Scope,
        loc: &TokenStream,
    ) -> Result<Val, TemplateError> {
        let mut acc: Option<Val> = None;
        for cmd in &pipe.cmds {
            let args = &cmd.args;
            let Some(first) = args.first() else {
                return Err(self.err(cmd.span, "empty command"));
            };
            acc =
                Some(match first {
                    Expr::Func { name, span } => {
                        let mut vals = Vec::new();
                        for a in &args[1..] {
                            vals.push(self.operand(a, scope, loc)?);
                        }
                        if let Some(prev) = acc.take() {
                            vals.push(prev);
                        }
                        self.builtin(name, *span, cmd.span, &args[1..], vals, loc)?
                    }
                    _ if args.len() > 1 || acc.is_some() => return Err(self.err(
                        first.span(),
                        "only functions take arguments; calling a field or method is not supported",
                    )),
                    _ => self.operand(first, scope, loc)?,
                });
        }
        acc.ok_or_else(|| self.err(pipe.span, "missing value"))
    }

    fn operand(
        &mut self,
        e: &Expr,
        scope: &Scope,
        loc: &TokenStream,
    ) -> Result<Val, TemplateError> {
        let rt = self.rt.clone();
        let rt = &rt;
        match e {
            Expr::Dot(_) if scope.dot_is_root => self.record(None),
            Expr::Field { path, .. } if scope.dot_is_root => self.record(path.first()),
            Expr::Var { name, path, .. } if name.is_empty() && scope.root_is_struct => {
                self.record(path.first())
            }
            Expr::Var { name, .. } if !name.is_empty() => {
                if let Some(v) = scope.vars.iter().rev().find(|v| v.name == *name) {
                    let deps = v.root_deps.clone();
                    for c in &mut self.collectors {
                        c.merge(&deps);
                    }
                }
            }
            _ => {}
        }
        Ok(match e {
            Expr::Dot(_) => Val::Ref(scope.dot.clone()),
            Expr::Field { path, .. } => {
                self.fields(Val::Ref(scope.dot.clone()), scope.dot_is_root, path, loc)?
            }
            Expr::Var { name, path, span } => {
                if name.is_empty() {
                    self.fields(
                        Val::Ref(scope.root.clone()),
                        scope.root_is_struct,
                        path,
                        loc,
                    )?
                } else {
                    let var = scope
                        .vars
                        .iter()
                        .rev()
                        .find(|v| v.name == *name)
                        .ok_or_else(|| self.err(*span, format!("undefined variable `${name}`")))?;
                    let ident = &var.ident;
                    let base = if var.owned {
                        Val::Place(quote!(#ident))
                    } else {
                        Val::Ref(quote!(#ident))
                    };
                    self.fields(base, var.is_root_struct, path, loc)?
                }
            }
            Expr::Paren { pipe, path, .. } => {
                let v = self.pipeline(pipe, scope, loc)?;
                self.fields(v, false, path, loc)?
            }
            Expr::Func { name, span } => self.builtin(name, *span, *span, &[], Vec::new(), loc)?,
            Expr::Str { value, .. } => Val::Owned(quote!(#value)),
            Expr::Int { value, span } => {
                let v = i64::try_from(*value)
                    .map_err(|_| self.err(*span, "integer literal does not fit in 64 bits"))?;
                let lit = Literal::i64_suffixed(v);
                Val::Owned(quote!(#lit))
            }
            Expr::Float { value, span } => {
                if !value.is_finite() {
                    return Err(self.err(*span, "float literal out of range"));
                }
                let lit = Literal::f64_suffixed(*value);
                Val::Owned(quote!(#lit))
            }
            Expr::Bool { value, .. } => Val::Owned(quote!(#value)),
            Expr::Nil(_) => Val::Owned(quote!(#rt::Scalar::Nil)),
        })
    }

    /// Notes that the code being generated reads root field `field` (the
    /// whole root for `None`).
    fn record(&mut self, field: Option<&TIdent>) {
        for c in &mut self.collectors {
            match field {
                Some(f) => {
                    c.fields.insert(f.name.clone());
                }
                None => c.all = true,
            }
        }
    }

    /// Statements of `update_tree`: each dynamic of the root block is
    /// recomputed only when a root field it reads differs between `__old`
    /// and `self`.
    fn update(
        &mut self,
        root: &Body,
        root_meta: TokenStream,
    ) -> Result<TokenStream, TemplateError> {
        let rt = self.rt.clone();
        let mut scope = Scope::root();
        let m0 = self.fresh("m");
        let mut out = quote!(let #m0: &'static #rt::BlockMeta = #root_meta;);
        let parent = quote!(#m0);
        let mut index = 0usize;
        // Root field name -> the local holding whether it changed.
        let mut flags = std::collections::BTreeMap::new();
        for (i, item) in root.items.iter().enumerate() {
            match item {
                Part::Static(_) => continue,
                Part::Decl { pipe, span } => {
                    let loc = self.loc(*span);
                    out.extend(self.declare(pipe, &mut scope, &loc)?);
                    continue;
                }
                _ => {}
            }
            self.collectors.push(RootDeps::default());
            self.last_range = None;
            self.want_item_update = matches!(item, Part::Range { .. });
            let r = self.dynamic(item, &mut scope, &format!("0/{i}"), &parent, index);
            self.want_item_update = false;
            let deps = self.collectors.pop().expect("pushed above");
            let Some((code, _)) = r? else { continue };
            let changed = self.changed_once(&deps, &mut flags);
            let code = if self.split {
                let name = format_ident!("__lt_tree_{}", index);
                quote!(self.#name()?)
            } else {
                code
            };
            let rebuild = quote! {
                let __new: #rt::Dyn = #code;
                let __prev = ::core::mem::replace(&mut __tree.dyns[#index], __new);
                __changes.push(#rt::Change::Replaced { index: #index, old: __prev });
            };
            let parts = self.last_range.take();
            let field = match item {
                Part::Range { pipe, .. } => root_field(pipe),
                _ => None,
            };
            let body = match (parts, field) {
                (Some(parts), Some(field)) => {
                    // Edit the list item by item: items equal in both states
                    // keep their rendered block.
                    let f = rust_ident(&field);
                    let body_same = if parts.body_deps.all {
                        quote!(false)
                    } else {
                        let c = self.changed(&parts.body_deps);
                        quote!(!(#c))
                    };
                    let old_coll = quote!(&__old.#f);
                    let new_coll = quote!(&self.#f);
                    let target = quote!(__tree.dyns[#index]);
                    let changes = quote!(__changes);
                    let splice = self.splice(
                        &parts, &old_coll, &new_coll, false, &target, index, &changes, &rebuild,
                        &body_same,
                    );
                    if self.split {
                        // A method of its own, as the root's dynamics are (see `split`).
                        let name = format_ident!("__lt_update_{}", index);
                        self.methods.extend(quote! {
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
            index += 1;
        }
        let compare = flags.iter().map(|(field, flag)| {
            let f = rust_ident(field);
            quote!(let #flag = (&&#rt::__private::Cmp(&__old.#f, &self.#f)).lt_changed();)
        });
        Ok(quote!(#(#compare)* #out))
    }

    /// Code editing the list at `target` (dynamic `index` of its block) item
    /// by item from collection `old_coll` to `new_coll` (both references, or
    /// both owned values when `owned`): items equal in both states (and
    /// `body_same`: the body reads nothing else that changed) keep their
    /// rendered block; changed ones are updated in place when the range
    /// has an item update, else rebuilt. The edits go to `changes`; when the
    /// list cannot be edited item by item, `rebuild` runs instead.
    #[allow(clippy::too_many_arguments)]
    fn splice(
        &self,
        parts: &RangeParts,
        old_coll: &TokenStream,
        new_coll: &TokenStream,
        owned: bool,
        target: &TokenStream,
        index: usize,
        changes: &TokenStream,
        rebuild: &TokenStream,
        body_same: &TokenStream,
    ) -> TokenStream {
        let rt = &self.rt;
        let RangeParts {
            body,
            dot,
            key,
            bindings,
            item_update,
            ..
        } = parts;
        let (oc, nc) = if owned {
            (quote!(&__oc), quote!(&__nc))
        } else {
            (quote!(__oc), quote!(__nc))
        };
        // With a key variable, an item renders from its key and value:
        // items are compared as (key, value) pairs, so an item whose index
        // shifted is rebuilt.
        let (items, item_at, old_at) = match key {
            Some(key) => (
                quote!(let __olds: ::std::vec::Vec<(_, &_)> = #rt::Range::range_items(#oc).collect();
                let __news: ::std::vec::Vec<(_, &_)> = #rt::Range::range_items(#nc).collect();),
                quote!(let (#key, #dot) = __news[__j];),
                quote!(__olds[__i].1),
            ),
            None => (
                quote!(let __olds: ::std::vec::Vec<&_> =
                    #rt::Range::range_items(#oc).map(|(_, v)| v).collect();
                let __news: ::std::vec::Vec<&_> =
                    #rt::Range::range_items(#nc).map(|(_, v)| v).collect();),
                quote!(let #dot = __news[__j];),
                quote!(__olds[__i]),
            ),
        };
        let update = match item_update {
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
                    #bindings
                    ::core::result::Result::Ok(#body)
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

    /// Statements updating `__item`, the block of a range item, in place
    /// from the old item `__odot` to the new one (bound to `dot`), recording
    /// what they replace in `__ch`. Generated only when the body holds a
    /// nested range over the item (a table row's cells) whose body reads
    /// nothing else: that range is edited item by item, so one changed cell
    /// rebuilds one cell, not the row. Every other dynamic of the body is
    /// recomputed and kept only when it differs. `None` otherwise: the item
    /// is rebuilt whole, and the code is not generated (it would be a second
    /// copy of the body; a 200-line page compiled 2 s slower with it).
    fn item_update(
        &mut self,
        body: &Body,
        scope: &mut Scope,
        dot: &Ident,
        path: &str,
    ) -> Result<Option<TokenStream>, TemplateError> {
        if !body.items.iter().any(spliceable) {
            return Ok(None);
        }
        let rt = self.rt.clone();
        let vars_before = scope.vars.len();
        let m = self.fresh("m");
        let mut out = quote!(let #m: &'static #rt::BlockMeta = __item.meta;);
        let parent = quote!(#m);
        let mut index = 0usize;
        for (i, item) in body.items.iter().enumerate() {
            match item {
                Part::Static(_) => continue,
                Part::Decl { pipe, span } => {
                    let loc = self.loc(*span);
                    out.extend(self.declare(pipe, scope, &loc)?);
                    continue;
                }
                _ => {}
            }
            self.last_range = None;
            let child_path = format!("{path}/body/{i}");
            let Some((code, _)) = self.dynamic(item, scope, &child_path, &parent, index)? else {
                continue;
            };
            let nested = self.last_range.take();
            let rebuild = quote! {
                let __new: #rt::Dyn = #code;
                if __new != __item.dyns[#index] {
                    let __prev = ::core::mem::replace(&mut __item.dyns[#index], __new);
                    __ch.push(#rt::Change::Replaced { index: #index, old: __prev });
                }
            };
            let stmt = match nested {
                Some(parts) if spliceable(item) => {
                    let coll = &parts.coll;
                    let old = quote!({ let #dot = __odot; #coll });
                    let target = quote!(__item.dyns[#index]);
                    self.splice(
                        &parts,
                        &old,
                        coll,
                        parts.coll_owned,
                        &target,
                        index,
                        &quote!(__ch),
                        &rebuild,
                        &quote!(true),
                    )
                }
                _ => rebuild,
            };
            out.extend(stmt);
            index += 1;
        }
        scope.vars.truncate(vars_before);
        Ok(Some(out))
    }

    /// `true` when any of `deps` differs between `__old` and `self`.
    fn changed(&self, deps: &RootDeps) -> TokenStream {
        let rt = &self.rt;
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

    /// [`Gen::changed`] at the top of `update_tree`, where a page's
    /// dynamics read the same few fields over and over: each field is
    /// compared once, into a local named in `flags`.
    fn changed_once(
        &mut self,
        deps: &RootDeps,
        flags: &mut std::collections::BTreeMap<String, Ident>,
    ) -> TokenStream {
        if deps.all {
            return quote!(true);
        }
        if deps.fields.is_empty() {
            return quote!(false);
        }
        let tests: Vec<Ident> = deps
            .fields
            .iter()
            .map(|f| {
                flags
                    .entry(f.clone())
                    .or_insert_with(|| self.fresh("changed"))
                    .clone()
            })
            .collect();
        quote!(#(#tests)||*)
    }

    /// `base.a.b.c`. Each step through an `Option` unwraps `Some` (a `None`
    /// fails the render, as a nil pointer does in Go).
    fn fields(
        &mut self,
        base: Val,
        base_is_root: bool,
        path: &[TIdent],
        loc: &TokenStream,
    ) -> Result<Val, TemplateError> {
        if path.is_empty() {
            return Ok(base);
        }
        if base_is_root {
            let f = &path[0];
            if !self.input.fields.contains(&f.name) {
                let mut e = self.err(
                    f.span,
                    format!("no field `{}` in the view-model struct", f.name),
                );
                match closest(&f.name, self.input.fields.iter().map(String::as_str)) {
                    Some(s) => e = e.with_help(format!("did you mean `{s}`?")),
                    None if !self.input.fields.is_empty() => {
                        e = e.with_help(format!("the fields are: {}", self.input.fields.join(", ")))
                    }
                    None => {}
                }
                return Err(e);
            }
        }
        let rt = self.rt.clone();
        let mut cur: Option<TokenStream> = None;
        for (i, seg) in path.iter().enumerate() {
            if !valid_field_name(&seg.name) {
                return Err(self.err(
                    seg.span,
                    format!("`{}` is not a valid field name", seg.name),
                ));
            }
            let field = rust_ident(&seg.name);
            let base_ref = match &cur {
                Some(place) => quote!(&#place),
                None => base.by_ref(),
            };
            cur = Some(if i == 0 && base_is_root {
                quote!((#base_ref).#field)
            } else {
                quote!((#rt::__private::ops::step((&&&#rt::__private::W(#base_ref)).lt_step(), #loc)?).#field)
            });
        }
        Ok(Val::Place(cur.expect("path is not empty")))
    }

    #[allow(clippy::too_many_arguments)]
    fn builtin(
        &mut self,
        name: &str,
        span: Span,
        cmd_span: Span,
        arg_exprs: &[Expr],
        args: Vec<Val>,
        loc: &TokenStream,
    ) -> Result<Val, TemplateError> {
        let rt = self.rt.clone();
        let n = args.len();
        let arity = |ok: bool, want: &str| -> Result<(), TemplateError> {
            if ok {
                Ok(())
            } else {
                Err(TemplateError::new(
                    cmd_span,
                    format!("wrong number of arguments for `{name}`: want {want}, got {n}"),
                ))
            }
        };
        let r: Vec<TokenStream> = args.iter().map(Val::by_ref).collect();
        Ok(match name {
            "len" => {
                arity(n == 1, "1")?;
                let a = &r[0];
                Val::Owned(quote!(#rt::__private::ops::len(#a)))
            }
            "not" => {
                arity(n == 1, "1")?;
                let t = truthy(&rt, &r[0]);
                Val::Owned(quote!(!#t))
            }
            "and" | "or" => {
                arity(n >= 1, "at least 1")?;
                let mut iter = args.iter().rev();
                let last = iter.next().expect("n >= 1");
                let mut acc = last.bind().0;
                for a in iter {
                    let (bind, _) = a.bind();
                    let x = format_ident!("__lt_x");
                    let t = truthy(&rt, &quote!(&#x));
                    let t = if name == "and" { quote!(!#t) } else { t };
                    acc = quote!({ let #x = #bind; if #t { #rt::__private::Either::L(#x) } else { #rt::__private::Either::R(#acc) } });
                }
                Val::Owned(acc)
            }
            "eq" => {
                arity(n >= 2, "at least 2")?;
                let a = &r[0];
                let terms = r[1..]
                    .iter()
                    .map(|b| quote!(#rt::__private::ops::eq(#a, #b, #loc)?));
                Val::Owned(quote!((#(#terms)||*)))
            }
            "ne" | "lt" | "le" | "gt" | "ge" => {
                arity(n == 2, "2")?;
                let (a, b) = (&r[0], &r[1]);
                Val::Owned(match name {
                    "ne" => quote!(!#rt::__private::ops::eq(#a, #b, #loc)?),
                    "lt" => quote!(#rt::__private::ops::lt(#a, #b, #loc)?),
                    "le" => {
                        quote!((#rt::__private::ops::lt(#a, #b, #loc)? || #rt::__private::ops::eq(#a, #b, #loc)?))
                    }
                    "gt" => quote!(#rt::__private::ops::lt(#b, #a, #loc)?),
                    _ => {
                        quote!((#rt::__private::ops::lt(#b, #a, #loc)? || #rt::__private::ops::eq(#a, #b, #loc)?))
                    }
                })
            }
            "index" => {
                arity(n >= 2, "at least 2")?;
                let mut cur = r[0].clone();
                for k in &r[1..] {
                    cur = quote!(#rt::__private::ops::index(#cur, #k, #loc)?);
                }
                Val::Ref(cur)
            }
            "print" => {
                Val::Owned(quote!(#rt::__private::printf::sprint(&[#(#r as &dyn #rt::Slot),*])))
            }
            "printf" => {
                arity(n >= 1, "at least 1")?;
                match arg_exprs.first() {
                    Some(Expr::Str { value, .. }) => {
                        let rest = &r[1..];
                        Val::Owned(
                            quote!(#rt::__private::printf::sprintf(#value, &[#(#rest as &dyn #rt::Slot),*])),
                        )
                    }
                    _ => {
                        return Err(TemplateError::new(
                            cmd_span,
                            "the format of `printf` must be a string literal",
                        ))
                    }
                }
            }
            "html" | "js" | "urlquery" => {
                return Err(TemplateError::new(
                    span,
                    format!(
                    "`{name}` is not needed: every value is escaped for its context automatically"
                ),
                ))
            }
            "slice" | "call" | "println" => {
                return Err(TemplateError::new(
                    span,
                    format!("the builtin `{name}` is not supported"),
                ))
            }
            _ => {
                let e = TemplateError::new(span, format!("unknown function `{name}`"));
                return Err(match closest(name, BUILTINS.iter().copied()) {
                    Some(s) => e.with_help(format!("did you mean `{s}`?")),
                    None => e.with_help(format!("the functions are: {}", BUILTINS.join(" "))),
                });
            }
        })
    }
}

/// Go truthiness of the value behind reference expression `r`, for any type.
fn truthy(rt: &TokenStream, r: &TokenStream) -> TokenStream {
    quote!((&&&#rt::__private::W(#r)).lt_truthy())
}

/// The root field a range pipeline names directly (`.items` or `$.items`).
fn root_field(pipe: &Pipeline) -> Option<String> {
    match pipe.cmds.as_slice() {
        [cmd] => match cmd.args.as_slice() {
            [Expr::Field { path, .. }] if path.len() == 1 => Some(path[0].name.clone()),
            [Expr::Var { name, path, .. }] if name.is_empty() && path.len() == 1 => {
                Some(path[0].name.clone())
            }
            _ => None,
        },
        _ => None,
    }
}

/// A range inside a range item that [`Gen::item_update`] edits item by
/// item: over the item (`.`, `.a.b`), with no `else`, and a body that reads
/// nothing else ([`closed`]).
fn spliceable(item: &Part) -> bool {
    matches!(item, Part::Range { pipe, body, else_body: None, .. }
        if dot_relative(pipe) && closed(body, &pipe.decl))
}

/// `.` or `.a.b`: a value read from the dot alone.
fn dot_relative(pipe: &Pipeline) -> bool {
    match pipe.cmds.as_slice() {
        [cmd] => matches!(cmd.args.as_slice(), [Expr::Dot(_) | Expr::Field { .. }]),
        _ => false,
    }
}

/// True when `block` reads nothing but its dot and the variables in
/// `own` (a range's own key and value): no `$`, no outer variable, no
/// declaration, no template call. Such a body renders the same for equal
/// items wherever it stands.
fn closed(block: &Body, own: &[(String, Span)]) -> bool {
    fn pipe_ok(p: &Pipeline, own: &[(String, Span)]) -> bool {
        p.cmds.iter().flat_map(|c| &c.args).all(|e| expr_ok(e, own))
    }
    fn expr_ok(e: &Expr, own: &[(String, Span)]) -> bool {
        match e {
            Expr::Var { name, .. } => !name.is_empty() && own.iter().any(|(v, _)| v == name),
            Expr::Paren { pipe, .. } => pipe_ok(pipe, own),
            _ => true,
        }
    }
    block.items.iter().all(|item| match item {
        Part::Static(_) => true,
        Part::Slot { pipe, .. } => pipe_ok(pipe, own),
        Part::If {
            branches,
            else_body,
            ..
        }
        | Part::With {
            branches,
            else_body,
            ..
        } => {
            branches
                .iter()
                .all(|(p, b)| p.decl.is_empty() && pipe_ok(p, own) && closed(b, own))
                && else_body.as_ref().is_none_or(|b| closed(b, own))
        }
        Part::Range {
            pipe,
            body,
            else_body,
            ..
        } => {
            pipe.decl.is_empty()
                && pipe_ok(pipe, own)
                && closed(body, own)
                && else_body.as_ref().is_none_or(|b| closed(b, own))
        }
        Part::Decl { .. } | Part::Call { .. } => false,
    })
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
