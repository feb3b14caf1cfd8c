//! CSS helpers of the transitions (Go `css.go`).

use std::borrow::Cow;

/// Go `endsWithCSSKeyword`: whether `b` ends with the identifier `kw`
/// (lower case), in any case.
pub(super) fn ends_with_css_keyword(b: &[u8], kw: &[u8]) -> bool {
    let Some(i) = b.len().checked_sub(kw.len()) else {
        // Too short.
        return false;
    };
    if !b[i..].eq_ignore_ascii_case(kw) {
        return false;
    }
    if i != 0 {
        // `b[..i]` ends on a character boundary since `kw` is ASCII.
        if let Some(r) = last_char(&b[..i]) {
            if is_css_nmchar(r) {
                // Too long.
                return false;
            }
        }
    }
    true
}

/// The last character of `s` (U+FFFD for a broken encoding, like Go's
/// `utf8.DecodeLastRune`).
fn last_char(s: &[u8]) -> Option<char> {
    let start = s.len().saturating_sub(4);
    for k in (start..s.len()).rev() {
        if let Ok(t) = std::str::from_utf8(&s[k..]) {
            return t.chars().next();
        }
    }
    if s.is_empty() {
        None
    } else {
        Some('\u{fffd}')
    }
}

/// Go `isCSSNmchar`: whether `r` may appear anywhere in a CSS identifier.
fn is_css_nmchar(r: char) -> bool {
    r.is_ascii_alphanumeric()
        || r == '-'
        || r == '_'
        || ('\u{80}'..='\u{d7ff}').contains(&r)
        || ('\u{e000}'..='\u{fffd}').contains(&r)
        || ('\u{10000}'..='\u{10ffff}').contains(&r)
}

/// Go `decodeCSS`: decodes the CSS3 escapes of a sequence of string
/// characters.
pub(super) fn decode_css(s: &[u8]) -> Cow<'_, [u8]> {
    if !s.contains(&b'\\') {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut s = s;
    while !s.is_empty() {
        let i = s.iter().position(|&b| b == b'\\').unwrap_or(s.len());
        out.extend_from_slice(&s[..i]);
        s = &s[i..];
        if s.len() < 2 {
            break;
        }
        if s[1].is_ascii_hexdigit() {
            // unicode ::= '\' [0-9a-fA-F]{1,6} wc?
            let mut j = 2;
            while j < s.len() && j < 7 && s[j].is_ascii_hexdigit() {
                j += 1;
            }
            let mut r = s[1..j].iter().fold(0u32, |n, &d| {
                n * 16 + char::from(d).to_digit(16).unwrap_or(0)
            });
            if r > 0x10ffff {
                r /= 16;
                j -= 1;
            }
            let ch = char::from_u32(r).unwrap_or('\u{fffd}');
            let mut tmp = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            s = skip_css_space(&s[j..]);
        } else {
            // `\\` decodes to `\` and `\"` to `"`.
            let n = utf8_len(s[1]).min(s.len() - 1);
            out.extend_from_slice(&s[1..1 + n]);
            s = &s[1 + n..];
        }
    }
    Cow::Owned(out)
}

/// The length of the UTF-8 sequence that starts with `b` (1 for a byte that
/// cannot start one, as Go's decoder reads it).
fn utf8_len(b: u8) -> usize {
    match b {
        0xf0..=0xf4 => 4,
        0xe0..=0xef => 3,
        0xc2..=0xdf => 2,
        _ => 1,
    }
}

/// Go `skipCSSSpace`: `c` without one leading CSS white space (`\r\n` counts
/// as one).
fn skip_css_space(c: &[u8]) -> &[u8] {
    match c.first() {
        Some(b'\t' | b'\n' | b'\x0c' | b' ') => &c[1..],
        Some(b'\r') => {
            if c.get(1) == Some(&b'\n') {
                &c[2..]
            } else {
                &c[1..]
            }
        }
        _ => c,
    }
}
