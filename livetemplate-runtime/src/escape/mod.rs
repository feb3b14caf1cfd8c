//! Contextual escapers, after Go's `html/template`.
//!
//! The context of every template slot is decided when the template is
//! compiled; the generated code then calls [`apply`] (or one of the functions
//! it dispatches to) once per escaping step of that context, in order, each
//! step reading the previous step's output. The functions reproduce the output
//! of Go 1.19's `html/template` escapers byte for byte (plus
//! `jsTmplLitEscaper`, from newer Go releases).
//!
//! Every function appends to an output `String` and scans its input byte by
//! byte, copying runs of bytes that need no escaping with a single
//! `push_str`; nothing is allocated when nothing needs escaping.
//!
//! Only the first step of a pipeline sees the value's [`Content`] kind: like
//! Go's escapers, each step produces ordinary text, so later steps should be
//! given [`Content::Plain`].

mod css;
mod html;
mod js;
mod url;

#[cfg(test)]
mod tests;

pub use css::{css_escape, css_value_filter};
pub use html::{
    html_escape, html_norm_escape, html_nospace_escape, html_nospace_norm_escape, strip_tags,
};
pub use js::{js_regexp_escape, js_str_escape, js_tmpl_lit_escape, js_val, json_string};
pub use url::{srcset_escape, url_escape, url_filter, url_normalize};

/// The text Go's filters substitute for a value that cannot be made safe.
///
/// URL filters emit it as `#ZgotmplZ`, so the result is a harmless fragment.
pub const FILTER_FAILSAFE: &str = "ZgotmplZ";

/// One escaping step (defined in `livetemplate-shared`, which the macro
/// uses too).
pub use livetemplate_shared::Escaper;

/// Kind of content a value carries: ordinary data, or HTML the application marked as trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// Ordinary data, escaped fully.
    Plain,
    /// Trusted HTML (Go's `template.HTML`).
    Html,
}

/// Apply one step to `input` (the value's string form; for JsVal, `input` is the value's JSON text), appending to `out`.
///
/// `content` matters only where Go's escaper looks at `template.HTML`:
///
/// * [`Escaper::Html`]: trusted HTML is written unchanged;
/// * [`Escaper::Rcdata`]: trusted HTML is escaped, but existing entities
///   (`&amp;`) are not escaped again;
/// * [`Escaper::Attr`], [`Escaper::Nospace`]: the tags are stripped from
///   trusted HTML ([`strip_tags`]) and the text is escaped, leaving existing
///   entities alone.
///
/// Every other step treats trusted HTML as a plain string.
#[inline]
pub fn apply(step: Escaper, input: &str, content: Content, out: &mut String) {
    let trusted = content == Content::Html;
    match step {
        Escaper::Html if trusted => out.push_str(input),
        Escaper::Html => html_escape(input, out),
        Escaper::Rcdata if trusted => html_norm_escape(input, out),
        Escaper::Rcdata => html_escape(input, out),
        Escaper::Attr if trusted => html::strip_tags_each(input, |s| html_norm_escape(s, out)),
        Escaper::Attr => html_escape(input, out),
        Escaper::Nospace if trusted => {
            html::strip_tags_each(input, |s| html_nospace_norm_escape(s, out))
        }
        Escaper::Nospace => html_nospace_escape(input, out),
        Escaper::UrlFilter => {
            if url_filter(input) {
                out.push_str(input);
            } else {
                out.push('#');
                out.push_str(FILTER_FAILSAFE);
            }
        }
        Escaper::UrlNormalizer => url_normalize(input, out),
        Escaper::UrlEscaper => url_escape(input, out),
        Escaper::Srcset => srcset_escape(input, out),
        Escaper::JsVal => js_val(input, out),
        Escaper::JsStr => js_str_escape(input, out),
        Escaper::JsTmplLit => js_tmpl_lit_escape(input, out),
        Escaper::JsRegexp => js_regexp_escape(input, out),
        Escaper::CssValueFilter => css_value_filter(input, out),
        Escaper::CssEscaper => css_escape(input, out),
        Escaper::Comment => {}
    }
}

/// Class of a byte that [`escape_by`] copies unchanged.
const PASS: u8 = 0;
/// Class of the lead byte `0xE2` of U+2028 LINE SEPARATOR and U+2029
/// PARAGRAPH SEPARATOR, which JS and JSON escapers write as `\u2028`/`\u2029`.
const LINE_SEP: u8 = 0xFE;
/// Class of the lead byte `0xEF` of the noncharacters U+FDD0..=U+FDEF and
/// U+FFF0..=U+FFFF, which the unquoted-attribute escaper writes as `&#x…;`.
const NONCHAR: u8 = 0xFF;

/// A byte-indexed replacement table, like the `[]string` tables of Go's
/// escapers: `class[b]` is [`PASS`], a special class, or one more than the
/// index of `b`'s replacement in `repl`.
///
/// All replacements are for ASCII bytes, which never occur inside a multi-byte
/// UTF-8 sequence, so a byte scan replaces exactly the runes Go replaces.
pub(crate) struct Table {
    class: [u8; 256],
    repl: [&'static str; 64],
}

impl Table {
    /// Builds a table from `(byte, replacement)` pairs; a later pair for the
    /// same byte is ignored.
    pub(crate) const fn new(pairs: &[(u8, &'static str)]) -> Table {
        let mut t = Table {
            class: [PASS; 256],
            repl: [""; 64],
        };
        let mut i = 0;
        let mut n = 0;
        while i < pairs.len() {
            let (b, r) = pairs[i];
            if t.class[b as usize] == PASS {
                t.repl[n] = r;
                n += 1;
                t.class[b as usize] = n as u8;
            }
            i += 1;
        }
        t
    }

    /// Also escapes U+2028 and U+2029 as `\u2028` and `\u2029`.
    pub(crate) const fn with_line_seps(mut self) -> Table {
        self.class[0xE2] = LINE_SEP;
        self
    }

    /// Also escapes U+FDD0..=U+FDEF and U+FFF0..=U+FFFF as `&#x…;`.
    pub(crate) const fn with_nonchars(mut self) -> Table {
        self.class[0xEF] = NONCHAR;
        self
    }
}

/// Appends `s` to `out`, replacing bytes (and the special runes) as `t` says.
#[inline]
pub(crate) fn escape_by(s: &str, t: &Table, out: &mut String) {
    let b = s.as_bytes();
    let mut written = 0;
    let mut i = 0;
    while i < b.len() {
        let class = t.class[b[i] as usize];
        if class == PASS {
            i += 1;
            continue;
        }
        match class {
            LINE_SEP => {
                // Lead byte of a 3-byte sequence: b[i + 1], b[i + 2] exist.
                if b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9) {
                    out.push_str(&s[written..i]);
                    out.push_str(if b[i + 2] == 0xA8 {
                        "\\u2028"
                    } else {
                        "\\u2029"
                    });
                    written = i + 3;
                }
                i += 3;
            }
            NONCHAR => {
                // U+FDD0..=U+FDEF is EF B7 90..=EF B7 AF,
                // U+FFF0..=U+FFFF is EF BF B0..=EF BF BF.
                let (b1, b2) = (b[i + 1], b[i + 2]);
                if (b1 == 0xB7 && (0x90..=0xAF).contains(&b2)) || (b1 == 0xBF && b2 >= 0xB0) {
                    out.push_str(&s[written..i]);
                    let cp = 0xF000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
                    out.push_str("&#x");
                    push_hex_lower(cp, out);
                    out.push(';');
                    written = i + 3;
                }
                i += 3;
            }
            _ => {
                out.push_str(&s[written..i]);
                out.push_str(t.repl[class as usize - 1]);
                i += 1;
                written = i;
            }
        }
    }
    out.push_str(&s[written..]);
}

/// Lower-case hexadecimal digits.
pub(crate) const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Appends `n` in lower-case hex without leading zeros, as Go's `%x`.
pub(crate) fn push_hex_lower(n: u32, out: &mut String) {
    let mut buf = [0u8; 8];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = HEX_LOWER[(n & 0xF) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    for &d in &buf[i..] {
        out.push(d as char);
    }
}

/// Whether `c` is an ASCII hex digit (Go's `isHex`).
#[inline]
pub(crate) fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}
