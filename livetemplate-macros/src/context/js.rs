//! JavaScript helpers of the transitions (Go `js.go`, and the `<script`
//! literal handling of Go's `escape.go`).

use super::JsCtx;

/// JS white space other than line terminators, UTF-8 encoded (Go 1.20.4+
/// `jsWhitespace` without `\n`, `\r`, U+2028, U+2029).
const JS_SPACE: &[&[u8]] = &[
    b"\t",
    b"\x0b",
    b"\x0c",
    b" ",
    "\u{a0}".as_bytes(),
    "\u{1680}".as_bytes(),
    "\u{2000}".as_bytes(),
    "\u{2001}".as_bytes(),
    "\u{2002}".as_bytes(),
    "\u{2003}".as_bytes(),
    "\u{2004}".as_bytes(),
    "\u{2005}".as_bytes(),
    "\u{2006}".as_bytes(),
    "\u{2007}".as_bytes(),
    "\u{2008}".as_bytes(),
    "\u{2009}".as_bytes(),
    "\u{200a}".as_bytes(),
    "\u{202f}".as_bytes(),
    "\u{205f}".as_bytes(),
    "\u{3000}".as_bytes(),
    "\u{feff}".as_bytes(),
];

/// JS line terminators, UTF-8 encoded.
const JS_LINE_TERMINATORS: &[&[u8]] = &[b"\n", b"\r", "\u{2028}".as_bytes(), "\u{2029}".as_bytes()];

/// The length of the JS white space or line terminator that `s` ends with
/// (0 if none), and whether it is a line terminator.
fn trailing_space(s: &[u8]) -> Option<(usize, bool)> {
    if let Some(t) = JS_LINE_TERMINATORS.iter().find(|t| s.ends_with(t)) {
        return Some((t.len(), true));
    }
    JS_SPACE
        .iter()
        .find(|t| s.ends_with(t))
        .map(|t| (t.len(), false))
}

/// `s` without trailing JS white space and line terminators.
fn trim_right_js_space(mut s: &[u8]) -> &[u8] {
    while let Some((n, _)) = trailing_space(s) {
        s = &s[..s.len() - n];
    }
    s
}

/// Whether a token right after `before` can be at the start of a line:
/// false when `before` has a token after its last line terminator, true when
/// it has only white space after one, and — not knowing what came before
/// `before` — true when it is all white space.
pub(super) fn may_start_line(before: &[u8]) -> bool {
    let mut s = before;
    while let Some((n, line_end)) = trailing_space(s) {
        if line_end {
            return true;
        }
        s = &s[..s.len() - n];
    }
    s.is_empty()
}

/// Index of the first JS line terminator in `s`.
pub(super) fn index_line_terminator(s: &[u8]) -> Option<usize> {
    (0..s.len()).find(|&i| JS_LINE_TERMINATORS.iter().any(|t| s[i..].starts_with(t)))
}

/// Whether `s` contains a JS line terminator.
pub(super) fn contains_line_terminator(s: &[u8]) -> bool {
    index_line_terminator(s).is_some()
}

/// Go `nextJSCtx`: whether a `/` after the run of tokens `s` (no strings,
/// comments, regexps or divisions) starts a regular expression or a
/// division.
pub(super) fn next_js_ctx(s: &[u8], preceding: JsCtx) -> JsCtx {
    let s = trim_right_js_space(s);
    let Some(&last) = s.last() else {
        return preceding;
    };
    let n = s.len();
    match last {
        b'+' | b'-' => {
            // `++` and `--` precede divisions, `+` and `-` regexps;
            // "---" is "-- -".
            let run = s.iter().rev().take_while(|&&b| b == last).count();
            if run % 2 == 1 {
                JsCtx::Regexp
            } else {
                JsCtx::DivOp
            }
        }
        // "42." precedes a division.
        b'.' => {
            if n != 1 && s[n - 2].is_ascii_digit() {
                JsCtx::DivOp
            } else {
                JsCtx::Regexp
            }
        }
        // Ends of binary and prefix operators, open brackets and expression
        // starts; `}` too, as developers rarely divide object literals.
        b',' | b'<' | b'>' | b'=' | b'*' | b'%' | b'&' | b'|' | b'^' | b'?' | b'!' | b'~'
        | b'(' | b'[' | b':' | b';' | b'{' | b'}' => JsCtx::Regexp,
        _ => {
            // A keyword that can precede a regular expression?
            let start = n - s.iter().rev().take_while(|&&b| is_js_ident_part(b)).count();
            if REGEXP_PRECEDER_KEYWORDS.contains(&&s[start..]) {
                JsCtx::Regexp
            } else {
                // Another punctuator, a string or an identifier.
                JsCtx::DivOp
            }
        }
    }
}

/// Reserved JS keywords that can precede a regular expression.
const REGEXP_PRECEDER_KEYWORDS: &[&[u8]] = &[
    b"break",
    b"case",
    b"continue",
    b"delete",
    b"do",
    b"else",
    b"finally",
    b"in",
    b"instanceof",
    b"return",
    b"throw",
    b"try",
    b"typeof",
    b"void",
];

/// Go `isJSIdentPart` (ASCII only, as in Go).
fn is_js_ident_part(b: u8) -> bool {
    b == b'$' || b == b'_' || b.is_ascii_alphanumeric()
}

/// Go `isJSType`: whether a `<script type>` value means script.
///
/// Deviation from Go 1.19: an empty (or all white space) type means script,
/// as it does for browsers (newer Go agrees).
pub(super) fn is_js_type(mime: &[u8]) -> bool {
    let text = String::from_utf8_lossy(mime);
    let essence = text.split(';').next().unwrap_or("");
    let essence = super::go_to_lower(essence);
    matches!(
        essence.trim(),
        "" | "application/ecmascript"
            | "application/javascript"
            | "application/json"
            | "application/ld+json"
            | "application/x-ecmascript"
            | "application/x-javascript"
            | "module"
            | "text/ecmascript"
            | "text/javascript"
            | "text/javascript1.0"
            | "text/javascript1.1"
            | "text/javascript1.2"
            | "text/javascript1.3"
            | "text/javascript1.4"
            | "text/javascript1.5"
            | "text/jscript"
            | "text/livescript"
            | "text/x-ecmascript"
            | "text/x-javascript"
    )
}

/// Length of the `<script`, `</script` or `<!--` (any case) at the start of
/// `s`, the tokens that change how browsers read a script body (Go's
/// `specialScriptTagRE`, `(?i)<(script|/script|!--)`).
fn special_script_tag_len(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'<') {
        return None;
    }
    let rest = &s[1..];
    [&b"script"[..], b"/script", b"!--"]
        .iter()
        .find(|p| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p))
        .map(|p| p.len() + 1)
}

/// Whether `s` contains `<script`, `</script` or `<!--` (any case).
pub(super) fn contains_special_script_tag(s: &[u8]) -> bool {
    (0..s.len()).any(|i| special_script_tag_len(&s[i..]).is_some())
}

/// Appends `s` to `out` with the `<` of each `<script`, `</script` and `<!--`
/// written as `\x3C` (Go `escapeSpecialScriptTags`).
pub(super) fn escape_special_script_tags(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        if let Some(n) = special_script_tag_len(&s[i..]) {
            out.extend_from_slice(b"\\x3C");
            out.extend_from_slice(&s[i + 1..i + n]);
            i += n;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
}
