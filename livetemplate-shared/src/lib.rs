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
/// (FNV-1a, 64 bits, then mixed so that every digit depends on every byte)
/// of the template's path, the block's path in the
/// template and its byte position. The same on every build of it; a
/// template's ids come from [`Ids`], which keeps them apart on the wire.
pub fn fragment_id(template_path: &str, block_path: &str, pos: usize) -> String {
    salted_id(template_path, block_path, pos, 0)
}

/// [`fragment_id`] hashed again with `salt` (0: the plain id).
fn salted_id(template_path: &str, block_path: &str, pos: usize, salt: u32) -> String {
    let key = match salt {
        0 => format!("{template_path}|{block_path}|{pos}"),
        n => format!("{template_path}|{block_path}|{pos}|{n}"),
    };
    format!("f-{:016x}", mix(fnv64(&key)))
}

/// SplitMix64's finalizer: FNV-1a's top digits barely change with the last
/// bytes (the positions), and the wire keeps the top digits.
fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Hex digits of a generated id that the wire carries (see [`wire_id`]).
pub const WIRE_ID_LEN: usize = 4;

/// The most blocks a template may have: a quarter of the wire ids, so that
/// a free one is found in a few tries.
pub const MAX_BLOCKS: usize = 1 << (4 * WIRE_ID_LEN - 2);

/// A fragment id as the wire writes it: without `f-`, and a generated id
/// (16 lowercase hex digits) cut to its first [`WIRE_ID_LEN`], which are
/// unique within its template ([`Ids`]). A client finds the region by the
/// whole id in `<!--f-ID-->`, else by the one marker that starts so.
pub fn wire_id(id: &str) -> &str {
    let rest = id.strip_prefix("f-").unwrap_or(id);
    match is_generated(rest) {
        true => &rest[..WIRE_ID_LEN],
        false => rest,
    }
}

/// True for the digits of a generated id: 16 lowercase hex digits.
pub fn is_generated(digits: &str) -> bool {
    digits.len() == 16
        && digits
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The ids of one template's blocks: [`fragment_id`], re-hashed with a salt
/// when its first [`WIRE_ID_LEN`] digits are another block's. Asked again
/// for the same block, it gives the same id; asked in the same order, the
/// same ids on every build.
#[derive(Debug, Default)]
pub struct Ids {
    given: std::collections::HashMap<(String, usize), String>,
    wire: std::collections::HashSet<String>,
}

impl Ids {
    /// No ids given yet.
    pub fn new() -> Self {
        Ids::default()
    }

    /// The id of the block at `block_path`, `pos` of `template_path`;
    /// `None` beyond [`MAX_BLOCKS`] blocks.
    pub fn get(&mut self, template_path: &str, block_path: &str, pos: usize) -> Option<String> {
        let key = (format!("{template_path}|{block_path}"), pos);
        if let Some(id) = self.given.get(&key) {
            return Some(id.clone());
        }
        if self.given.len() >= MAX_BLOCKS {
            return None;
        }
        let id = (0..)
            .map(|salt| salted_id(template_path, block_path, pos, salt))
            .find(|id| !self.wire.contains(wire_id(id)))?;
        self.wire.insert(wire_id(&id).to_owned());
        self.given.insert(key, id.clone());
        Some(id)
    }
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
    fn ids_are_apart_on_the_wire() {
        let mut ids = Ids::new();
        let all: Vec<String> = (0..3000)
            .map(|pos| ids.get("t.html", "/0", pos).unwrap())
            .collect();
        // the same block, the same id
        assert_eq!(ids.get("t.html", "/0", 7).as_ref(), Some(&all[7]));
        let mut wire: Vec<&str> = all.iter().map(|id| wire_id(id)).collect();
        assert!(wire.iter().all(|w| w.len() == WIRE_ID_LEN));
        wire.sort_unstable();
        wire.dedup();
        assert_eq!(wire.len(), all.len(), "wire ids repeat");
        // 3000 ids out of 65536 collide about 64 times: some were salted,
        // the others are the plain hash
        let plain = (0..3000)
            .filter(|&pos| all[pos] == fragment_id("t.html", "/0", pos))
            .count();
        assert!((2800..3000).contains(&plain), "{plain}");
        // bounded
        let mut ids = Ids::new();
        for pos in 0..MAX_BLOCKS {
            assert!(ids.get("t", "", pos).is_some());
        }
        assert_eq!(ids.get("t", "", MAX_BLOCKS), None);
    }

    #[test]
    fn wire_ids_cut_generated_ids_only() {
        assert_eq!(wire_id("f-0123456789abcdef"), "0123");
        assert_eq!(wire_id("f-root"), "root");
        assert_eq!(wire_id("f-0123456789ABCDEF"), "0123456789ABCDEF");
        assert_eq!(wire_id("f-0123456789abcde"), "0123456789abcde");
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
