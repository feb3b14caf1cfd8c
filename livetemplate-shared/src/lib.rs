//! The one definition of what `livetemplate-macros` (which writes
//! templates' metadata at build time) and `livetemplate-runtime` (which
//! reads it, and writes and parses the HTML) must agree on: the escaping
//! steps, the kinds of blocks, how fragment ids are made, and the markers
//! around fragments in the HTML. No dependencies, so that the macro crate
//! does not wait for the runtime to build.

#![forbid(unsafe_code)]

/// One escaping step, named after Go's escaper functions. The macro picks
/// the steps of each slot from its context; the runtime applies them.
// The names follow Go's escaper functions (`urlEscaper`, `cssEscaper`).
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Escaper {
    /// `htmlEscaper`: HTML text (`& < > " '` and NUL). Trusted HTML passes
    /// through unchanged.
    Html,
    /// `rcdataEscaper`: the body of `<title>` or `<textarea>`.
    Rcdata,
    /// `attrEscaper`: a quoted attribute value.
    Attr,
    /// `htmlNospaceEscaper`: an unquoted attribute value (also spaces, `=`
    /// and backtick).
    Nospace,
    /// `urlFilter`: replaces URLs with an unsafe scheme by `#ZgotmplZ`.
    UrlFilter,
    /// `urlNormalizer`: percent-encodes what may not appear in a URL.
    UrlNormalizer,
    /// `urlEscaper`: percent-encodes for a URL query or path component.
    UrlEscaper,
    /// `srcsetFilterAndEscaper`: an `<img srcset>` value.
    Srcset,
    /// `jsValEscaper`: a JS value; the input is the value's JSON text.
    JsVal,
    /// `jsStrEscaper`: the inside of a quoted JS string.
    JsStr,
    /// `jsTmplLitEscaper` (Go 1.22): the inside of a JS template literal.
    JsTmplLit,
    /// `jsRegexpEscaper`: the inside of a JS regular expression literal.
    JsRegexp,
    /// `cssValueFilter`: a CSS value, or `ZgotmplZ` when unsafe.
    CssValueFilter,
    /// `cssEscaper`: the inside of a CSS string, URL or identifier.
    CssEscaper,
    /// `commentEscaper`: inside an HTML comment; emits nothing.
    Comment,
}

impl Escaper {
    /// The variant's name, as generated code spells it (`Escaper::JsStr`).
    pub fn name(self) -> &'static str {
        match self {
            Escaper::Html => "Html",
            Escaper::Rcdata => "Rcdata",
            Escaper::Attr => "Attr",
            Escaper::Nospace => "Nospace",
            Escaper::UrlFilter => "UrlFilter",
            Escaper::UrlNormalizer => "UrlNormalizer",
            Escaper::UrlEscaper => "UrlEscaper",
            Escaper::Srcset => "Srcset",
            Escaper::JsVal => "JsVal",
            Escaper::JsStr => "JsStr",
            Escaper::JsTmplLit => "JsTmplLit",
            Escaper::JsRegexp => "JsRegexp",
            Escaper::CssValueFilter => "CssValueFilter",
            Escaper::CssEscaper => "CssEscaper",
            Escaper::Comment => "Comment",
        }
    }
}

/// What kind of template construct a block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// The whole template.
    Root,
    /// One branch of `{{if}}` / `{{else if}}`, or its `{{else}}`.
    If,
    /// The body of `{{with}}`, or its `{{else}}`.
    With,
    /// The body of `{{range}}` (one per item).
    Range,
    /// The `{{else}}` of a range.
    RangeElse,
    /// `{{template "name"}}` / `{{block}}`: the called template, inlined.
    Template,
}

impl BlockKind {
    /// The variant's name, as generated code spells it (`BlockKind::If`).
    pub fn name(self) -> &'static str {
        match self {
            BlockKind::Root => "Root",
            BlockKind::If => "If",
            BlockKind::With => "With",
            BlockKind::Range => "Range",
            BlockKind::RangeElse => "RangeElse",
            BlockKind::Template => "Template",
        }
    }
}

/// The id of a block or fragment: `f-` and 16 hex digits of a stable hash
/// (FNV-1a, 64 bits) of the template's path, the block's path in the
/// template and its byte position. Unique within a template; the same on
/// every build of it.
pub fn fragment_id(template_path: &str, block_path: &str, pos: usize) -> String {
    format!(
        "f-{:016x}",
        fnv64(&format!("{template_path}|{block_path}|{pos}"))
    )
}

/// FNV-1a, 64 bits.
fn fnv64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Fragment markers in the HTML: a fragment's region is `<!--ID-->`
/// content `<!--/ID-->`, and each item of a range fragment starts with
/// [`ITEM_MARKER`]. Appends the opening marker of `id`.
pub fn open_marker(id: &str, out: &mut String) {
    out.push_str("<!--");
    out.push_str(id);
    out.push_str("-->");
}

/// Appends the closing marker of `id` (see [`open_marker`]).
pub fn close_marker(id: &str, out: &mut String) {
    out.push_str("<!--/");
    out.push_str(id);
    out.push_str("-->");
}

/// Bytes of `<!--ID-->`.
pub const fn open_marker_len(id: &str) -> usize {
    id.len() + 7
}

/// Bytes of `<!--/ID-->`.
pub const fn close_marker_len(id: &str) -> usize {
    id.len() + 8
}

/// Starts each item of a range fragment.
pub const ITEM_MARKER: &str = "<!--i-->";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_as_long_as_said() {
        for id in ["f-0123456789abcdef", "x"] {
            let (mut open, mut close) = (String::new(), String::new());
            open_marker(id, &mut open);
            close_marker(id, &mut close);
            assert_eq!(open, format!("<!--{id}-->"));
            assert_eq!(close, format!("<!--/{id}-->"));
            assert_eq!(open.len(), open_marker_len(id));
            assert_eq!(close.len(), close_marker_len(id));
        }
    }

    #[test]
    fn fragment_ids_are_stable_and_apart() {
        // FNV-1a 64 of "" is the offset basis: the hash is the standard one.
        assert_eq!(fnv64(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv64("a"), 0xaf63_dc4c_8601_ec8c);
        let id = fragment_id("t.html", "/0", 3);
        assert_eq!(id, fragment_id("t.html", "/0", 3));
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("f-"));
        assert_ne!(id, fragment_id("t.html", "/1", 3));
        assert_ne!(id, fragment_id("u.html", "/0", 3));
        assert_ne!(id, fragment_id("t.html", "/0", 4));
    }

    #[test]
    fn names_are_the_variants() {
        assert_eq!(Escaper::CssValueFilter.name(), "CssValueFilter");
        assert_eq!(
            format!("{:?}", Escaper::JsTmplLit),
            Escaper::JsTmplLit.name()
        );
        for k in [
            BlockKind::Root,
            BlockKind::If,
            BlockKind::With,
            BlockKind::Range,
            BlockKind::RangeElse,
            BlockKind::Template,
        ] {
            assert_eq!(format!("{k:?}"), k.name());
        }
    }
}
