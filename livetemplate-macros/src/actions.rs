//! The build-time check of event actions: each action a template names in
//! an `lt-click`, `lt-submit`, `lt-change` or `lt-input` attribute becomes a
//! constant that fails to evaluate, with a located message, when the event
//! type of `#[live_template(…, events = Type)]` has no such action.
//!
//! The actions come from the escaping pass ([`crate::lower::Lowered::attrs`]):
//! only values written whole as static text. A value holding a `{{…}}` is
//! known only when the page renders, so it is not checked. The event type's
//! actions are a constant of another type (`LiveEvent::ACTIONS`), unknown to
//! this macro: the comparison, the list of actions and the "did you mean"
//! are computed where the constant is evaluated, by
//! `livetemplate_runtime::event`.

use proc_macro2::{Span as RustSpan, TokenStream};
use quote::{quote, quote_spanned};

use crate::diag::{line_col, TemplateError};
use crate::lower::AttrValue;

/// The attributes whose value names an action of the page's event type
/// (client/README.md, "Event attributes").
pub const EVENT_ATTRS: &[&str] = &["lt-click", "lt-submit", "lt-change", "lt-input"];

/// The static values of the event attributes among `attrs`, in template order.
pub fn collect(attrs: &[AttrValue]) -> Vec<&AttrValue> {
    attrs
        .iter()
        .filter(|a| EVENT_ATTRS.contains(&a.name.as_str()))
        .collect()
}

/// The name of `ty` as written, for messages (`crate::ev::TodoEvent`).
fn type_name(ty: &syn::Type) -> String {
    quote!(#ty).to_string().replace(' ', "")
}

/// The message's part known to the macro: the located first line and the
/// template line with a caret under the action; and the gutter padding of
/// that snippet, for the note and help lines added at evaluation.
pub fn message_head(a: &AttrValue, ty: &str, path: &str, src: &str) -> (String, String) {
    let message = format!(
        "{}={:?}: the event type `{ty}` has no action `{}`",
        a.name, a.value, a.value
    );
    let head = TemplateError::new(a.span, message).render(path, src);
    let (line, _) = line_col(src, a.span.start);
    (head, " ".repeat(line.to_string().len()))
}

/// The checks of `actions` against `events`: one constant per action, each
/// an error of its own; and one that names the type, so that a type that
/// is not a `LiveEvent` is reported even if the template names no action.
/// The constants point at `span` (the template argument) in errors.
pub fn checks(
    events: &syn::Type,
    actions: &[&AttrValue],
    path: &str,
    src: &str,
    span: RustSpan,
) -> TokenStream {
    let ty = type_name(events);
    let each = actions.iter().map(|a| {
        let (head, pad) = message_head(a, &ty, path, src);
        let name = &a.value;
        quote_spanned! {span=>
            const _: () = {
                const __LT_ACTIONS: &[&str] = <#events as ::livetemplate::__rt::LiveEvent>::ACTIONS;
                if !::livetemplate::__rt::has_action(__LT_ACTIONS, #name) {
                    const __LT_LEN: usize = ::livetemplate::__rt::event::unknown_action::<0>(
                        #head, #pad, #ty, __LT_ACTIONS, #name,
                    ).len();
                    const __LT_MESSAGE: ::livetemplate::__rt::event::Message<{ __LT_LEN }> =
                        ::livetemplate::__rt::event::unknown_action::<{ __LT_LEN }>(
                            #head, #pad, #ty, __LT_ACTIONS, #name,
                        );
                    ::core::panic!("{}", __LT_MESSAGE.as_str());
                }
            };
        }
    });
    quote! {
        const _: &[&str] = <#events as ::livetemplate::__rt::LiveEvent>::ACTIONS;
        #(#each)*
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Span;

    /// The event attributes of `src`: (attribute, action, `line:col`, the
    /// action as written in the source).
    fn actions(src: &str) -> Vec<(String, String, String, String)> {
        let file = crate::parse::parse(src).expect("parses");
        let lowered = crate::lower::lower(&file, src).expect("lowers");
        collect(&lowered.attrs)
            .into_iter()
            .map(|a| {
                let (l, c) = line_col(src, a.span.start);
                (
                    a.name.clone(),
                    a.value.clone(),
                    format!("{l}:{c}"),
                    src[a.span.start..a.span.end].to_string(),
                )
            })
            .collect()
    }

    fn row(attr: &str, action: &str, at: &str, raw: &str) -> (String, String, String, String) {
        (attr.into(), action.into(), at.into(), raw.into())
    }

    #[test]
    fn all_four_attributes_with_positions() {
        let src = "<form lt-submit=\"add\">\n  <button lt-click=\"toggle\">x</button>\n  <select lt-change='filter'></select>\n  <input lt-input=search>\n</form>";
        assert_eq!(
            actions(src),
            vec![
                row("lt-submit", "add", "1:18", "add"),
                row("lt-click", "toggle", "2:21", "toggle"),
                row("lt-change", "filter", "3:22", "filter"),
                row("lt-input", "search", "4:19", "search"),
            ]
        );
    }

    #[test]
    fn quoting_and_spacing() {
        let src = "<a lt-click = \"a\" x=1 lt-click='b c' lt-click=d>e</a><b LT-Click=\"f\"></b>";
        let got: Vec<String> = actions(src).into_iter().map(|r| r.1).collect();
        assert_eq!(got, ["a", "b c", "d", "f"]);
        // An unquoted value ends at the space or `>`; an empty value is a value.
        let got = actions("<a lt-click=x >y</a><a lt-click=\"\">z</a>");
        assert_eq!(
            got,
            vec![
                row("lt-click", "x", "1:13", "x"),
                row("lt-click", "", "1:34", "")
            ]
        );
    }

    #[test]
    fn character_references_are_decoded() {
        let got = actions("<a lt-click=\"to&#103;gle\">x</a>");
        assert_eq!(got, vec![row("lt-click", "toggle", "1:14", "to&#103;gle")]);
    }

    #[test]
    fn values_with_actions_are_skipped() {
        let src = "<a lt-click=\"{{.act}}\">x</a>\
                   <a lt-click=\"pre{{.act}}\">x</a>\
                   <a lt-click=\"{{.act}}post\">x</a>\
                   <a lt-click={{.act}}>x</a>\
                   <a lt-click=\"{{if .c}}a{{else}}b{{end}}\">x</a>\
                   <a lt-click=\"ok\">x</a>";
        let got: Vec<String> = actions(src).into_iter().map(|r| r.1).collect();
        assert_eq!(got, ["ok"]);
    }

    #[test]
    fn whole_values_inside_blocks_are_checked() {
        // A value written whole inside a branch, a range body (escaped twice,
        // listed once), a define called twice (listed once).
        let src = "{{if .c}}<a lt-click=\"one\">x</a>{{else}}<a lt-click=\"two\">x</a>{{end}}\
                   {{range .items}}<i lt-click=\"three\">{{.}}</i>{{end}}\
                   {{define \"d\"}}<b lt-submit=\"four\">x</b>{{end}}\
                   {{template \"d\"}}{{template \"d\"}}\
                   {{define \"unused\"}}<b lt-click=\"never\">x</b>{{end}}";
        let got: Vec<String> = actions(src).into_iter().map(|r| r.1).collect();
        assert_eq!(got, ["one", "two", "three", "four"]);
    }

    #[test]
    fn comments_scripts_and_other_attributes_are_not_actions() {
        let src = "<!-- <a lt-click=\"c\"> -->\
                   <script>var s = '<a lt-click=\"d\">';</script>\
                   <a lt-value-id=\"1\" data-lt-click=\"e\" title=\"lt-click=f\">x</a>\
                   <p>lt-click=\"g\"</p>";
        assert_eq!(actions(src), vec![]);
    }

    #[test]
    fn positions_survive_trim_markers_and_comments() {
        // Trimmed text keeps its source position; a comment inside a value
        // is removed from the page, so the value is static.
        let src =
            "{{.a -}}\n   <a lt-click=\"x\">y</a>{{- .b}}<a lt-click=\"tog{{/* c */}}gle\">z</a>";
        let got = actions(src);
        assert_eq!(got[0], row("lt-click", "x", "2:17", "x"));
        assert_eq!(got[1].1, "toggle");
        assert_eq!(got[1].2, "2:46");
        assert_eq!(got[1].3, "tog{{/* c */}}gle");
    }

    #[test]
    fn head_locates_the_action() {
        let src = "<p>\n  <button lt-click=\"tgl\">x</button>\n</p>";
        let a = AttrValue {
            name: "lt-click".into(),
            value: "tgl".into(),
            span: Span::new(24, 27),
        };
        let (head, pad) = message_head(&a, "TodoEvent", "t.html", src);
        assert_eq!(
            head,
            "t.html:2:21: lt-click=\"tgl\": the event type `TodoEvent` has no action `tgl`\n  |\n2 |   <button lt-click=\"tgl\">x</button>\n  |                     ^^^"
        );
        assert_eq!(pad, " ");
    }

    #[test]
    fn checks_name_the_type_once_and_each_action() {
        let ty: syn::Type = syn::parse_quote!(crate::ev::E<u8>);
        assert_eq!(type_name(&ty), "crate::ev::E<u8>");
        let a = AttrValue {
            name: "lt-click".into(),
            value: "x".into(),
            span: Span::new(0, 1),
        };
        let code = checks(&ty, &[&a, &a], "t.html", "x", RustSpan::call_site()).to_string();
        assert_eq!(code.matches("LiveEvent > :: ACTIONS").count(), 3);
        assert_eq!(code.matches("has_action").count(), 2);
        let none = checks(&ty, &[], "t.html", "", RustSpan::call_site()).to_string();
        assert_eq!(none.matches("ACTIONS").count(), 1);
    }
}
