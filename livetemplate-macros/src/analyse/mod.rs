//! Analysis: the escaped template ([`crate::lower::Body`]) becomes the
//! annotated [`Tree`] that the emitters ([`crate::emit`]) walk, or the
//! list of every mistake in it.
//!
//! One walk in template order, before any code is generated:
//! - checks every name and call ([`expr`]: scopes of `.`, `$` and
//!   variables, root fields with a suggestion, builtins and their arity,
//!   literals, declarations) and records each mistake in a [`Ctxt`]
//!   instead of stopping at the first, as `serde_derive`'s `internals`
//!   do; the tree is returned only when there is none;
//! - compiles each pipeline once to a Rust expression;
//! - gives each block its wire id (`livetemplate_shared::Ids`, asked in
//!   the order ids have always been given: a block's children before the
//!   block, a control's branches before the control), each dynamic its
//!   index in its block, each block and dynamic the root fields it reads
//!   ([`deps`]), and marks the ranges whose items `update_tree` edits one
//!   by one.
//!
//! The emitters only read the result: they cannot fail and decide nothing
//! the tree does not say.

pub mod deps;
mod expr;

pub use deps::RootDeps;
pub use expr::{rust_ident, truthy};

use crate::ast::{Expr, Pipeline, Span};
use crate::context::Escaper;
use crate::diag::{line_col, TemplateError};
use crate::lower::{Body, Part};
use livetemplate_shared::BlockKind as Kind;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// What the analysis needs to know besides the template.
pub struct Input<'a> {
    /// Template path as written in the attribute (or `<inline>`).
    pub path: &'a str,
    pub src: &'a str,
    /// Field names of the struct the attribute is on.
    pub fields: Vec<String>,
    /// Their types, in the same order (or none: then no range gets a
    /// method building its items, see [`Range::item_ty`]).
    pub types: Vec<TokenStream>,
    /// What the template may call besides the builtins.
    pub calls: Calls,
}

/// `funcs(…)` and `methods(…)` of the attribute.
#[derive(Clone, Default)]
pub struct Calls {
    /// Functions by template name (`upper = crate::text::upper`); they
    /// win over builtins of the same name, as a Go `FuncMap` does.
    pub funcs: Vec<(String, syn::Path)>,
    /// Names called as methods without arguments wherever a field chain
    /// names them (`{{.user.full_name}}`): Rust cannot tell a field from
    /// a method at build time, Go can at run time.
    pub methods: Vec<String>,
}

/// The analysed template.
pub struct Tree {
    pub root: Block,
    /// Each dynamic of the root block gets methods of its own
    /// (`emit::split`). Not when the root declares variables
    /// (`{{$x := …}}` at the top level): they are locals of the root's
    /// code, which the dynamics after them read.
    pub split: bool,
    /// Bytes of static text a render writes at least.
    pub static_bytes: usize,
    /// Slots a render prints (ranges counted once).
    pub slots: usize,
}

/// A block: the root, a branch, a range body or else, a called template.
pub struct Block {
    pub kind: Kind,
    pub id: String,
    pub line: u32,
    /// The static text between the dynamics (one more than dynamics).
    pub statics: Vec<String>,
    /// The block in template order.
    pub items: Vec<Item>,
    /// How many of `items` are dynamics.
    pub dyn_count: usize,
    /// The local the tree code binds the block's `BlockMeta` to.
    pub meta_ident: Ident,
    /// Root fields read anywhere in the block.
    pub deps: RootDeps,
}

// Built once per template by the macro: the size of an item does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Item {
    /// Static text, as the render writes it.
    Static(String),
    /// `{{$x := …}}`: the `let` statement.
    Decl(TokenStream),
    Dyn(Dyn),
}

/// A slot or control structure: one dynamic of its block.
pub struct Dyn {
    /// Its index among its block's dynamics.
    pub index: usize,
    /// Root fields its code reads.
    pub deps: RootDeps,
    pub node: Node,
}

pub enum Node {
    Slot(Slot),
    /// `{{if}}` or `{{with}}`.
    Cond(Cond),
    Range(Box<Range>),
    /// `{{template}}`.
    Call(Call),
}

pub struct Slot {
    /// Reference expression of the value.
    pub value: TokenStream,
    pub escapers: Vec<Escaper>,
    /// The action as written, its line, its context described.
    pub action: String,
    pub line: u32,
    pub context: String,
    /// Inside a tag (an attribute value).
    pub attr: bool,
}

/// What every control structure's `ControlMeta` says.
pub struct Control {
    pub id: String,
    pub kind: Kind,
    /// Delimited by markers in the page (markable, and not in a range).
    pub fragment: bool,
    pub attr: bool,
    pub line: u32,
}

pub struct Cond {
    pub ctl: Control,
    pub branches: Vec<Branch>,
    pub else_body: Option<Block>,
}

pub struct Branch {
    /// Statements before the test (a variable the condition declares).
    pub prelude: TokenStream,
    /// The `if` condition: a truth test, or `let Some(dot) = …` for `with`.
    pub test: TokenStream,
    pub body: Block,
}

pub struct Range {
    pub ctl: Control,
    /// The collection: expression to bind, and whether it is an owned
    /// value rather than a reference.
    pub coll: TokenStream,
    pub coll_owned: bool,
    pub coll_ident: Ident,
    /// The item, its key (bound only with two variables), the render's
    /// "no item yet" flag.
    pub dot: Ident,
    pub key: Ident,
    pub has_key: bool,
    pub empty: Ident,
    /// Statements binding the range's variables from `key` and `dot`.
    pub bindings: TokenStream,
    pub body: Block,
    pub else_body: Option<Block>,
    /// The root field the range is over when it names one directly
    /// (`.items`, `$.items`): a range of the root block over it is edited
    /// item by item by `update_tree`.
    pub root_field: Option<String>,
    /// A range over the item (`.`, `.a.b`) with no else and a body that
    /// reads nothing else: edited item by item inside an item update.
    pub spliceable: bool,
    /// `update_tree` updates an item of this range in place (see
    /// `emit::update`): a range of the root block whose body holds a
    /// spliceable range.
    pub item_update: bool,
    /// The type of the root field of a range of the root block over one
    /// (when the root's dynamics are split): an item is built by a method
    /// of its own, `build_tree` and `update_tree` both call it (see
    /// `emit::tree`).
    pub item_ty: Option<TokenStream>,
}

pub struct Call {
    pub ctl: Control,
    /// Binds the callee's dot.
    pub prelude: TokenStream,
    pub body: Block,
}

/// The mistakes found so far (see the module header).
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<TemplateError>,
}

impl Ctxt {
    fn error(&mut self, e: TemplateError) {
        // A `{{define}}` called twice is analysed twice: report once.
        if !self.errors.contains(&e) {
            self.errors.push(e);
        }
    }

    /// Every mistake, in template order; `Ok` when there is none.
    fn check(mut self) -> Result<(), Vec<TemplateError>> {
        if self.errors.is_empty() {
            return Ok(());
        }
        self.errors.sort_by_key(|e| (e.span.start, e.span.end));
        Err(self.errors)
    }
}

/// Analyses `root` for `input` (see the module header).
pub fn analyse(input: &Input, root: &Body) -> Result<Tree, Vec<TemplateError>> {
    let mut a = Analyser {
        input,
        rt: quote!(::livetemplate::__rt),
        ctxt: Ctxt::default(),
        next_id: 0,
        range_depth: 0,
        static_bytes: 0,
        slots: 0,
        ids: livetemplate_shared::Ids::new(),
        too_many_blocks: false,
    };
    let block = a.block(root, &mut Scope::root(), Kind::Root, "0", 0);
    a.ctxt.check()?;
    let split = !root.items.iter().any(|p| matches!(p, Part::Decl { .. }));
    Ok(Tree {
        split,
        root: mark_root_ranges(block, split.then_some(input)),
        static_bytes: a.static_bytes,
        slots: a.slots,
    })
}

/// The ranges of the root block whose body holds a spliceable range get
/// an item update (see [`Range::item_update`]); with `input` (the root's
/// dynamics are split), those over a root field get its type
/// ([`Range::item_ty`]).
fn mark_root_ranges(mut root: Block, input: Option<&Input>) -> Block {
    for item in &mut root.items {
        if let Item::Dyn(Dyn {
            node: Node::Range(r),
            ..
        }) = item
        {
            r.item_update = r.body.items.iter().any(|i| {
                matches!(i, Item::Dyn(Dyn { node: Node::Range(inner), .. }) if inner.spliceable)
            });
            r.item_ty = input.zip(r.root_field.as_ref()).and_then(|(input, field)| {
                let at = input.fields.iter().position(|f| f == field)?;
                input.types.get(at).cloned()
            });
        }
    }
    root
}

pub(crate) struct Analyser<'a> {
    input: &'a Input<'a>,
    rt: TokenStream,
    ctxt: Ctxt,
    next_id: usize,
    /// How many `range` bodies enclose the part being analysed.
    range_depth: usize,
    static_bytes: usize,
    slots: usize,
    ids: livetemplate_shared::Ids,
    /// The template has more blocks than ids (reported).
    too_many_blocks: bool,
}

/// What `.`, `$` and the variables are where a part stands.
#[derive(Clone)]
pub(crate) struct Scope {
    /// Expression of reference type for `.`.
    dot: TokenStream,
    /// `.` is the view-model struct itself (its fields can be checked).
    pub(crate) dot_is_root: bool,
    /// Expression for `$`.
    root: TokenStream,
    pub(crate) root_is_struct: bool,
    vars: Vec<Var>,
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

    /// The innermost variable named `name`.
    pub(crate) fn var(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }
}

#[derive(Clone)]
pub(crate) struct Var {
    name: String,
    ident: Ident,
    /// The binding holds a value (use `&ident`), not a reference.
    owned: bool,
    is_root_struct: bool,
    /// Root fields the variable's value was computed from.
    pub(crate) root_deps: RootDeps,
}

/// A compiled expression.
pub(crate) enum Val {
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

/// Where a control structure sits (its span and `lower::Place`).
struct At {
    span: Span,
    markable: bool,
    attr: bool,
}

impl Analyser<'_> {
    fn error(&mut self, e: TemplateError) {
        self.ctxt.error(e);
    }

    fn fresh(&mut self, what: &str) -> Ident {
        self.next_id += 1;
        format_ident!("__lt_{}{}", what, self.next_id)
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

    fn line(&self, pos: usize) -> u32 {
        line_col(self.input.src, pos).0 as u32
    }

    /// Deterministic id: `f-` + 16 hex digits of a hash of the template
    /// path, the block path and the position (see `livetemplate_shared::Ids`).
    fn id(&mut self, path: &str, pos: usize) -> String {
        match self.ids.get(self.input.path, path, pos) {
            Some(id) => id,
            None if self.too_many_blocks => String::new(),
            None => {
                // Reported once, at the first block beyond the limit.
                self.too_many_blocks = true;
                self.error(TemplateError::new(
                    Span::new(pos, pos),
                    format!(
                        "the template has more than {} blocks (if, range, with, template)",
                        livetemplate_shared::MAX_BLOCKS
                    ),
                ));
                String::new()
            }
        }
    }

    fn block(
        &mut self,
        body: &Body,
        scope: &mut Scope,
        kind: Kind,
        path: &str,
        pos: usize,
    ) -> Block {
        let vars_before = scope.vars.len();
        let meta_ident = self.fresh("m");
        let mut items = Vec::new();
        let mut statics = Vec::new();
        let mut current = String::new();
        let mut deps = RootDeps::default();
        let mut dyn_count = 0;
        for (i, part) in body.items.iter().enumerate() {
            match part {
                Part::Static(s) => {
                    self.static_bytes += s.len();
                    current.push_str(s);
                    items.push(Item::Static(s.clone()));
                }
                Part::Decl { pipe, span } => {
                    let loc = self.loc(*span);
                    let (stmt, d) = self.declare(pipe, scope, &loc);
                    deps.merge(&d);
                    items.push(Item::Decl(stmt));
                }
                _ => {
                    let child_path = format!("{path}/{i}");
                    let (node, d) = self.dynamic(part, scope, &child_path);
                    deps.merge(&d);
                    if let Some(node) = node {
                        statics.push(std::mem::take(&mut current));
                        items.push(Item::Dyn(Dyn {
                            index: dyn_count,
                            deps: d,
                            node,
                        }));
                        dyn_count += 1;
                    }
                }
            }
        }
        statics.push(current);
        scope.vars.truncate(vars_before);
        let id = self.id(path, pos);
        Block {
            kind,
            id,
            line: self.line(pos),
            statics,
            items,
            dyn_count,
            meta_ident,
            deps,
        }
    }

    /// A slot or control structure, and the root fields it reads. No node
    /// for a slot in an HTML comment (it prints nothing).
    fn dynamic(&mut self, part: &Part, scope: &mut Scope, path: &str) -> (Option<Node>, RootDeps) {
        let at = |span: &Span, place: &crate::lower::Place| At {
            span: *span,
            markable: place.markable,
            attr: place.attr,
        };
        let mut deps = RootDeps::default();
        let node = match part {
            Part::Static(_) | Part::Decl { .. } => return (None, deps),
            Part::Slot {
                pipe,
                escapers,
                context,
                attr,
                span,
            } => {
                let loc = self.loc(*span);
                deps = deps::pipeline(pipe, scope, &self.input.fields);
                let val = self.pipeline(pipe, scope, &loc);
                if escapers.as_slice() == [Escaper::Comment] {
                    // Inside an HTML comment: Go prints nothing; neither do we.
                    return (None, deps);
                }
                self.slots += 1;
                Node::Slot(Slot {
                    value: val.by_ref(),
                    escapers: escapers.clone(),
                    action: self
                        .input
                        .src
                        .get(span.start..span.end)
                        .unwrap_or("")
                        .to_string(),
                    line: self.line(span.start),
                    context: context.clone(),
                    attr: *attr,
                })
            }
            Part::If {
                branches,
                else_body,
                span,
                place,
            }
            | Part::With {
                branches,
                else_body,
                span,
                place,
            } => {
                let kind = if matches!(part, Part::If { .. }) {
                    Kind::If
                } else {
                    Kind::With
                };
                let (branches, else_body) =
                    self.conditional(branches, else_body, scope, *span, path, kind, &mut deps);
                Node::Cond(Cond {
                    ctl: self.control(at(span, place), kind, path),
                    branches,
                    else_body,
                })
            }
            Part::Range {
                pipe,
                body,
                else_body,
                span,
                place,
            } => Node::Range(Box::new(self.range(
                pipe,
                body,
                else_body,
                scope,
                at(span, place),
                path,
                &mut deps,
            ))),
            Part::Call {
                name,
                pipe,
                body,
                span,
                place,
            } => {
                let (prelude, body) = self.call(
                    pipe.as_ref(),
                    body,
                    scope,
                    *span,
                    &format!("{path}:{name}"),
                    &mut deps,
                );
                Node::Call(Call {
                    ctl: self.control(at(span, place), Kind::Template, path),
                    prelude,
                    body,
                })
            }
        };
        (Some(node), deps)
    }

    /// The `ControlMeta` facts of the control structure at `path`, asked
    /// after its branches (ids are given in that order).
    fn control(&mut self, at: At, kind: Kind, path: &str) -> Control {
        Control {
            id: self.id(path, at.span.start),
            kind,
            fragment: at.markable && self.range_depth == 0,
            attr: at.attr,
            line: self.line(at.span.start),
        }
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
        kind: Kind,
        deps: &mut RootDeps,
    ) -> (Vec<Branch>, Option<Block>) {
        let rt = self.rt.clone();
        let loc = self.loc(span);
        let mut out = Vec::new();
        // Variables declared in a condition stay visible in later branches and the else.
        let mut chain = scope.clone();
        for (i, (cond, body)) in branches.iter().enumerate() {
            let (prelude, test, d) = self.condition(cond, &mut chain, &loc);
            deps.merge(&d);
            let mut inner = chain.clone();
            let test = if kind == Kind::With {
                let dot = self.fresh("dot");
                inner.dot = quote!(#dot);
                inner.dot_is_root = false;
                quote!(let ::core::option::Option::Some(#dot) = (&&&#rt::__private::W(#test)).lt_with())
            } else {
                truthy(&rt, &test)
            };
            let body = self.block(body, &mut inner, kind, &format!("{path}/{i}"), span.start);
            deps.merge(&body.deps);
            out.push(Branch {
                prelude,
                test,
                body,
            });
        }
        let else_body = else_body.as_ref().map(|body| {
            let mut inner = chain.clone();
            let b = self.block(body, &mut inner, kind, &format!("{path}/else"), span.start);
            deps.merge(&b.deps);
            b
        });
        (out, else_body)
    }

    /// A control pipeline, which may declare variables (`{{if $x := .a}}`):
    /// statements, reference expression to test, root fields read.
    fn condition(
        &mut self,
        pipe: &Pipeline,
        scope: &mut Scope,
        loc: &TokenStream,
    ) -> (TokenStream, TokenStream, RootDeps) {
        if pipe.decl.is_empty() {
            let deps = deps::pipeline(pipe, scope, &self.input.fields);
            let v = self.pipeline(pipe, scope, loc);
            return (TokenStream::new(), v.by_ref(), deps);
        }
        let (stmt, deps) = self.declare(pipe, scope, loc);
        let test = match scope.vars.last() {
            Some(var) => {
                let ident = &var.ident;
                if var.owned {
                    quote!(&#ident)
                } else {
                    quote!(#ident)
                }
            }
            None => quote!(&()),
        };
        (stmt, test, deps)
    }

    /// `{{$x := pipeline}}`: the `let` statement and the root fields the
    /// value reads; the variable is in `scope` after it.
    fn declare(
        &mut self,
        pipe: &Pipeline,
        scope: &mut Scope,
        loc: &TokenStream,
    ) -> (TokenStream, RootDeps) {
        if pipe.is_assign {
            self.error(TemplateError::new(
                pipe.span,
                "assigning to a variable (`$x = …`) is not supported; declare a new one with `:=`",
            ));
        } else if pipe.decl.len() != 1 {
            self.error(TemplateError::new(
                pipe.span,
                "only `{{range}}` can declare two variables",
            ));
        }
        let root_deps = deps::pipeline(pipe, scope, &self.input.fields);
        let (bind, owned) = self.pipeline(pipe, scope, loc).bind();
        let is_root_struct = self.is_root_struct(pipe, scope);
        let mut stmt = TokenStream::new();
        // Each name is declared (after a mistake too: no second error for
        // its uses).
        for (name, _) in &pipe.decl {
            let ident = self.fresh(&format!("v_{}_", sanitize(name)));
            stmt.extend(quote!(let #ident = #bind;));
            scope.vars.push(Var {
                name: name.clone(),
                ident,
                owned,
                is_root_struct,
                root_deps: root_deps.clone(),
            });
        }
        (stmt, root_deps)
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
                        scope.var(name).is_some_and(|v| v.is_root_struct)
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
        at: At,
        path: &str,
        deps: &mut RootDeps,
    ) -> Range {
        let span = at.span;
        self.range_depth += 1;
        let loc = self.loc(span);
        deps.merge(&deps::pipeline(pipe, scope, &self.input.fields));
        let (coll, coll_owned) = self.pipeline(pipe, scope, &loc).bind();
        let coll_ident = self.fresh("coll");
        let dot = self.fresh("dot");
        let key = self.fresh("key");
        let mut inner = scope.clone();
        inner.dot = quote!(#dot);
        inner.dot_is_root = false;
        let mut bindings = TokenStream::new();
        let mut var = |a: &mut Self, name: &str, owned: bool| {
            let ident = a.fresh(&format!("v_{}_", sanitize(name)));
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
            more => {
                self.error(TemplateError::new(
                    pipe.span,
                    "`{{range}}` declares at most two variables",
                ));
                for (name, _) in more {
                    var(self, name, false);
                }
            }
        }
        let body_block = self.block(
            body,
            &mut inner,
            Kind::Range,
            &format!("{path}/body"),
            span.start,
        );
        deps.merge(&body_block.deps);
        let else_block = else_body.as_ref().map(|b| {
            let mut inner = scope.clone();
            let b = self.block(
                b,
                &mut inner,
                Kind::RangeElse,
                &format!("{path}/else"),
                span.start,
            );
            deps.merge(&b.deps);
            b
        });
        self.range_depth -= 1;
        let empty = self.fresh("empty");
        Range {
            ctl: self.control(at, Kind::Range, path),
            coll,
            coll_owned,
            coll_ident,
            dot,
            key,
            has_key: pipe.decl.len() == 2,
            empty,
            bindings,
            body: body_block,
            else_body: else_block,
            root_field: root_field(pipe),
            spliceable: else_body.is_none() && dot_relative(pipe) && closed(body, &pipe.decl),
            item_update: false,
            item_ty: None,
        }
    }

    /// `{{template "name" pipeline}}`: the callee, inlined with its own dot
    /// and `$`. Returns the statements binding the dot, and the body.
    fn call(
        &mut self,
        pipe: Option<&Pipeline>,
        body: &Body,
        scope: &mut Scope,
        span: Span,
        path: &str,
        deps: &mut RootDeps,
    ) -> (TokenStream, Block) {
        let loc = self.loc(span);
        let arg = self.fresh("arg");
        let dot = self.fresh("dot");
        let (prelude, is_root) = match pipe {
            Some(p) => {
                deps.merge(&deps::pipeline(p, scope, &self.input.fields));
                let v = self.pipeline(p, scope, &loc);
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
        let body = self.block(body, &mut inner, Kind::Template, path, span.start);
        deps.merge(&body.deps);
        (prelude, body)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn analysed(src: &str) -> Result<Tree, Vec<TemplateError>> {
        let file = crate::parse::parse(src).expect("parses");
        let lowered = crate::lower::lower(&file, src).expect("lowers");
        let input = Input {
            path: "t.html",
            src,
            fields: vec!["a".into(), "b".into(), "items".into()],
            types: Vec::new(),
            calls: Calls::default(),
        };
        analyse(&input, &lowered.block)
    }

    fn messages(src: &str) -> Vec<String> {
        match analysed(src) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.message).collect(),
        }
    }

    /// The root dynamics' dependencies, as `[(all, fields)]`.
    fn root_deps(src: &str) -> Vec<(bool, Vec<String>)> {
        let Ok(tree) = analysed(src) else {
            panic!("{src} has errors")
        };
        tree.root
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Dyn(d) => Some((d.deps.all, d.deps.fields.iter().cloned().collect())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_mistake_is_reported_in_template_order() {
        assert_eq!(
            messages("{{lenn .a}}{{.c}}{{if .b}}{{eq .a}}{{else}}{{.x.y}}{{end}}"),
            [
                "unknown function `lenn`",
                "no field `c` in the view-model struct",
                "wrong number of arguments for `eq`: want at least 2, got 1",
                "no field `x` in the view-model struct",
            ]
        );
        assert!(messages("{{range .items}}{{.}}{{end}}").is_empty());
    }

    #[test]
    fn a_template_called_twice_reports_its_mistake_once() {
        assert_eq!(
            messages(r#"{{define "t"}}{{.c}}{{end}}{{template "t" .}}{{template "t" .}}"#),
            ["no field `c` in the view-model struct"]
        );
    }

    #[test]
    fn mistakes_in_arguments_are_all_found() {
        assert_eq!(
            messages("{{printf .a (html .b) (len)}}"),
            [
                "the format of `printf` must be a string literal",
                "`html` is not needed: every value is escaped for its context automatically",
                "wrong number of arguments for `len`: want 1, got 0",
            ]
        );
    }

    #[test]
    fn too_many_blocks_is_one_error() {
        let src = "{{if .a}}x{{end}}".repeat(livetemplate_shared::MAX_BLOCKS / 2 + 10);
        let errors = messages(&src);
        assert_eq!(errors.len(), 1, "{:?}", &errors[..errors.len().min(3)]);
        assert!(errors[0].starts_with("the template has more than"));
    }

    #[test]
    fn dependencies_are_the_root_fields_read() {
        let all = |fields: &[&str]| (false, fields.iter().map(|f| f.to_string()).collect());
        assert_eq!(
            root_deps("{{.a}}{{if .b}}{{$.a}}{{end}}{{range .items}}{{.x}}{{end}}"),
            [all(&["a"]), all(&["a", "b"]), all(&["items"])]
        );
        // A variable reads what its value was computed from; `.` inside
        // `with` and a range is not the root.
        assert_eq!(
            root_deps("{{if $x := .a}}{{$x}}{{end}}{{with .b}}{{.a}}{{end}}"),
            [all(&["a"]), all(&["b"])]
        );
        assert_eq!(
            root_deps(r#"{{template "t" .}}{{define "t"}}{{.a}}{{end}}"#),
            [(true, vec!["a".to_string()])]
        );
    }

    #[test]
    fn range_bodies_know_what_they_read_besides_the_item() {
        let tree = analysed("{{range .items}}{{.}}{{$.b}}{{end}}{{range .items}}<p>{{range .}}{{.}}{{end}}</p>{{end}}")
            .expect("no errors");
        let ranges: Vec<&Range> = tree
            .root
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Dyn(Dyn {
                    node: Node::Range(r),
                    ..
                }) => Some(&**r),
                _ => None,
            })
            .collect();
        assert_eq!(ranges[0].body.deps.fields.iter().collect::<Vec<_>>(), ["b"]);
        assert_eq!(ranges[0].root_field.as_deref(), Some("items"));
        assert!(!ranges[0].item_update);
        assert!(ranges[1].body.deps.fields.is_empty());
        assert!(ranges[1].item_update);
    }
}
