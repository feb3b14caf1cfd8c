//! CSS escaper and value filter (Go's `css.go`).

use std::borrow::Cow;

use super::{is_hex, Table, FILTER_FAILSAFE};

/// Go's `cssReplacementTable`.
static CSS: Table = Table::new(&[
    (0, "\\0"),
    (b'\t', "\\9"),
    (b'\n', "\\a"),
    (0x0C, "\\c"),
    (b'\r', "\\d"),
    (b'"', "\\22"),
    (b'&', "\\26"),
    (b'\'', "\\27"),
    (b'(', "\\28"),
    (b')', "\\29"),
    (b'+', "\\2b"),
    (b'/', "\\2f"),
    (b':', "\\3a"),
    (b';', "\\3b"),
    (b'<', "\\3c"),
    (b'>', "\\3e"),
    (b'\\', "\\\\"),
    (b'{', "\\7b"),
    (b'}', "\\7d"),
]);

/// Whether `c` is CSS whitespace (Go's `isCSSSpace`).
fn is_css_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// Escapes HTML and CSS specials in `s` with `\<hex>` escapes (Go's
/// `cssEscaper`), for the inside of a CSS string, URL or identifier. A hex
/// escape is followed by a space when it ends the input or when a hex digit
/// or whitespace follows.
pub fn css_escape(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let mut written = 0;
    for (i, &c) in b.iter().enumerate() {
        let class = CSS.class[usize::from(c)];
        if class == 0 {
            continue;
        }
        let repl = CSS.repl[usize::from(class) - 1];
        out.push_str(&s[written..i]);
        out.push_str(repl);
        written = i + 1;
        let space = match b.get(written) {
            None => true,
            Some(&n) => is_hex(n) || is_css_space(n),
        };
        if c != b'\\' && space {
            out.push(' ');
        }
    }
    out.push_str(&s[written..]);
}

/// Writes `s` if it is an innocuous CSS value, such as a quantity (`10px`,
/// `25%`), an ID or class literal (`#foo`, `.bar`), a keyword (`inherit`,
/// `blue`) or a color (`#888`), and `ZgotmplZ` otherwise (Go's
/// `cssValueFilter`).
///
/// As in Go, CSS escapes are decoded first, and the decoded value is what is
/// written: `\66oo` becomes `foo`.
pub fn css_value_filter(s: &str, out: &mut String) {
    let b = decode_css(s);
    if css_value_ok(b.as_bytes()) {
        out.push_str(&b);
    } else {
        out.push_str(FILTER_FAILSAFE);
    }
}

/// The checks of Go's `cssValueFilter` on the decoded value.
fn css_value_ok(b: &[u8]) -> bool {
    // The lower-cased ASCII name characters of `b` (Go's `id`), of which
    // only the last ten matter to look for "expression" and "mozbinding".
    let mut window = [0u8; 10];
    let mut len = 0usize;
    for (i, &c) in b.iter().enumerate() {
        match c {
            0 | b'"' | b'\'' | b'(' | b')' | b'/' | b';' | b'@' | b'[' | b'\\' | b']' | b'`'
            | b'{' | b'}' => return false,
            // Disallow <!-- or -->; -- should not appear in valid identifiers.
            b'-' if i != 0 && b[i - 1] == b'-' => return false,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => {
                window.copy_within(1.., 0);
                window[9] = c.to_ascii_lowercase();
                len += 1;
                if len >= 10 && (&window == b"expression" || &window == b"mozbinding") {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// Decodes CSS escapes in `s` (Go's `decodeCSS`): `\` and 1 to 6 hex digits,
/// optionally followed by one whitespace (or CRLF), is the code point (an
/// invalid one becomes U+FFFD); `\` and any other character is that
/// character; a trailing lone `\` is dropped.
pub(super) fn decode_css(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find('\\') else {
        return Cow::Borrowed(s);
    };
    let mut b = String::with_capacity(s.len());
    let mut s = s;
    let mut i = first;
    loop {
        b.push_str(&s[..i]);
        s = &s[i..];
        if s.len() < 2 {
            break;
        }
        let bytes = s.as_bytes();
        if is_hex(bytes[1]) {
            let mut j = 2;
            while j < bytes.len() && j < 7 && is_hex(bytes[j]) {
                j += 1;
            }
            let mut r = bytes[1..j]
                .iter()
                .fold(0u32, |n, &d| (n << 4) | hex_value(d));
            if r > 0x10FFFF {
                r /= 16;
                j -= 1;
            }
            b.push(char::from_u32(r).unwrap_or('\u{FFFD}'));
            s = skip_css_space(&s[j..]);
        } else {
            // `\\` decodes to `\` and `\"` to `"`.
            let n = s[1..].chars().next().map_or(1, char::len_utf8);
            b.push_str(&s[1..1 + n]);
            s = &s[1 + n..];
        }
        match s.find('\\') {
            Some(p) => i = p,
            None => {
                b.push_str(s);
                break;
            }
        }
    }
    Cow::Owned(b)
}

/// The value of the hex digit `d`.
fn hex_value(d: u8) -> u32 {
    u32::from(match d {
        b'0'..=b'9' => d - b'0',
        b'a'..=b'f' => d - b'a' + 10,
        _ => d - b'A' + 10,
    })
}

/// Skips one CSS whitespace character (or CRLF) at the start of `s` (Go's
/// `skipCSSSpace`).
fn skip_css_space(s: &str) -> &str {
    match s.as_bytes() {
        [b'\r', b'\n', ..] => &s[2..],
        [b'\t' | b'\n' | 0x0C | b' ' | b'\r', ..] => &s[1..],
        _ => s,
    }
}
