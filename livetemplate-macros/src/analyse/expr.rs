//! Pipelines to Rust expressions, checked on the way: every expression
//! compiles to a Rust expression over references into the view-model, so
//! rendering copies nothing but the output; the value traits of
//! `livetemplate-runtime` give each type its Go meaning (truthiness,
//! range, printing). Names are resolved in the [`Scope`]: variables,
//! fields of the root struct (with a suggestion for a misspelt one;
//! fields of nested types are checked by rustc), builtins and their
//! arity. A mistake is recorded in the analysis's [`Ctxt`](super::Ctxt)
//! and the expression continues with a placeholder, so that one walk
//! finds every mistake; the placeholder is never emitted.

use super::{Analyser, Scope, Val};
use crate::ast::{Expr, Ident as TIdent, Pipeline, Span};
use crate::diag::TemplateError;
use crate::suggest::closest;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

pub const BUILTINS: &[&str] = &[
    "and", "or", "not", "len", "index", "eq", "ne", "lt", "le", "gt", "ge", "print", "printf",
];

/// Stands for an expression that failed to compile.
fn placeholder() -> Val {
    Val::Owned(quote!(()))
}

pub fn rust_ident(name: &str) -> proc_macro2::Ident {
    syn::parse_str::<proc_macro2::Ident>(name)
        .unwrap_or_else(|_| proc_macro2::Ident::new_raw(name, proc_macro2::Span::call_site()))
}

fn valid_field_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Go truthiness of the value behind reference expression `r`, for any type.
pub fn truthy(rt: &TokenStream, r: &TokenStream) -> TokenStream {
    quote!((&&&#rt::__private::W(#r)).lt_truthy())
}

impl Analyser<'_> {
    pub(super) fn pipeline(&mut self, pipe: &Pipeline, scope: &Scope, loc: &TokenStream) -> Val {
        let mut acc: Option<Val> = None;
        for cmd in &pipe.cmds {
            let args = &cmd.args;
            let Some(first) = args.first() else {
                self.error(TemplateError::new(cmd.span, "empty command"));
                return placeholder();
            };
            // A call's arguments: the operands after the callee, then the
            // value piped in (Go appends it last).
            let is_call = matches!(first, Expr::Func { .. }) || args.len() > 1 || acc.is_some();
            let mut vals = Vec::new();
            if is_call {
                for a in &args[1..] {
                    vals.push(self.operand(a, scope, loc));
                }
                vals.extend(acc.take());
            }
            acc = Some(match first {
                Expr::Func { name, span } => {
                    self.function(name, *span, cmd.span, &args[1..], vals, loc)
                }
                _ if is_call => match self.head(first, scope, loc) {
                    Some((base, is_root, [recv @ .., method])) => {
                        // `.a.b.m x y`: the method `m` of `.a.b`.
                        if !valid_field_name(&method.name) {
                            self.error(TemplateError::new(
                                method.span,
                                format!("`{}` is not a valid method name", method.name),
                            ));
                            return placeholder();
                        }
                        let m = rust_ident(&method.name);
                        let recv = self.fields(base, is_root, recv, loc).by_ref();
                        Val::Owned(self.call_expr(quote!((#recv).#m), &vals, loc))
                    }
                    _ => {
                        self.error(TemplateError::new(
                            first.span(),
                            "only functions and methods take arguments (`.a.method x`, `$v.method x`, `func x`)",
                        ));
                        placeholder()
                    }
                },
                _ => self.operand(first, scope, loc),
            });
        }
        acc.unwrap_or_else(|| {
            self.error(TemplateError::new(pipe.span, "missing value"));
            placeholder()
        })
    }

    fn operand(&mut self, e: &Expr, scope: &Scope, loc: &TokenStream) -> Val {
        let rt = self.rt.clone();
        match e {
            Expr::Dot(_) => Val::Ref(scope.dot.clone()),
            Expr::Field { .. } | Expr::Var { .. } | Expr::Paren { .. } => {
                match self.head(e, scope, loc) {
                    Some((base, is_root, path)) => self.fields(base, is_root, path, loc),
                    None => placeholder(),
                }
            }
            Expr::Func { name, span } => self.function(name, *span, *span, &[], Vec::new(), loc),
            Expr::Str { value, .. } => Val::Owned(quote!(#value)),
            Expr::Int { value, span } => match i64::try_from(*value) {
                Ok(v) => {
                    let lit = Literal::i64_suffixed(v);
                    Val::Owned(quote!(#lit))
                }
                Err(_) => {
                    self.error(TemplateError::new(
                        *span,
                        "integer literal does not fit in 64 bits",
                    ));
                    placeholder()
                }
            },
            Expr::Float { value, span } => {
                if !value.is_finite() {
                    self.error(TemplateError::new(*span, "float literal out of range"));
                    return placeholder();
                }
                let lit = Literal::f64_suffixed(*value);
                Val::Owned(quote!(#lit))
            }
            Expr::Bool { value, .. } => Val::Owned(quote!(#value)),
            Expr::Nil(_) => Val::Owned(quote!(#rt::Scalar::Nil)),
        }
    }

    /// The start of a field chain and the chain: `.a.b` is `(., [a, b])`,
    /// `$x.a` is `($x, [a])`, `(p).a` is `(p, [a])`; the flag says whether
    /// the start is the view-model struct (its fields are checked). `None`
    /// for any other expression, or for an undefined variable (reported).
    fn head<'e>(
        &mut self,
        e: &'e Expr,
        scope: &Scope,
        loc: &TokenStream,
    ) -> Option<(Val, bool, &'e [TIdent])> {
        match e {
            Expr::Field { path, .. } => {
                Some((Val::Ref(scope.dot.clone()), scope.dot_is_root, path))
            }
            Expr::Var { name, path, .. } if name.is_empty() => {
                Some((Val::Ref(scope.root.clone()), scope.root_is_struct, path))
            }
            Expr::Var { name, path, span } => {
                let Some(var) = scope.var(name) else {
                    // As the parser reports it (see `parse::parse_all`).
                    let at = Span::new(span.start, span.start + 1 + name.len());
                    self.error(crate::parse::undefined_variable(name, at));
                    return None;
                };
                let ident = &var.ident;
                let base = if var.owned {
                    Val::Place(quote!(#ident))
                } else {
                    Val::Ref(quote!(#ident))
                };
                Some((base, var.is_root_struct, path))
            }
            Expr::Paren { pipe, path, .. } => {
                let v = self.pipeline(pipe, scope, loc);
                Some((v, false, path))
            }
            _ => None,
        }
    }

    /// The function `name` called with `args`: a registered one
    /// (`funcs(…)`, which wins over a builtin of its name), else a builtin.
    fn function(
        &mut self,
        name: &str,
        span: Span,
        cmd_span: Span,
        arg_exprs: &[Expr],
        args: Vec<Val>,
        loc: &TokenStream,
    ) -> Val {
        match self.input.calls.funcs.iter().find(|(n, _)| n == name) {
            Some((_, path)) => Val::Owned(self.call_expr(quote!(#path), &args, loc)),
            None => self.builtin(name, span, cmd_span, arg_exprs, args, loc),
        }
    }

    /// A call of `callee` (a function path or `(recv).method`) with `args`:
    /// each converted to its parameter's type, the result unwrapped when it
    /// is a `Result` (see `livetemplate_runtime`'s `call` module).
    fn call_expr(&self, callee: TokenStream, args: &[Val], loc: &TokenStream) -> TokenStream {
        let rt = &self.rt;
        let args = args.iter().map(|a| {
            let r = a.by_ref();
            quote!(#rt::__private::arg(#r, #loc)?)
        });
        quote!((&&#rt::__private::Ret::new(#callee(#(#args),*))).lt_ret(#loc)?)
    }

    /// `base.a.b.c`. Each step through an `Option` unwraps `Some` (a `None`
    /// fails the render, as a nil pointer does in Go).
    fn fields(&mut self, base: Val, base_is_root: bool, path: &[TIdent], loc: &TokenStream) -> Val {
        if path.is_empty() {
            return base;
        }
        if base_is_root {
            let f = &path[0];
            let fields = &self.input.fields;
            if !fields.contains(&f.name) && !self.input.calls.methods.contains(&f.name) {
                let mut e = TemplateError::new(
                    f.span,
                    format!("no field `{}` in the view-model struct", f.name),
                );
                match closest(&f.name, fields.iter().map(String::as_str)) {
                    Some(s) => e = e.with_help(format!("did you mean `{s}`?")),
                    None if !fields.is_empty() => {
                        e = e.with_help(format!(
                            "the fields are: {}; a method without arguments is listed in `methods({})` on the attribute",
                            fields.join(", "),
                            f.name
                        ))
                    }
                    None => {
                        e = e.with_help(format!(
                            "a method without arguments is listed in `methods({})` on the attribute",
                            f.name
                        ))
                    }
                }
                self.error(e);
            }
        }
        let rt = self.rt.clone();
        let mut cur: Option<TokenStream> = None;
        for (i, seg) in path.iter().enumerate() {
            if !valid_field_name(&seg.name) {
                self.error(TemplateError::new(
                    seg.span,
                    format!("`{}` is not a valid field name", seg.name),
                ));
                return placeholder();
            }
            let field = rust_ident(&seg.name);
            let base_ref = match &cur {
                Some(place) => quote!(&#place),
                None => base.by_ref(),
            };
            cur = Some(if self.input.calls.methods.contains(&seg.name) {
                // A method the attribute lists (`methods(…)`): called.
                let v = self.call_expr(quote!((#base_ref).#field), &[], loc);
                quote!((#v))
            } else if i == 0 && base_is_root {
                quote!((#base_ref).#field)
            } else {
                quote!((#rt::__private::ops::step((&&&#rt::__private::W(#base_ref)).lt_step(), #loc)?).#field)
            });
        }
        cur.map_or_else(placeholder, Val::Place)
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
    ) -> Val {
        let rt = self.rt.clone();
        let n = args.len();
        let want = match name {
            "len" | "not" => Some((n == 1, "1")),
            "and" | "or" | "printf" => Some((n >= 1, "at least 1")),
            "eq" | "index" => Some((n >= 2, "at least 2")),
            "ne" | "lt" | "le" | "gt" | "ge" => Some((n == 2, "2")),
            _ => None,
        };
        if let Some((false, want)) = want {
            self.error(TemplateError::new(
                cmd_span,
                format!("wrong number of arguments for `{name}`: want {want}, got {n}"),
            ));
            return placeholder();
        }
        let r: Vec<TokenStream> = args.iter().map(Val::by_ref).collect();
        match name {
            "len" => {
                let a = &r[0];
                Val::Owned(quote!(#rt::__private::ops::len(#a)))
            }
            "not" => {
                let t = truthy(&rt, &r[0]);
                Val::Owned(quote!(!#t))
            }
            "and" | "or" => {
                let mut iter = args.iter().rev();
                let Some(last) = iter.next() else {
                    return placeholder();
                };
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
                let a = &r[0];
                let terms = r[1..]
                    .iter()
                    .map(|b| quote!(#rt::__private::ops::eq(#a, #b, #loc)?));
                Val::Owned(quote!((#(#terms)||*)))
            }
            "ne" | "lt" | "le" | "gt" | "ge" => {
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
                let mut cur = r[0].clone();
                for k in &r[1..] {
                    cur = quote!(#rt::__private::ops::index(#cur, #k, #loc)?);
                }
                Val::Ref(cur)
            }
            "print" => {
                Val::Owned(quote!(#rt::__private::printf::sprint(&[#(#r as &dyn #rt::Slot),*])))
            }
            "printf" => match arg_exprs.first() {
                Some(Expr::Str { value, .. }) => {
                    let rest = &r[1..];
                    Val::Owned(
                        quote!(#rt::__private::printf::sprintf(#value, &[#(#rest as &dyn #rt::Slot),*])),
                    )
                }
                _ => {
                    self.error(TemplateError::new(
                        cmd_span,
                        "the format of `printf` must be a string literal",
                    ));
                    placeholder()
                }
            },
            "html" | "js" | "urlquery" => {
                self.error(TemplateError::new(
                    span,
                    format!(
                        "`{name}` is not needed: every value is escaped for its context automatically"
                    ),
                ));
                placeholder()
            }
            "slice" | "call" | "println" => {
                self.error(TemplateError::new(
                    span,
                    format!("the builtin `{name}` is not supported"),
                ));
                placeholder()
            }
            _ => {
                let e = TemplateError::new(span, format!("unknown function `{name}`"));
                let known: Vec<&str> = BUILTINS
                    .iter()
                    .copied()
                    .chain(self.input.calls.funcs.iter().map(|(n, _)| n.as_str()))
                    .collect();
                self.error(match closest(name, known.iter().copied()) {
                    Some(s) => e.with_help(format!("did you mean `{s}`?")),
                    None => e.with_help(format!(
                        "the functions are: {}; register your own with `funcs({name})` on the attribute",
                        known.join(" ")
                    )),
                });
                placeholder()
            }
        }
    }
}
