//! Go's `fmt` formatting for the `print` and `printf` builtins, and Go's
//! float formatting (`%v` for text, `encoding/json` for scripts).

use crate::value::{Scalar, Slot};

/// Shortest decimal digits of `f` (no sign) and the decimal point position:
/// `f = 0.d1d2d3… × 10^dp`.
fn shortest_digits(f: f64) -> (String, i32) {
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(f.abs());
    let (mant, exp) = match s.find('e') {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let mut digits: String = int.chars().chain(frac.chars()).collect();
    let mut dp = int.len() as i32 + exp;
    // Strip leading zeros (0.00123 → 123, dp -2) and trailing zeros.
    let lead = digits.len() - digits.trim_start_matches('0').len();
    digits.drain(..lead);
    dp -= lead as i32;
    let trimmed = digits.trim_end_matches('0').len();
    digits.truncate(trimmed);
    if digits.is_empty() {
        return ("0".into(), 1);
    }
    (digits, dp)
}

fn write_exp(out: &mut String, digits: &str, dp: i32, upper: bool) {
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let e = dp - 1;
    out.push(if upper { 'E' } else { 'e' });
    out.push(if e < 0 { '-' } else { '+' });
    let e = e.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(itoa::Buffer::new().format(e));
}

fn write_fixed(out: &mut String, digits: &str, dp: i32) {
    if dp <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-dp) as usize));
        out.push_str(digits);
    } else if dp as usize >= digits.len() {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', dp as usize - digits.len()));
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
}

fn special(f: f64, out: &mut String) -> bool {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        return false;
    }
    true
}

/// Writes `f` as Go's `fmt.Sprint` does (`%v`, i.e. `%g` with the shortest
/// precision): `3.5`, `100000`, `1e+06`, `1e-05`.
pub fn write_go_float(f: f64, out: &mut String) {
    if special(f, out) {
        return;
    }
    if f.is_sign_negative() && f != 0.0 {
        out.push('-');
    }
    let (digits, dp) = shortest_digits(f);
    let exp = dp - 1;
    if f == 0.0 {
        out.push('0');
    } else if !(-4..6).contains(&exp) {
        write_exp(out, &digits, dp, false);
    } else {
        write_fixed(out, &digits, dp);
    }
}

/// Writes `f` as Go's `encoding/json` does: fixed notation between 1e-6 and
/// 1e21, exponent notation (`1e+21`, `1e-7`) outside; NaN and infinities,
/// which JSON cannot carry, as `null`.
pub fn write_json_float(f: f64, out: &mut String) {
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    if f == 0.0 {
        out.push('0');
        return;
    }
    if f < 0.0 {
        out.push('-');
    }
    let (digits, dp) = shortest_digits(f);
    let abs = f.abs();
    if !(1e-6..1e21).contains(&abs) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = dp - 1;
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(itoa::Buffer::new().format(e.unsigned_abs()));
    } else {
        write_fixed(out, &digits, dp);
    }
}

/// `"00" "01" … "99"`: two decimal digits per pair.
const DIGIT_PAIRS: &str = "\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `n` in decimal. Integers are the hottest path of a numeric page:
/// values below 100 (table cells, counts, scores) take one inline write of
/// a digit or a digit pair, below 10,000 (years) two, with no call and no
/// variable-length copy; `itoa` writes the rest. (Measured: the Big-table
/// render went from 108 to 52 µs. The shape matters: variants with the
/// `itoa` path out of line or `#[inline(always)]` measured 87–109 µs.)
#[inline]
pub fn write_uint(n: u64, out: &mut String) {
    if n < 10 {
        out.push(char::from(b'0' + n as u8));
    } else if n < 100 {
        let i = n as usize * 2;
        out.push_str(&DIGIT_PAIRS[i..i + 2]);
    } else if n < 10_000 {
        let (hi, lo) = (n as usize / 100 * 2, n as usize % 100 * 2);
        out.push_str(&DIGIT_PAIRS[hi + usize::from(n < 1000)..hi + 2]);
        out.push_str(&DIGIT_PAIRS[lo..lo + 2]);
    } else {
        out.push_str(itoa::Buffer::new().format(n));
    }
}

/// Writes `n` (at most 65,535) in decimal from the digit-pair table, with
/// no call at all: small enough to inline wherever a `u8` or `u16` (or a
/// small value of a wider type) is printed.
#[inline(always)]
pub fn write_u16(n: u16, out: &mut String) {
    let n = usize::from(n);
    let pair = |i: usize| &DIGIT_PAIRS[i * 2..i * 2 + 2];
    if n < 10 {
        out.push_str(&DIGIT_PAIRS[n * 2 + 1..n * 2 + 2]);
    } else if n < 100 {
        out.push_str(pair(n));
    } else {
        let (hi, lo) = (n / 100, n % 100);
        if hi < 10 {
            out.push_str(&DIGIT_PAIRS[hi * 2 + 1..hi * 2 + 2]);
        } else if hi < 100 {
            out.push_str(pair(hi));
        } else {
            out.push_str(&DIGIT_PAIRS[(hi / 100) * 2 + 1..(hi / 100) * 2 + 2]);
            out.push_str(pair(hi % 100));
        }
        out.push_str(pair(lo));
    }
}

fn is_string(v: &dyn Slot) -> bool {
    matches!(v.as_scalar(), Some(Scalar::Str(_)))
}

/// Go's `fmt.Sprint`: the values' texts, with a space between two operands
/// when neither is a string.
pub fn sprint(args: &[&dyn Slot]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !is_string(*a) && !is_string(args[i - 1]) {
            out.push(' ');
        }
        a.write_plain(&mut out);
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

impl Spec {
    /// The sign printed before a number: `-`, or what the `+` and space
    /// flags ask of a non-negative one.
    fn sign(&self, negative: bool) -> &'static str {
        if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }
}

fn go_type(v: &dyn Slot) -> &'static str {
    match v.as_scalar() {
        Some(Scalar::Bool(_)) => "bool",
        Some(Scalar::Int(_)) => "int",
        Some(Scalar::Float(_)) => "float64",
        Some(Scalar::Str(_)) => "string",
        Some(Scalar::Nil) => "<nil>",
        None => "value",
    }
}

fn bad_verb(verb: char, v: &dyn Slot, out: &mut String) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    out.push_str(go_type(v));
    out.push('=');
    v.write_plain(out);
    out.push(')');
}

fn pad(out: &mut String, body: &str, spec: &Spec, numeric: bool) {
    let len = body.chars().count();
    let width = spec.width.unwrap_or(0);
    if len >= width {
        out.push_str(body);
    } else if spec.minus {
        out.push_str(body);
        out.extend(std::iter::repeat_n(' ', width - len));
    } else if spec.zero && numeric {
        let (sign, digits) = match body.as_bytes().first() {
            Some(b'-' | b'+' | b' ') => body.split_at(1),
            _ => ("", body),
        };
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', width - len));
        out.push_str(digits);
    } else {
        out.extend(std::iter::repeat_n(' ', width - len));
        out.push_str(body);
    }
}

fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn fmt_int(n: i128, verb: char, spec: &Spec) -> Option<String> {
    let neg = n < 0;
    let m = n.unsigned_abs();
    let digits = match verb {
        'd' | 'v' => m.to_string(),
        'x' => format!("{m:x}"),
        'X' => format!("{m:X}"),
        'o' => format!("{m:o}"),
        'O' => format!("0o{m:o}"),
        'b' => format!("{m:b}"),
        'c' => return char::from_u32(n as u32).map(String::from),
        'q' => {
            let mut s = String::from("'");
            s.push(char::from_u32(n as u32)?);
            s.push('\'');
            return Some(s);
        }
        'U' => return Some(format!("U+{m:04X}")),
        _ => return None,
    };
    let mut digits = match spec.prec {
        Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
        _ => digits,
    };
    if spec.sharp {
        match verb {
            'x' => digits.insert_str(0, "0x"),
            'X' => digits.insert_str(0, "0X"),
            'o' if !digits.starts_with('0') => digits.insert(0, '0'),
            _ => {}
        }
    }
    Some(format!("{}{digits}", spec.sign(neg)))
}

fn fmt_float(f: f64, verb: char, spec: &Spec) -> Option<String> {
    let mut s = String::new();
    let sign = spec.sign(f.is_sign_negative() && !f.is_nan());
    if special(f.abs(), &mut s) {
        return Some(format!("{sign}{}", s.trim_start_matches('+')));
    }
    let a = f.abs();
    match (verb, spec.prec) {
        ('v' | 'g' | 'G', None) => write_go_float(a, &mut s),
        ('f' | 'F', p) => s = format!("{:.*}", p.unwrap_or(6), a),
        ('e' | 'E', p) => {
            let t = format!("{:.*e}", p.unwrap_or(6), a);
            let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
            let e: i32 = e.parse().unwrap_or(0);
            s = format!(
                "{m}e{}{:02}",
                if e < 0 { '-' } else { '+' },
                e.unsigned_abs()
            );
        }
        ('g' | 'G' | 'v', Some(p)) => {
            let p = p.max(1);
            let t = format!("{:.*e}", p - 1, a);
            let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
            let e: i32 = e.parse().unwrap_or(0);
            if e < -4 || e >= p as i32 {
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.')
                } else {
                    m
                };
                s = format!(
                    "{m}e{}{:02}",
                    if e < 0 { '-' } else { '+' },
                    e.unsigned_abs()
                );
            } else {
                let t = format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, a);
                s = if t.contains('.') {
                    t.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    t
                };
            }
        }
        _ => return None,
    }
    if verb.is_ascii_uppercase() {
        s = s.to_uppercase();
    }
    Some(format!("{sign}{s}"))
}

fn fmt_str(st: &str, verb: char, spec: &Spec) -> Option<String> {
    let st = match spec.prec {
        Some(p) => st.chars().take(p).collect::<String>(),
        None => st.to_string(),
    };
    Some(match verb {
        's' | 'v' => st,
        'q' => {
            let mut s = String::new();
            quote(&st, &mut s);
            s
        }
        'x' => st.bytes().map(|b| format!("{b:02x}")).collect(),
        'X' => st.bytes().map(|b| format!("{b:02X}")).collect(),
        _ => return None,
    })
}

fn fmt_one(v: &dyn Slot, verb: char, spec: &Spec, out: &mut String) {
    let body = match v.as_scalar() {
        Some(Scalar::Int(n)) => fmt_int(n, verb, spec),
        Some(Scalar::Float(f)) => fmt_float(f, verb, spec),
        Some(Scalar::Str(s)) => fmt_str(s, verb, spec),
        Some(Scalar::Bool(b)) => matches!(verb, 't' | 'v').then(|| b.to_string()),
        Some(Scalar::Nil) => matches!(verb, 'v' | 's').then(|| "<nil>".to_string()),
        None => {
            let mut s = String::new();
            v.write_plain(&mut s);
            fmt_str(&s, verb, spec)
        }
    };
    match body {
        Some(b) => {
            let numeric = matches!(v.as_scalar(), Some(Scalar::Int(_)) | Some(Scalar::Float(_)));
            pad(out, &b, spec, numeric)
        }
        None => bad_verb(verb, v, out),
    }
}

/// Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %f %e %g %t %q
/// %x %X %o %b %c %U %%`, with flags `- + # 0 space`, width and precision.
/// Mismatches print as Go prints them (`%!d(string=x)`, `%!s(MISSING)`).
pub fn sprintf(format: &str, args: &[&dyn Slot]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut next = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                _ => break,
            }
            chars.next();
        }
        let num = |chars: &mut std::iter::Peekable<std::str::Chars>| {
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
                chars.next();
            }
            n
        };
        spec.width = num(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.prec = Some(num(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(next) {
            Some(v) => fmt_one(*v, verb, &spec, &mut out),
            None => {
                out.push_str("%!");
                out.push(verb);
                out.push_str("(MISSING)");
            }
        }
        next += 1;
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        for (i, v) in args[next..].iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(go_type(*v));
            out.push('=');
            v.write_plain(&mut out);
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_in_decimal_at_every_length() {
        let mut cases: Vec<u64> = vec![0, 9, 10, 42, 99, 100, 101, 999, 1000, 2015, 9999, 10_000];
        cases.extend([123_456_789, u64::from(u32::MAX), u64::MAX]);
        for n in cases {
            let mut s = String::from("x");
            write_uint(n, &mut s);
            assert_eq!(s, format!("x{n}"));
        }
        for n in [
            0u16, 5, 10, 99, 100, 255, 999, 1000, 2015, 9999, 10_000, 12_345, 65_535,
        ] {
            let mut s = String::new();
            write_u16(n, &mut s);
            assert_eq!(s, n.to_string());
        }
        for n in [i64::MIN, -100, -1, 0, 7, 65_535, 65_536, i64::MAX] {
            let mut s = String::new();
            n.write_plain(&mut s);
            assert_eq!(s, n.to_string());
        }
        for n in [i128::MIN, u128::MAX as i128] {
            let mut s = String::new();
            n.write_plain(&mut s);
            assert_eq!(s, n.to_string());
        }
        let mut s = String::new();
        u128::MAX.write_plain(&mut s);
        assert_eq!(s, u128::MAX.to_string());
    }

    fn go(f: f64) -> String {
        let mut s = String::new();
        write_go_float(f, &mut s);
        s
    }
    fn json(f: f64) -> String {
        let mut s = String::new();
        write_json_float(f, &mut s);
        s
    }

    #[test]
    fn floats_print_like_go_sprint() {
        // Facts from Go: fmt.Sprint(x).
        for (f, want) in [
            (0.0, "0"),
            (1.0, "1"),
            (3.5, "3.5"),
            (-2.25, "-2.25"),
            (0.1, "0.1"),
            (100000.0, "100000"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (f64::INFINITY, "+Inf"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(go(f), want, "{f}");
        }
    }

    #[test]
    fn floats_encode_like_go_json() {
        for (f, want) in [
            (0.0, "0"),
            (3.5, "3.5"),
            (1e6, "1000000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (-1.5e-9, "-1.5e-9"),
            (f64::NAN, "null"),
        ] {
            assert_eq!(json(f), want, "{f}");
        }
    }

    #[test]
    fn sprint_spaces_between_non_strings() {
        assert_eq!(sprint(&[&1, &2]), "1 2");
        assert_eq!(sprint(&[&"a", &1, &2, &"b"]), "a1 2b");
        assert_eq!(sprint(&[&"a", &"b"]), "ab");
        assert_eq!(sprint(&[&true, &1.5]), "true 1.5");
    }

    #[test]
    fn sprintf_verbs() {
        let cases: Vec<(&str, Vec<&dyn Slot>, &str)> = vec![
            ("%s-%d", vec![&"a", &42], "a-42"),
            ("%v %v %v", vec![&"x", &7u8, &true], "x 7 true"),
            ("%5d|%-5d|%05d", vec![&42, &42, &-42], "   42|42   |-0042"),
            ("%x %X %o %b", vec![&255, &255, &8, &5], "ff FF 10 101"),
            ("%#x %+d", vec![&255, &3], "0xff +3"),
            ("%.2f %f", vec![&1.23456, &2.5], "1.23 2.500000"),
            ("%05.2f", vec![&1.23456], "01.23"),
            ("%e", vec![&1234.5678], "1.234568e+03"),
            ("%g %g", vec![&0.5, &1e6], "0.5 1e+06"),
            ("%.3g", vec![&1234.5678], "1.23e+03"),
            ("%t", vec![&false], "false"),
            ("%q", vec![&"a\"b\n"], "\"a\\\"b\\n\""),
            ("%x", vec![&"hi"], "6869"),
            ("%-4s|%4s", vec![&"ab", &"cd"], "ab  |  cd"),
            ("%.2s", vec![&"abcdef"], "ab"),
            ("100%%", vec![], "100%"),
            ("%d", vec![&"x"], "%!d(string=x)"),
            ("%d %d", vec![&1], "1 %!d(MISSING)"),
            ("%d", vec![&1, &2], "1%!(EXTRA int=2)"),
            ("%c", vec![&'A'], "A"),
        ];
        for (f, args, want) in cases {
            assert_eq!(sprintf(f, &args), want, "{f}");
        }
    }
}
