//! The values of string, character and number tokens.

use super::*;

// Literals.

/// The value of a `"…"` or `` `…` `` token.
pub(super) fn string_value(t: Token) -> Result<String, TemplateError> {
    let body = &t.text[1..t.text.len() - 1];
    if t.is(Rule::raw_string) {
        // As in Go, carriage returns are dropped from raw strings.
        return Ok(body.replace('\r', ""));
    }
    let mut bytes = Vec::with_capacity(body.len());
    let mut rest = body;
    let mut offset = t.span.start + 1;
    while let Some(i) = rest.find('\\') {
        bytes.extend_from_slice(&rest.as_bytes()[..i]);
        let (piece, len) =
            escape(&rest[i + 1..], '"').map_err(|msg| escape_error(&rest[i..], offset + i, msg))?;
        match piece {
            Escaped::Byte(b) => bytes.push(b),
            Escaped::Char(c) => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
        offset += i + 1 + len;
        rest = &rest[i + 1 + len..];
    }
    bytes.extend_from_slice(rest.as_bytes());
    String::from_utf8(bytes).map_err(|_| {
        error(
            t.span,
            "string literal is not valid UTF-8: check its `\\x` and octal escapes",
        )
    })
}

/// The code point of a `'x'` token.
pub(super) fn char_value(t: Token) -> Result<i128, TemplateError> {
    let body = &t.text[1..t.text.len() - 1];
    let (value, tail) = if let Some(after) = body.strip_prefix('\\') {
        let (piece, len) =
            escape(after, '\'').map_err(|msg| escape_error(body, t.span.start + 1, msg))?;
        let value = match piece {
            Escaped::Byte(b) => i128::from(b),
            Escaped::Char(c) => i128::from(u32::from(c)),
        };
        (value, &after[len..])
    } else {
        let mut chars = body.chars();
        match chars.next() {
            Some(c) => (i128::from(u32::from(c)), chars.as_str()),
            None => return Err(error(t.span, "empty character constant `''`")),
        }
    };
    if !tail.is_empty() {
        return Err(error(
            t.span,
            format!(
                "character constant {} must hold exactly one character",
                t.describe()
            ),
        )
        .with_help("use double quotes for a string"));
    }
    Ok(value)
}

pub(super) enum Escaped {
    /// A `\x..` or octal escape: one byte of the (UTF-8) string.
    Byte(u8),
    Char(char),
}

/// Decodes the escape sequence whose backslash has just been read; returns
/// what it stands for and how many bytes of `s` it takes.
pub(super) fn escape(s: &str, quote: char) -> Result<(Escaped, usize), String> {
    let Some(c) = s.chars().next() else {
        return Err("unterminated escape sequence".to_string());
    };
    let simple = match c {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        _ if c == quote => Some(c),
        _ => None,
    };
    if let Some(ch) = simple {
        return Ok((Escaped::Char(ch), 1));
    }
    let digits = |start: usize, len: usize, radix: u32| {
        s.get(start..start + len)
            .filter(|d| d.chars().all(|c| c.is_digit(radix)))
            .and_then(|d| u32::from_str_radix(d, radix).ok())
    };
    match c {
        '0'..='7' => match digits(0, 3, 8) {
            Some(v) => u8::try_from(v)
                .map(|b| (Escaped::Byte(b), 3))
                .map_err(|_| "octal escape value is greater than 255".to_string()),
            None => Err("octal escape needs exactly three digits, e.g. `\\101`".to_string()),
        },
        'x' => match digits(1, 2, 16) {
            Some(v) => Ok((Escaped::Byte(v as u8), 3)),
            None => Err("`\\x` escape needs exactly two hex digits, e.g. `\\x41`".to_string()),
        },
        'u' | 'U' => {
            let len = if c == 'u' { 4 } else { 8 };
            match digits(1, len, 16) {
                Some(v) => char::from_u32(v)
                    .map(|ch| (Escaped::Char(ch), 1 + len))
                    .ok_or_else(|| format!("invalid Unicode code point in `\\{c}` escape")),
                None => Err(format!("`\\{c}` escape needs exactly {len} hex digits")),
            }
        }
        _ if c.is_control() => Err(format!("unknown escape sequence `\\{}`", c.escape_debug())),
        _ => Err(format!("unknown escape sequence `\\{c}`")),
    }
}

/// An error for the escape at the start of `s` (which begins with `\`), at byte `pos`.
pub(super) fn escape_error(s: &str, pos: usize, msg: String) -> TemplateError {
    let len = s.chars().take(2).map(char::len_utf8).sum::<usize>();
    error(Span::new(pos, pos + len), msg)
}

/// The value of a number token, following Go's rules (`strconv` with base 0).
pub(super) fn number_value(t: Token) -> Result<Expr, TemplateError> {
    let text = t.text;
    let span = t.span;
    let bad = || error(span, format!("invalid number `{}`", shorten(text)));
    let (negative, body) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if let Some(head) = text.strip_suffix('i') {
        let numeric = |c: char| c.is_ascii_hexdigit() || "xXoOpP._+-".contains(c);
        if head.chars().all(numeric) {
            return Err(error(span, "complex numbers are not supported"));
        }
        return Err(bad());
    }
    if !underscores_ok(body) {
        return Err(bad());
    }
    let clean = body.replace('_', "");
    let prefix = clean.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match prefix.as_deref() {
        Some("0x") => (16, &clean[2..]),
        Some("0o") => (8, &clean[2..]),
        Some("0b") => (2, &clean[2..]),
        _ => (10, clean.as_str()),
    };
    let float = |value: f64| {
        if value.is_finite() {
            let value = if negative { -value } else { value };
            Ok(Expr::Float { value, span })
        } else {
            Err(error(
                span,
                format!("number `{}` is out of range", shorten(text)),
            ))
        }
    };
    let magnitude = if radix == 16 && digits.contains(['.', 'p', 'P']) {
        return float(hex_float(digits).ok_or_else(bad)?);
    } else if radix == 10 && clean.contains(['.', 'e', 'E']) {
        let valid = clean
            .chars()
            .all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
            && clean
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '.')
            && clean
                .split(['e', 'E'])
                .next()
                .is_some_and(|m| m.chars().any(|c| c.is_ascii_digit()));
        return match clean.parse::<f64>() {
            Ok(v) if valid => float(v),
            _ => Err(bad()),
        };
    } else if radix == 10 && clean.len() > 1 && clean.starts_with('0') {
        // A leading 0 means octal, as in Go (`017` is 15; `019` is an error).
        parse_digits(&clean[1..], 8)
    } else {
        parse_digits(digits, radix)
    }
    .ok_or_else(bad)?;
    let limit = if negative {
        1u128 << 63
    } else {
        u128::from(u64::MAX)
    };
    if magnitude > limit {
        return Err(error(
            span,
            format!(
                "integer `{}` is out of range: it must fit in 64 bits",
                shorten(text)
            ),
        ));
    }
    // `magnitude` fits in 64 bits, so the conversion is lossless.
    let value = magnitude as i128;
    let value = if negative { -value } else { value };
    Ok(Expr::Int { value, span })
}

/// Non-empty digits in `radix`, as an integer (`None` if invalid; saturates
/// at `u128::MAX`, which the caller reports as out of range).
pub(super) fn parse_digits(digits: &str, radix: u32) -> Option<u128> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(u128::from_str_radix(digits, radix).unwrap_or(u128::MAX))
}

/// The value of a hexadecimal float body such as `1.8p1` (after `0x`).
pub(super) fn hex_float(body: &str) -> Option<f64> {
    let (mantissa, exponent) = body.split_once(['p', 'P'])?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int.chars().chain(frac.chars()) {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let exp_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if exp_digits.is_empty() || !exp_digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if value == 0.0 {
        return Some(0.0);
    }
    // Beyond ±10_000 the result is 0 or infinite anyway.
    let exp: i32 = exp_digits.parse().unwrap_or(i32::MAX).min(10_000);
    let exp = if exponent.starts_with('-') { -exp } else { exp };
    let frac_bits = i32::try_from(frac.len())
        .unwrap_or(i32::MAX)
        .saturating_mul(4);
    let exp = exp.saturating_sub(frac_bits).max(-10_000);
    Some(value * 2f64.powi(exp))
}

/// Go's rule for `_` in numbers: each one separates two digits (a base prefix counts as a digit).
pub(super) fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'x' | b'o' | b'b') {
        hex = (b[1] | 0x20) == b'x';
        i = 2;
        saw = b'0';
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || hex && c.is_ascii_hexdigit() {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}
