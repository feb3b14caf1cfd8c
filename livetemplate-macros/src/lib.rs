//! The `#[live_template]` attribute macro and `#[derive(LiveEvent)]`. Use
//! them through the `livetemplate` crate, which documents the template
//! language.
//!
//! The pipeline is plain functions, each testable on its own:
//! `parse::parse_all` (text → syntax tree), `lower::lower` (contextual
//! escaping, `{{template}}` inlining), `analyse::analyse` (every check,
//! reporting every mistake; ids, dependencies, compiled expressions: the
//! annotated tree) and `emit::generate` (the render, tree, update and
//! description code from that tree, which cannot fail), and `diag` for
//! errors that name the template file, line and column. `actions` turns the
//! template's `lt-*` event attributes into build-time checks against an
//! event type; `event` derives the event type's list of actions. (These
//! modules are private: `cargo doc --document-private-items` documents
//! them.)

mod actions;
mod analyse;
mod ast;
mod context;
mod diag;
mod emit;
mod event;
mod lower;
mod parse;
mod suggest;

use proc_macro::TokenStream;
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr, Token};

/// Ties a struct to a Go-syntax HTML template, checked and compiled at build time.
///
/// ```ignore
/// #[live_template("templates/todos.html")]   // relative to CARGO_MANIFEST_DIR
/// struct Todos { title: String, items: Vec<Item> }
///
/// #[live_template(source = "<h1>{{.title}}</h1>")]   // inline template
/// struct Heading { title: String }
/// ```
///
/// Implements `livetemplate::Template` for the struct.
///
/// `events = Type` (after the template: `#[live_template("templates/todos.html",
/// events = TodoEvent)]`) checks every `lt-click`, `lt-submit`, `lt-change` and
/// `lt-input` action written as static text in the template against the
/// actions of `Type` (`#[derive(LiveEvent)]`): an action it lacks is a build
/// error naming the template file, line and column. A value holding a
/// `{{…}}` (`lt-click="{{.action}}"`) is known only when the page renders
/// and is not checked. Without `events`, nothing is checked.
///
/// `funcs(upper, sub = crate::math::sub)` registers functions the template
/// calls (`{{upper .name}}`), as a Go `FuncMap`; `methods(full_name)` lists
/// names called as methods without arguments (`{{.user.full_name}}`).
/// Methods with arguments (`{{.login.format "15:04"}}`) need no listing.
#[proc_macro_attribute]
pub fn live_template(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item2: proc_macro2::TokenStream = item.clone().into();
    let input = parse_macro_input!(item as DeriveInput);
    match expand(attr.into(), &input) {
        Ok(ts) => quote!(#item2 #ts).into(),
        Err(e) => {
            let err = e.to_compile_error();
            quote!(#item2 #err).into()
        }
    }
}

/// Derives `livetemplate::LiveEvent` for an enum of page events: its
/// `ACTIONS` are the variants' names as serde decodes them, the names
/// `#[live_template(…, events = Type)]` checks the template's `lt-*`
/// attributes against.
///
/// ```ignore
/// #[derive(serde::Deserialize, livetemplate::LiveEvent)]
/// #[serde(rename_all = "snake_case")]
/// enum TodoEvent {
///     Add { text: String },              // "add"
///     ClearCompleted,                    // "clear_completed"
///     #[serde(rename = "flip", alias = "toggle")]
///     Toggle { id: u64 },                // "flip", "toggle"
///     #[serde(skip)]
///     Internal,                          // no action
/// }
/// ```
///
/// It reads serde's attributes only (serde itself is not needed):
/// `rename_all` on the enum (`lowercase`, `UPPERCASE`, `PascalCase`,
/// `camelCase`, `snake_case`, `SCREAMING_SNAKE_CASE`, `kebab-case`,
/// `SCREAMING-KEBAB-CASE`; without it a variant keeps its name, as in
/// serde), and on a variant `rename`, `alias`, and `skip`,
/// `skip_deserializing` or `untagged` (no name). The deserialize name wins
/// where serialize and deserialize names differ. A struct or union is an
/// error.
#[proc_macro_derive(LiveEvent, attributes(serde))]
pub fn derive_live_event(item: TokenStream) -> TokenStream {
    let input = parse_macro_input!(item as DeriveInput);
    match event::derive(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

enum TemplateSource {
    File(LitStr),
    Inline(LitStr),
}

/// The arguments of `#[live_template(…)]`.
struct Args {
    source: TemplateSource,
    /// `events = Type`: the event type the `lt-*` actions are checked against.
    events: Option<syn::Type>,
    /// `funcs(…)` and `methods(…)`.
    calls: analyse::Calls,
}

/// `funcs(upper, sub = crate::math::sub, …)`: each a function path, named
/// in the template by the path's last segment or by the name before `=`.
fn parse_funcs(input: ParseStream, calls: &mut analyse::Calls) -> syn::Result<()> {
    let list;
    syn::parenthesized!(list in input);
    while !list.is_empty() {
        let (name, path) = if list.peek(syn::Ident) && list.peek2(Token![=]) {
            let name: syn::Ident = list.parse()?;
            list.parse::<Token![=]>()?;
            (name, list.parse::<syn::Path>()?)
        } else {
            let path: syn::Path = list.parse()?;
            let last = path.segments.last().map(|s| s.ident.clone());
            (
                last.ok_or_else(|| syn::Error::new_spanned(&path, "expected a function path"))?,
                path,
            )
        };
        let name = name.to_string().trim_start_matches("r#").to_string();
        if calls.funcs.iter().any(|(n, _)| *n == name) {
            return Err(syn::Error::new_spanned(
                &path,
                format!("the function `{name}` is given twice"),
            ));
        }
        calls.funcs.push((name, path));
        if !list.is_empty() {
            list.parse::<Token![,]>()?;
        }
    }
    Ok(())
}

/// `methods(full_name, is_open, …)`: names called as methods without arguments.
fn parse_methods(input: ParseStream, calls: &mut analyse::Calls) -> syn::Result<()> {
    let list;
    syn::parenthesized!(list in input);
    let names = list.parse_terminated(syn::Ident::parse_any, Token![,])?;
    for name in names {
        let name = name.to_string().trim_start_matches("r#").to_string();
        if !calls.methods.contains(&name) {
            calls.methods.push(name);
        }
    }
    Ok(())
}

fn parse_attr(attr: proc_macro2::TokenStream) -> syn::Result<Args> {
    let span = proc_macro2::Span::call_site();
    let missing = || {
        syn::Error::new(
            span,
            "expected a template path: #[live_template(\"templates/page.html\")] or #[live_template(source = \"...\")]",
        )
    };
    if attr.is_empty() {
        return Err(missing());
    }
    let parser = |input: ParseStream| -> syn::Result<Args> {
        let mut source: Option<TemplateSource> = None;
        let mut events: Option<syn::Type> = None;
        let mut calls = analyse::Calls::default();
        let mut first = true;
        while !input.is_empty() {
            if first && input.peek(LitStr) {
                source = Some(TemplateSource::File(input.parse()?));
            } else {
                let key: syn::Ident = input.parse()?;
                let is_path = key == "path";
                if key == "funcs" {
                    parse_funcs(input, &mut calls)?;
                } else if key == "methods" {
                    parse_methods(input, &mut calls)?;
                } else if is_path || key == "source" {
                    input.parse::<Token![=]>()?;
                    let value: syn::Expr = input.parse()?;
                    let lit = string_literal(&value)?;
                    if source.is_some() {
                        return Err(syn::Error::new_spanned(
                            &key,
                            "the template is given twice: give one path or one `source = \"...\"`",
                        ));
                    }
                    source = Some(if is_path {
                        TemplateSource::File(lit)
                    } else {
                        TemplateSource::Inline(lit)
                    });
                } else if key == "events" {
                    input.parse::<Token![=]>()?;
                    let ty: syn::Type = input.parse()?;
                    if events.is_some() {
                        return Err(syn::Error::new_spanned(&ty, "`events` is given twice"));
                    }
                    events = Some(ty);
                } else {
                    return Err(syn::Error::new_spanned(
                        &key,
                        "expected `path = \"...\"`, `source = \"...\"`, `events = Type`, `funcs(…)` or `methods(…)`",
                    ));
                }
            }
            first = false;
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(Args {
            source: source.ok_or_else(missing)?,
            events,
            calls,
        })
    };
    parser.parse2(attr)
}

/// The string literal `value` is, even when passed through `macro_rules!`
/// (which wraps it in an invisible group).
fn string_literal(mut value: &syn::Expr) -> syn::Result<LitStr> {
    while let syn::Expr::Group(g) = value {
        value = &g.expr;
    }
    match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s.clone()),
        other => Err(syn::Error::new_spanned(other, "expected a string literal")),
    }
}

fn expand(
    attr: proc_macro2::TokenStream,
    input: &DeriveInput,
) -> syn::Result<proc_macro2::TokenStream> {
    let Args {
        source,
        events,
        calls,
    } = parse_attr(attr)?;
    let named: Vec<&syn::Field> = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named.named.iter().filter(|f| f.ident.is_some()).collect(),
            Fields::Unit => Vec::new(),
            Fields::Unnamed(_) => {
                return Err(syn::Error::new_spanned(
                    &input.ident,
                    "#[live_template] needs a struct with named fields (templates refer to fields by name)",
                ))
            }
        },
        _ => {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "#[live_template] goes on a struct with named fields",
            ))
        }
    };
    let fields: Vec<String> = named
        .iter()
        .filter_map(|f| f.ident.as_ref())
        .map(|i| i.to_string().trim_start_matches("r#").to_string())
        .collect();
    let types: Vec<proc_macro2::TokenStream> =
        named.iter().map(|f| f.ty.to_token_stream()).collect();

    let (lit, path, src, track) = match source {
        TemplateSource::Inline(lit) => (lit.clone(), "<inline>".to_string(), lit.value(), None),
        TemplateSource::File(lit) => {
            let rel = lit.value();
            let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
            let full = std::path::Path::new(&dir).join(&rel);
            let src = std::fs::read_to_string(&full).map_err(|e| {
                syn::Error::new(
                    lit.span(),
                    format!(
                        "cannot read template `{rel}` (looked for {}): {e}",
                        full.display()
                    ),
                )
            })?;
            let full = full.to_string_lossy().into_owned();
            (lit, rel, src, Some(full))
        }
    };

    let (gen, lowered) = compile(&path, &src, fields, types, calls).map_err(|errors| {
        // Every mistake, each its own error.
        let mut errors = errors
            .into_iter()
            .map(|e| syn::Error::new(lit.span(), e.render(&path, &src)));
        let mut first = errors.next().expect("a failed compile reports an error");
        first.extend(errors);
        first
    })?;
    let checks = events.map(|events| {
        actions::checks(
            &events,
            &actions::collect(&lowered.attrs),
            &path,
            &src,
            lit.span(),
        )
    });

    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let body = gen.body;
    let meta = gen.meta;
    let tree = gen.tree;
    let update = gen.update;
    let size_hint = gen.size_hint;
    let methods = gen.methods;
    // Referencing the file makes cargo rebuild when the template changes.
    let track = track.map(|full| {
        quote!(
            const _: &[u8] = include_bytes!(#full);
        )
    });
    Ok(quote! {
        #track
        #checks
        const _: () = {
        /// Bytes the previous render of this type wrote: the next one
        /// reserves as much (a page of stable size then allocates once).
        static __LT_LAST_LEN: ::core::sync::atomic::AtomicUsize =
            ::core::sync::atomic::AtomicUsize::new(0);

        /// The template's description. A static, not the value of the
        /// constant `META` itself: code that reads a constant's fields is
        /// borrow-checked against its value, so every generated function
        /// would be checked again whenever any static text of the template
        /// changes; through a static only the functions that changed are.
        static __LT_META: ::livetemplate::__rt::TemplateMeta = ::livetemplate::__rt::TemplateMeta {
            path: #path,
            size_hint: #size_hint,
            root: #meta,
        };

        // The autoref steps every generated function below uses (see `emit`).
        #[allow(unused_imports)]
        use ::livetemplate::__rt::__private::{CmpAny as _, CmpEq as _, ItemsDiffAny as _, ItemsDiffEq as _, ItemsDiffKeyed as _, JsDisplay as _, JsSerialize as _, JsSlot as _, PrintDisplay as _, PrintSlot as _, RetResult as _, RetValue as _, ViaAny as _, ViaOption as _, ViaTruthy as _};
        #[allow(unused_variables, unused_braces, unused_parens, unused_mut, clippy::all, clippy::pedantic)]
        impl #impl_generics #name #ty_generics #where_clause {
            #methods
        }

        impl #impl_generics ::livetemplate::__rt::Template for #name #ty_generics #where_clause {
            const META: &'static ::livetemplate::__rt::TemplateMeta = &__LT_META;

            #[allow(unused_variables, unused_braces, unused_parens, clippy::all, clippy::pedantic)]
            fn render_into(&self, __out: &mut ::std::string::String) -> ::core::result::Result<(), ::livetemplate::__rt::RenderError> {
                #body
                ::core::result::Result::Ok(())
            }

            #[allow(unused_variables, unused_braces, unused_parens, unused_mut, clippy::all, clippy::pedantic)]
            fn build_tree(&self) -> ::core::result::Result<::livetemplate::__rt::Block, ::livetemplate::__rt::RenderError> {
                ::core::result::Result::Ok(#tree)
            }

            #[allow(unused_variables, unused_braces, unused_parens, unused_mut, clippy::all, clippy::pedantic)]
            fn update_tree(
                &self,
                __old: &Self,
                __tree: &mut ::livetemplate::__rt::Block,
                __changes: &mut ::std::vec::Vec<::livetemplate::__rt::Change>,
            ) -> ::core::result::Result<(), ::livetemplate::__rt::RenderError> {
                #update
                ::core::result::Result::Ok(())
            }

            fn size_hint(&self) -> usize {
                ::core::cmp::max(
                    __LT_LAST_LEN.load(::core::sync::atomic::Ordering::Relaxed),
                    __LT_META.size_hint,
                )
            }
        }
        };
    })
}

/// The build-time pipeline on the template `src` (at `path`, for the
/// struct with `fields` of `types`): the generated code and the lowered template (for
/// the event checks), or every mistake, in template order. A syntax error
/// stops at the parse, an escaping error that leaves the context unknown
/// at the escaping pass; otherwise every pass runs and reports all it
/// finds.
fn compile(
    path: &str,
    src: &str,
    fields: Vec<String>,
    types: Vec<proc_macro2::TokenStream>,
    calls: analyse::Calls,
) -> Result<(emit::Generated, lower::Lowered), Vec<diag::TemplateError>> {
    fn sorted(mut errors: Vec<diag::TemplateError>) -> Vec<diag::TemplateError> {
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        errors.dedup();
        errors
    }
    // Uses of undefined variables leave the tree whole: they are reported
    // with what the later passes find.
    let (file, mut errors) = parse::parse_all(src).map_err(sorted)?;
    let mut lowered = match lower::lower(&file, src) {
        Ok(lowered) => lowered,
        Err(more) => {
            errors.extend(more);
            return Err(sorted(errors));
        }
    };
    errors.append(&mut lowered.errors);
    let input = analyse::Input {
        path,
        src,
        fields,
        types,
        calls,
    };
    match analyse::analyse(&input, &lowered.block) {
        Ok(tree) if errors.is_empty() => Ok((emit::generate(&tree), lowered)),
        Ok(_) => Err(sorted(errors)),
        Err(more) => {
            errors.extend(more);
            Err(sorted(errors))
        }
    }
}

#[cfg(test)]
mod pipeline_tests {
    //! The whole build-time pipeline on hostile input: parse, escape, generate.
    //! Any input gives code or a located error, never a panic.

    use proptest::prelude::*;

    fn compile(src: &str) -> Result<(), String> {
        let fields = vec!["a".into(), "b".into(), "items".into()];
        crate::compile("t.html", src, fields, vec![], Default::default())
            .map(|_| ())
            .map_err(|errors| {
                assert!(!errors.is_empty());
                errors
                    .iter()
                    .map(|e| e.render("t.html", src))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
    }

    #[test]
    fn every_mistake_is_reported_once_in_template_order() {
        let src = r#"{{$x}}{{.c}}{{range .items}}{{$y.a}}{{end}}{{define "d"}}{{$z}}{{end}}"#;
        let fields = vec!["a".into(), "items".into()];
        let errors = crate::compile("t.html", src, fields, vec![], Default::default())
            .err()
            .expect("fails");
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "undefined variable `$x`",
                "no field `c` in the view-model struct",
                "undefined variable `$y`",
                // In a template never called: found by the parser alone.
                "undefined variable `$z`",
            ]
        );
        // A syntax error stops the parse, after the scope errors before it.
        let errors = crate::compile(
            "t.html",
            "{{$x}}{{.c}}{{end}}",
            vec![],
            vec![],
            Default::default(),
        )
        .err()
        .expect("fails");
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            ["undefined variable `$x`", "unexpected `{{end}}`"]
        );
    }

    #[test]
    fn escaping_mistakes_that_keep_the_context_are_reported_with_the_rest() {
        let src = r#"{{template "nope"}}<{{.a}}>{{.c}}{{define "r"}}{{template "r"}}{{end}}{{range .items}}{{template "r"}}{{end}}"#;
        let fields = vec!["a".into(), "items".into()];
        let errors = crate::compile("t.html", src, fields, vec![], Default::default())
            .err()
            .expect("fails");
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:#?}");
        assert!(messages[0].starts_with("no template named \"nope\""));
        assert!(messages[1].contains("tag name"), "{}", messages[1]);
        assert_eq!(messages[2], "no field `c` in the view-model struct");
        // Once, though the range body is escaped twice.
        assert!(messages[3].starts_with("template \"r\" calls itself"));
    }

    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{-",
        "-}}",
        " ",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        ".a",
        ".b",
        ".items",
        ".",
        "$",
        "$x",
        ":=",
        "|",
        "(",
        ")",
        "\"n\"",
        "1",
        "len",
        "eq",
        "and",
        "printf",
        "<",
        ">",
        "<a href=\"",
        "\"",
        "'",
        "<script>",
        "</script>",
        "<style>",
        "<title>",
        "<!--",
        "-->",
        "=",
        "/*",
        "*/",
        "`",
        "\n",
        "é",
        "<p>",
        "</p>",
        "onclick=",
        "style=\"",
        "?q=",
        "#",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn random_templates_never_panic(parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..40)) {
            let src = parts.concat();
            if let Err(msg) = compile(&src) {
                // Every error names the file, line and column.
                for line in msg.lines().filter(|l| !l.starts_with(' ') && !l.chars().next().is_some_and(|c| c.is_ascii_digit())) {
                    prop_assert!(line.starts_with("t.html:"), "{msg}");
                }
            }
        }

        #[test]
        fn well_formed_templates_compile(
            body in proptest::collection::vec(proptest::sample::select(&[
                "<p>{{.a}}</p>", "{{if .b}}<b>x</b>{{else}}y{{end}}", "{{range .items}}<li>{{.}}</li>{{end}}",
                "<a href=\"{{.a}}\">l</a>", "{{with .a}}{{.}}{{end}}", "<script>var x = {{.b}};</script>",
                "{{$x := .a}}{{$x}}", "<input value=\"{{.a}}\" {{if .b}}checked{{end}}>", "{{/* c */}}",
            ][..]), 0..8)
        ) {
            let src = body.concat();
            prop_assert_eq!(compile(&src), Ok(()));
        }
    }
}
