//! URL filters and escapers (Go's `url.go`).

use super::{is_hex, FILTER_FAILSAFE, HEX_LOWER};

/// Whether the URL `s` is safe (Go's `isSafeURL`): it has no scheme (nothing
/// before a `:`, or a `/` before the first `:`), or its scheme is `http`,
/// `https` or `mailto`, compared case-insensitively.
///
/// This is Go's `urlFilter`: when it returns `false` the URL must be replaced
/// by `#ZgotmplZ`.
pub fn url_filter(s: &str) -> bool {
    let Some(colon) = s.bytes().position(|b| b == b':') else {
        return true;
    };
    let protocol = &s[..colon];
    if protocol.contains('/') {
        return true;
    }
    equal_fold(protocol, "http") || equal_fold(protocol, "https") || equal_fold(protocol, "mailto")
}

/// Go's `strings.EqualFold(s, lower)` for a lower-case ASCII `lower`: ASCII
/// letters match either case, and, as in Unicode simple case folding,
/// U+017F LATIN SMALL LETTER LONG S matches `s` and U+212A KELVIN SIGN
/// matches `k`.
fn equal_fold(s: &str, lower: &str) -> bool {
    let mut want = lower.bytes();
    for c in s.chars() {
        let Some(w) = want.next() else { return false };
        let ok = match c {
            '\u{017F}' => w == b's',
            '\u{212A}' => w == b'k',
            _ => c.is_ascii() && (c as u8).to_ascii_lowercase() == w,
        };
        if !ok {
            return false;
        }
    }
    want.next().is_none()
}

/// Percent-encodes `s` so that it can be embedded in a URL query or path
/// component (Go's `urlEscaper`): everything but ASCII letters, digits and
/// `-._~` becomes `%xx` (lower-case hex, UTF-8 bytes).
#[inline]
pub fn url_escape(s: &str, out: &mut String) {
    process_url(s, false, out);
}

/// Normalizes the URL `s` so that it can be embedded in a quoted attribute or
/// a CSS `url(...)` (Go's `urlNormalizer`): like [`url_escape`] but keeps
/// the RFC 3986 reserved characters `!#$&*+,/:;=?@[]` and valid `%xx`
/// escapes. `&` is kept, so an HTML attribute still needs HTML escaping.
#[inline]
pub fn url_normalize(s: &str, out: &mut String) {
    process_url(s, true, out);
}

/// Go's `processURLOnto`.
fn process_url(s: &str, norm: bool, out: &mut String) {
    let b = s.as_bytes();
    let mut written = 0;
    for (i, &c) in b.iter().enumerate() {
        let keep = match c {
            // Reserved: kept when normalizing.
            b'!' | b'#' | b'$' | b'&' | b'*' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?'
            | b'@' | b'[' | b']' => norm,
            // Unreserved (RFC 3986 section 2.3).
            b'-' | b'.' | b'_' | b'~' => true,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => true,
            // When normalizing, valid escapes are not encoded again.
            b'%' => norm && i + 2 < b.len() && is_hex(b[i + 1]) && is_hex(b[i + 2]),
            _ => false,
        };
        if keep {
            continue;
        }
        // Bytes of multi-byte characters are all encoded, so a kept run
        // `written..i` is ASCII and lies on character boundaries.
        if written < i {
            out.push_str(&s[written..i]);
        }
        push_percent(c, out);
        written = i + 1;
    }
    out.push_str(&s[written..]);
}

#[inline]
fn push_percent(c: u8, out: &mut String) {
    out.push('%');
    out.push(HEX_LOWER[usize::from(c >> 4)] as char);
    out.push(HEX_LOWER[usize::from(c & 0xF)] as char);
}

/// Filters and normalizes an `<img srcset>` value (Go's
/// `srcsetFilterAndEscaper`): each comma-separated candidate whose URL is
/// unsafe ([`url_filter`]) or whose metadata is not only spaces and ASCII
/// letters and digits becomes `#ZgotmplZ`; other URLs are normalized as by
/// [`url_normalize`].
pub fn srcset_escape(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let mut written = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b',' {
            filter_srcset_element(s, written, i, out);
            out.push(',');
            written = i + 1;
        }
    }
    filter_srcset_element(s, written, s.len(), out);
}

/// Whether `c` is HTML whitespace (Go's `isHTMLSpace`).
fn is_html_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// Go's `filterSrcsetElement`.
fn filter_srcset_element(s: &str, left: usize, right: usize, out: &mut String) {
    let b = s.as_bytes();
    let mut start = left;
    while start < right && is_html_space(b[start]) {
        start += 1;
    }
    let end = (start..right)
        .find(|&i| is_html_space(b[i]))
        .unwrap_or(right);
    let url = &s[start..end];
    if url_filter(url) {
        // If image metadata is only spaces or alnums then
        // we don't need to URL normalize it.
        let metadata_ok = b[end..right]
            .iter()
            .all(|&c| is_html_space(c) || c.is_ascii_alphanumeric());
        if metadata_ok {
            out.push_str(&s[left..start]);
            process_url(url, true, out);
            out.push_str(&s[end..right]);
            return;
        }
    }
    out.push('#');
    out.push_str(FILTER_FAILSAFE);
}
