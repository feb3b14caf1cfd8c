//! HTML text and attribute escapers and `stripTags` (Go's `html.go`).

use super::{escape_by, Table};

/// Go's `htmlReplacementTable`: HTML text and quoted attribute values.
static HTML: Table = Table::new(&[
    (0, "\u{FFFD}"),
    (b'"', "&#34;"),
    (b'&', "&amp;"),
    (b'\'', "&#39;"),
    (b'+', "&#43;"),
    (b'<', "&lt;"),
    (b'>', "&gt;"),
]);

/// Go's `htmlNormReplacementTable`: like [`HTML`] but leaves `&` alone, so
/// existing entities are not escaped twice.
static HTML_NORM: Table = Table::new(&[
    (0, "\u{FFFD}"),
    (b'"', "&#34;"),
    (b'\'', "&#39;"),
    (b'+', "&#43;"),
    (b'<', "&lt;"),
    (b'>', "&gt;"),
]);

/// The entries of Go's `htmlNospaceReplacementTable` other than `&`.
macro_rules! nospace_pairs {
    ($($extra:tt)*) => {
        [
            (0, "&#xfffd;"),
            (b'\t', "&#9;"),
            (b'\n', "&#10;"),
            (0x0B, "&#11;"),
            (0x0C, "&#12;"),
            (b'\r', "&#13;"),
            (b' ', "&#32;"),
            (b'"', "&#34;"),
            $($extra)*
            (b'\'', "&#39;"),
            (b'+', "&#43;"),
            (b'<', "&lt;"),
            (b'=', "&#61;"),
            (b'>', "&gt;"),
            (b'`', "&#96;"),
        ]
    };
}

/// Go's `htmlNospaceReplacementTable`: unquoted attribute values. Go's
/// `htmlReplacer` with `badRunes == false` also escapes U+FDD0..=U+FDEF and
/// U+FFF0..=U+FFFF.
static NOSPACE: Table = Table::new(&nospace_pairs!((b'&', "&amp;"),)).with_nonchars();

/// Go's `htmlNospaceNormReplacementTable`: like [`NOSPACE`] but leaves `&`
/// alone.
static NOSPACE_NORM: Table = Table::new(&nospace_pairs!()).with_nonchars();

/// Escapes `s` for HTML text or a quoted attribute value (Go's `htmlEscaper`,
/// `attrEscaper` and `rcdataEscaper` on plain strings): `& < > " ' +` become
/// `&amp; &lt; &gt; &#34; &#39; &#43;` and NUL becomes U+FFFD.
#[inline]
pub fn html_escape(s: &str, out: &mut String) {
    escape_by(s, &HTML, out);
}

/// Like [`html_escape`] but leaves `&` alone, so entities in trusted HTML are
/// not escaped twice (Go's `htmlNormReplacementTable`).
#[inline]
pub fn html_norm_escape(s: &str, out: &mut String) {
    escape_by(s, &HTML_NORM, out);
}

/// Escapes `s` for an unquoted attribute value (Go's `htmlNospaceEscaper` on
/// plain strings): like [`html_escape`] plus whitespace, `=` and `` ` `` as
/// numeric references, NUL as `&#xfffd;`, and the noncharacters
/// U+FDD0..=U+FDEF and U+FFF0..=U+FFFF as `&#x…;`.
#[inline]
pub fn html_nospace_escape(s: &str, out: &mut String) {
    escape_by(s, &NOSPACE, out);
}

/// Like [`html_nospace_escape`] but leaves `&` alone
/// (Go's `htmlNospaceNormReplacementTable`).
#[inline]
pub fn html_nospace_norm_escape(s: &str, out: &mut String) {
    escape_by(s, &NOSPACE_NORM, out);
}

/// Appends the text content of the HTML snippet `html` to `out`, dropping
/// tags, comments and the bodies of `<script>` and `<style>` (Go's
/// `stripTags`). For example `<b>&iexcl;Hi!</b> <script>...</script>`
/// becomes `&iexcl;Hi! `. Entities are kept as they are.
pub fn strip_tags(html: &str, out: &mut String) {
    strip_tags_each(html, |s| out.push_str(s));
}

/// Parser state, the subset of Go's `state` that `stripTags` reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Text,
    Tag,
    AttrName,
    AfterName,
    BeforeValue,
    HtmlCmt,
    /// The body of `<textarea>` or `<title>` (Go's `stateRCDATA`).
    Rcdata,
    /// The body of `<script>` or `<style>` (Go's `stateJS`, `stateCSS`).
    RawText,
    /// Inside an attribute value; always with a delimiter.
    AttrValue,
    Error,
}

/// Elements whose body is not HTML (Go's `element`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Element {
    None,
    Script,
    Style,
    Textarea,
    Title,
}

impl Element {
    fn name(self) -> &'static [u8] {
        match self {
            Element::None => b"",
            Element::Script => b"script",
            Element::Style => b"style",
            Element::Textarea => b"textarea",
            Element::Title => b"title",
        }
    }
}

/// What ends an attribute value (Go's `delim`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delim {
    None,
    DoubleQuote,
    SingleQuote,
    SpaceOrTagEnd,
}

/// Go's `context`, reduced to what `stripTags` depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ctx {
    state: State,
    delim: Delim,
    element: Element,
}

impl Ctx {
    const TEXT: Ctx = Ctx {
        state: State::Text,
        delim: Delim::None,
        element: Element::None,
    };

    fn with(self, state: State) -> Ctx {
        Ctx { state, ..self }
    }
}

/// Calls `emit` with each piece of the text content of `html`, in order
/// (Go's `stripTags`). The pieces always split `html` at ASCII bytes, so a
/// rune-wise escaper may be applied piece by piece.
pub(crate) fn strip_tags_each<'a>(html: &'a str, mut emit: impl FnMut(&'a str)) {
    let s = html.as_bytes();
    // Go returns the input unchanged when no transition from a non-text state
    // runs, which is exactly when the first text transition reads all input.
    let (first, n) = t_text(Ctx::TEXT, s);
    if n == s.len() {
        emit(html);
        return;
    }
    let mut c = Ctx::TEXT;
    let mut d = first;
    let mut i1 = n;
    let mut i = 0;
    loop {
        if c.state == State::Text || c.state == State::Rcdata {
            // Emit text up to the start of the tag or comment.
            let mut j = i1;
            if d.state != c.state {
                if let Some(p) = s[i..j].iter().rposition(|&b| b == b'<') {
                    j = i + p;
                }
            }
            emit(&html[i..j]);
        }
        c = d;
        i = i1;
        // Skip attribute values.
        while i != s.len() && c.delim != Delim::None {
            let p = match c.delim {
                Delim::DoubleQuote => s[i..].iter().position(|&b| b == b'"'),
                Delim::SingleQuote => s[i..].iter().position(|&b| b == b'\''),
                _ => s[i..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t' | b'\n' | 0x0C | b'\r' | b'>')),
            };
            let Some(p) = p else { return };
            i += p;
            if c.delim != Delim::SpaceOrTagEnd {
                // Consume the quote.
                i += 1;
            }
            c = Ctx {
                state: State::Tag,
                delim: Delim::None,
                element: c.element,
            };
        }
        if i == s.len() {
            return;
        }
        let mut st = c.state;
        // Use RCDATA instead of parsing into JS or CSS.
        if c.element != Element::None && !is_in_tag(st) {
            st = State::Rcdata;
        }
        let (nd, nread) = transition(st, c, &s[i..]);
        d = nd;
        i1 = i + nread;
    }
}

fn is_in_tag(st: State) -> bool {
    matches!(
        st,
        State::Tag | State::AttrName | State::AfterName | State::BeforeValue | State::AttrValue
    )
}

/// Go's `transitionFunc[st](c, s)` for the states `stripTags` reaches.
fn transition(st: State, c: Ctx, s: &[u8]) -> (Ctx, usize) {
    match st {
        State::Text => t_text(c, s),
        State::Tag => t_tag(c, s),
        State::AttrName => t_attr_name(c, s),
        State::AfterName => t_after_name(c, s),
        State::BeforeValue => t_before_value(c, s),
        State::HtmlCmt => match find(s, b"-->") {
            Some(i) => (Ctx::TEXT, i + 3),
            None => (c, s.len()),
        },
        State::Rcdata => t_special_tag_end(c, s),
        // Not reached: element bodies are read as RCDATA and attribute
        // values are skipped by delimiter.
        State::RawText | State::AttrValue | State::Error => (c, s.len()),
    }
}

/// Index of the first occurrence of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Go's `tText`.
fn t_text(c: Ctx, s: &[u8]) -> (Ctx, usize) {
    let mut k = 0;
    loop {
        let Some(p) = s[k..].iter().position(|&b| b == b'<') else {
            return (c, s.len());
        };
        let mut i = k + p;
        if i + 1 == s.len() {
            return (c, s.len());
        }
        if s[i..].starts_with(b"<!--") {
            return (Ctx::TEXT.with(State::HtmlCmt), i + 4);
        }
        i += 1;
        let mut end = false;
        if s[i] == b'/' {
            if i + 1 == s.len() {
                return (c, s.len());
            }
            end = true;
            i += 1;
        }
        let (j, e) = eat_tag_name(s, i);
        if j != i {
            // We've found an HTML tag.
            let element = if end { Element::None } else { e };
            return (
                Ctx {
                    state: State::Tag,
                    delim: Delim::None,
                    element,
                },
                j,
            );
        }
        k = j;
    }
}

/// Go's `tTag`. The attribute's type does not matter here: every value is
/// skipped by its delimiter.
fn t_tag(c: Ctx, s: &[u8]) -> (Ctx, usize) {
    let i = eat_white_space(s, 0);
    if i == s.len() {
        return (c, s.len());
    }
    if s[i] == b'>' {
        let state = match c.element {
            Element::None => State::Text,
            Element::Script | Element::Style => State::RawText,
            Element::Textarea | Element::Title => State::Rcdata,
        };
        return (c.with(state), i + 1);
    }
    let Some(j) = eat_attr_name(s, i) else {
        return (Ctx::TEXT.with(State::Error), s.len());
    };
    if i == j {
        return (Ctx::TEXT.with(State::Error), s.len());
    }
    let state = if j == s.len() {
        State::AttrName
    } else {
        State::AfterName
    };
    (c.with(state), j)
}

/// Go's `tAttrName`.
fn t_attr_name(c: Ctx, s: &[u8]) -> (Ctx, usize) {
    match eat_attr_name(s, 0) {
        None => (Ctx::TEXT.with(State::Error), s.len()),
        Some(i) if i != s.len() => (c.with(State::AfterName), i),
        Some(i) => (c, i),
    }
}

/// Go's `tAfterName`.
fn t_after_name(c: Ctx, s: &[u8]) -> (Ctx, usize) {
    let i = eat_white_space(s, 0);
    if i == s.len() {
        (c, s.len())
    } else if s[i] != b'=' {
        // Occurs due to tag ending '>', and valueless attribute.
        (c.with(State::Tag), i)
    } else {
        (c.with(State::BeforeValue), i + 1)
    }
}

/// Go's `tBeforeValue`.
fn t_before_value(c: Ctx, s: &[u8]) -> (Ctx, usize) {
    let i = eat_white_space(s, 0);
    if i == s.len() {
        return (c, s.len());
    }
    let (delim, i) = match s[i] {
        b'\'' => (Delim::SingleQuote, i + 1),
        b'"' => (Delim::DoubleQuote, i + 1),
        _ => (Delim::SpaceOrTagEnd, i),
    };
    (
        Ctx {
            state: State::AttrValue,
            delim,
            element: c.element,
        },
        i,
    )
}

/// Go's `tSpecialTagEnd`: finds the end tag of a raw text or RCDATA element.
fn t_special_tag_end(c: Ctx, s: &[u8]) -> (Ctx, usize) {
    if c.element != Element::None {
        if let Some(i) = index_tag_end(s, c.element.name()) {
            return (Ctx::TEXT, i);
        }
    }
    (c, s.len())
}

/// Go's `indexTagEnd`: the index of `</tag` followed by one of `> \t\n\f/`,
/// matching `tag` case-insensitively.
fn index_tag_end(s: &[u8], tag: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = find(&s[from..], b"</") {
        let at = from + p;
        let rest = &s[at + 2..];
        if rest.len() > tag.len()
            && rest[..tag.len()].eq_ignore_ascii_case(tag)
            && matches!(rest[tag.len()], b'>' | b' ' | b'\t' | b'\n' | 0x0C | b'/')
        {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// Go's `eatAttrName`: the end of the attribute name starting at `i`, or
/// `None` when a quote or `<` shows that this is not an attribute name.
fn eat_attr_name(s: &[u8], i: usize) -> Option<usize> {
    for (j, &b) in s.iter().enumerate().skip(i) {
        match b {
            b' ' | b'\t' | b'\n' | 0x0C | b'\r' | b'=' | b'>' => return Some(j),
            b'\'' | b'"' | b'<' => return None,
            _ => {}
        }
    }
    Some(s.len())
}

/// Go's `eatTagName`: the end of the tag name starting at `i` and the
/// element it names.
fn eat_tag_name(s: &[u8], i: usize) -> (usize, Element) {
    if i == s.len() || !s[i].is_ascii_alphabetic() {
        return (i, Element::None);
    }
    let mut j = i + 1;
    while j < s.len() {
        let x = s[j];
        if x.is_ascii_alphanumeric() {
            j += 1;
            continue;
        }
        // Allow "x-y" or "x:y" but not "x-", "-y", or "x--y".
        if (x == b':' || x == b'-') && j + 1 < s.len() && s[j + 1].is_ascii_alphanumeric() {
            j += 2;
            continue;
        }
        break;
    }
    let name = &s[i..j];
    let element = [
        Element::Script,
        Element::Style,
        Element::Textarea,
        Element::Title,
    ]
    .into_iter()
    .find(|e| name.eq_ignore_ascii_case(e.name()))
    .unwrap_or(Element::None);
    (j, element)
}

/// Go's `eatWhiteSpace`.
fn eat_white_space(s: &[u8], i: usize) -> usize {
    s[i..]
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0C | b'\r'))
        .map_or(s.len(), |p| i + p)
}
