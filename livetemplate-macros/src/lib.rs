//! The `#[live_template]` attribute macro. Use it through the `livetemplate`
//! crate, which documents the template language.
//!
//! The pipeline is four plain functions, each testable on its own:
//! [`parse`](parse::parse) (text → syntax tree), [`lower`](lower::lower)
//! (contextual escaping, `{{template}}` inlining), [`codegen`](codegen::generate)
//! (Rust code and the template description), and [`diag`] for errors that
//! name the template file, line and column.

mod ast;
mod codegen;
mod context;
mod diag;
mod lower;
mod parse;
mod suggest;

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr};

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

enum TemplateSource {
    File(LitStr),
    Inline(LitStr),
}

fn parse_attr(attr: proc_macro2::TokenStream) -> syn::Result<TemplateSource> {
    let span = proc_macro2::Span::call_site();
    if attr.is_empty() {
        return Err(syn::Error::new(
            span,
            "expected a template path: #[live_template(\"templates/page.html\")] or #[live_template(source = \"...\")]",
        ));
    }
    if let Ok(lit) = syn::parse2::<LitStr>(attr.clone()) {
        return Ok(TemplateSource::File(lit));
    }
    let nv: syn::MetaNameValue = syn::parse2(attr)?;
    let mut value = &nv.value;
    // A literal passed through `macro_rules!` arrives wrapped in an invisible group.
    while let syn::Expr::Group(g) = value {
        value = &g.expr;
    }
    let lit = match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.clone(),
        other => return Err(syn::Error::new_spanned(other, "expected a string literal")),
    };
    if nv.path.is_ident("path") {
        Ok(TemplateSource::File(lit))
    } else if nv.path.is_ident("source") {
        Ok(TemplateSource::Inline(lit))
    } else {
        Err(syn::Error::new_spanned(
            &nv.path,
            "expected `path = \"...\"` or `source = \"...\"`",
        ))
    }
}

fn expand(
    attr: proc_macro2::TokenStream,
    input: &DeriveInput,
) -> syn::Result<proc_macro2::TokenStream> {
    let source = parse_attr(attr)?;
    let fields: Vec<String> = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named
                .named
                .iter()
                .filter_map(|f| f.ident.as_ref())
                .map(|i| i.to_string().trim_start_matches("r#").to_string())
                .collect(),
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

    let diag = |e: diag::TemplateError| syn::Error::new(lit.span(), e.render(&path, &src));
    let file = parse::parse(&src).map_err(diag)?;
    let block = lower::lower(&file).map_err(diag)?;
    let gen = codegen::generate(
        &codegen::Input {
            path: &path,
            src: &src,
            fields,
        },
        &block,
    )
    .map_err(diag)?;

    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let body = gen.body;
    let meta = gen.meta;
    let tree = gen.tree;
    let update = gen.update;
    let size_hint = gen.size_hint;
    // Referencing the file makes cargo rebuild when the template changes.
    let track = track.map(|full| {
        quote!(
            const _: &[u8] = include_bytes!(#full);
        )
    });
    Ok(quote! {
        #track
        const _: () = {
        /// Bytes the previous render of this type wrote: the next one
        /// reserves as much (a page of stable size then allocates once).
        static __LT_LAST_LEN: ::core::sync::atomic::AtomicUsize =
            ::core::sync::atomic::AtomicUsize::new(0);

        impl #impl_generics ::livetemplate::__rt::Template for #name #ty_generics #where_clause {
            const META: &'static ::livetemplate::__rt::TemplateMeta = &::livetemplate::__rt::TemplateMeta {
                path: #path,
                size_hint: #size_hint,
                root: #meta,
            };

            #[allow(unused_variables, unused_braces, unused_parens, clippy::all, clippy::pedantic)]
            fn render_into(&self, __out: &mut ::std::string::String) -> ::core::result::Result<(), ::livetemplate::__rt::RenderError> {
                #[allow(unused_imports)]
                use ::livetemplate::__rt::{ViaAny as _, ViaOption as _, ViaTruthy as _};
                #body
                ::core::result::Result::Ok(())
            }

            #[allow(unused_variables, unused_braces, unused_parens, unused_mut, clippy::all, clippy::pedantic)]
            fn build_tree(&self) -> ::core::result::Result<::livetemplate::__rt::Block, ::livetemplate::__rt::RenderError> {
                #[allow(unused_imports)]
                use ::livetemplate::__rt::{ViaAny as _, ViaOption as _, ViaTruthy as _};
                ::core::result::Result::Ok(#tree)
            }

            #[allow(unused_variables, unused_braces, unused_parens, unused_mut, clippy::all, clippy::pedantic)]
            fn update_tree(
                &self,
                __old: &Self,
                __tree: &mut ::livetemplate::__rt::Block,
                __changes: &mut ::std::vec::Vec<::livetemplate::__rt::Change>,
            ) -> ::core::result::Result<(), ::livetemplate::__rt::RenderError> {
                #[allow(unused_imports)]
                use ::livetemplate::__rt::{CmpAny as _, CmpEq as _, ItemsDiffAny as _, ItemsDiffEq as _, ViaAny as _, ViaOption as _, ViaTruthy as _};
                #update
                ::core::result::Result::Ok(())
            }

            fn size_hint(&self) -> usize {
                ::core::cmp::max(
                    __LT_LAST_LEN.load(::core::sync::atomic::Ordering::Relaxed),
                    <Self as ::livetemplate::__rt::Template>::META.size_hint,
                )
            }
        }
        };
    })
}

#[cfg(test)]
mod pipeline_tests {
    //! The whole build-time pipeline on hostile input: parse, escape, generate.
    //! Any input gives code or a located error, never a panic.

    use proptest::prelude::*;

    fn compile(src: &str) -> Result<(), String> {
        let file = crate::parse::parse(src).map_err(|e| e.render("t.html", src))?;
        let block = crate::lower::lower(&file).map_err(|e| e.render("t.html", src))?;
        crate::codegen::generate(
            &crate::codegen::Input {
                path: "t.html",
                src,
                fields: vec!["a".into(), "b".into(), "items".into()],
            },
            &block,
        )
        .map(|_| ())
        .map_err(|e| e.render("t.html", src))
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
                prop_assert!(msg.starts_with("t.html:"), "{msg}");
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
