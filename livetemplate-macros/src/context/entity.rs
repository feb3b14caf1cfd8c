//! HTML character reference decoding, as Go's `html.UnescapeString` does it
//! (used on attribute values, so that `onclick="f(&quot;x&quot;)"` is seen as
//! JS with a string in it).

use std::borrow::Cow;

use super::entity_table::{ENTITY, ENTITY2};

/// Windows-1252 characters for the numeric references `&#x80;`–`&#x9F;`.
const REPLACEMENT_TABLE: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// All named references without a `;` are at most this long.
const LONGEST_ENTITY_WITHOUT_SEMICOLON: usize = 6;

/// Go `html.UnescapeString`: `s` with its character references decoded.
pub(super) fn unescape(s: &[u8]) -> Cow<'_, [u8]> {
    if !s.contains(&b'&') {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut src = 0;
    while src < s.len() {
        if s[src] == b'&' {
            src += unescape_entity(&s[src..], &mut out);
        } else {
            let n = s[src..]
                .iter()
                .position(|&b| b == b'&')
                .unwrap_or(s.len() - src);
            out.extend_from_slice(&s[src..src + n]);
            src += n;
        }
    }
    Cow::Owned(out)
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut tmp = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
}

fn lookup(name: &[u8]) -> Option<char> {
    let name = std::str::from_utf8(name).ok()?;
    ENTITY
        .binary_search_by(|(k, _)| k.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| ENTITY[i].1)
}

fn lookup2(name: &[u8]) -> Option<[char; 2]> {
    let name = std::str::from_utf8(name).ok()?;
    ENTITY2
        .binary_search_by(|(k, _)| k.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| ENTITY2[i].1)
}

/// Go `unescapeEntity` (outside attributes): decodes the reference at the
/// start of `s` (`s[0] == b'&'`) into `out` and returns how many bytes it took.
fn unescape_entity(s: &[u8], out: &mut Vec<u8>) -> usize {
    if s.len() <= 1 {
        out.push(b'&');
        return 1;
    }
    let mut i = 1;
    if s[i] == b'#' {
        if s.len() <= 3 {
            // "&#." at least.
            out.push(b'&');
            return 1;
        }
        i += 1;
        let hex = matches!(s[i], b'x' | b'X');
        if hex {
            i += 1;
        }
        // Go accumulates in a rune (int32), wrapping on overflow.
        let mut x: i32 = 0;
        while i < s.len() {
            let c = s[i];
            i += 1;
            let digit = if hex {
                char::from(c).to_digit(16)
            } else {
                char::from(c).to_digit(10)
            };
            if let Some(d) = digit {
                let base = if hex { 16 } else { 10 };
                x = x.wrapping_mul(base).wrapping_add(d as i32);
                continue;
            }
            if c != b';' {
                i -= 1;
            }
            break;
        }
        if i <= 3 {
            // No digits.
            out.push(b'&');
            return 1;
        }
        let ch = if (0x80..=0x9f).contains(&x) {
            REPLACEMENT_TABLE[(x - 0x80) as usize]
        } else {
            u32::try_from(x)
                .ok()
                .filter(|&x| x != 0)
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}')
        };
        push_char(out, ch);
        return i;
    }

    // The longest run of letters and digits, and a `;` after it.
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c.is_ascii_alphanumeric() {
            continue;
        }
        if c != b';' {
            i -= 1;
        }
        break;
    }
    let name = &s[1..i];
    if !name.is_empty() {
        if let Some(c) = lookup(name) {
            push_char(out, c);
            return i;
        }
        if let Some([a, b]) = lookup2(name) {
            push_char(out, a);
            push_char(out, b);
            return i;
        }
        // A reference without `;` followed by more letters: `&ampx`.
        let max_len = (name.len() - 1).min(LONGEST_ENTITY_WITHOUT_SEMICOLON);
        for j in (2..=max_len).rev() {
            if let Some(c) = lookup(&name[..j]) {
                push_char(out, c);
                return j + 1;
            }
        }
    }
    out.extend_from_slice(&s[..i]);
    i
}
