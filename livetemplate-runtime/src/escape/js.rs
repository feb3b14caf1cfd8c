//! JavaScript and JSON escapers (Go's `js.go`, `encoding/json`).

use super::{escape_by, Table};

/// Go's `lowUnicodeReplacementTable`, which JS string escapers consult first
/// for every rune below U+0020, followed by the escaper's own table.
macro_rules! js_table {
    ($($b:expr => $r:expr),* $(,)?) => {
        Table::new(&[
            (0x00, "\\u0000"), (0x01, "\\u0001"), (0x02, "\\u0002"), (0x03, "\\u0003"),
            (0x04, "\\u0004"), (0x05, "\\u0005"), (0x06, "\\u0006"), (0x07, "\\u0007"),
            (0x08, "\\u0008"), (0x09, "\\t"), (0x0A, "\\n"), (0x0B, "\\u000b"),
            (0x0C, "\\f"), (0x0D, "\\r"), (0x0E, "\\u000e"), (0x0F, "\\u000f"),
            (0x10, "\\u0010"), (0x11, "\\u0011"), (0x12, "\\u0012"), (0x13, "\\u0013"),
            (0x14, "\\u0014"), (0x15, "\\u0015"), (0x16, "\\u0016"), (0x17, "\\u0017"),
            (0x18, "\\u0018"), (0x19, "\\u0019"), (0x1A, "\\u001a"), (0x1B, "\\u001b"),
            (0x1C, "\\u001c"), (0x1D, "\\u001d"), (0x1E, "\\u001e"), (0x1F, "\\u001f"),
            $(($b, $r)),*
        ])
        .with_line_seps()
    };
}

/// Go's `jsStrReplacementTable`.
static JS_STR: Table = js_table! {
    b'"' => "\\u0022",
    b'`' => "\\u0060",
    b'&' => "\\u0026",
    b'\'' => "\\u0027",
    b'+' => "\\u002b",
    b'/' => "\\/",
    b'<' => "\\u003c",
    b'>' => "\\u003e",
    b'\\' => "\\\\",
};

/// Go's `jsBqStrReplacementTable` (Go 1.21+): [`JS_STR`] plus the template
/// literal specials `$`, `{` and `}`.
static JS_TMPL_LIT: Table = js_table! {
    b'"' => "\\u0022",
    b'`' => "\\u0060",
    b'&' => "\\u0026",
    b'\'' => "\\u0027",
    b'+' => "\\u002b",
    b'/' => "\\/",
    b'<' => "\\u003c",
    b'>' => "\\u003e",
    b'\\' => "\\\\",
    b'$' => "\\u0024",
    b'{' => "\\u007b",
    b'}' => "\\u007d",
};

/// Go's `jsRegexpReplacementTable`.
static JS_REGEXP: Table = js_table! {
    b'"' => "\\u0022",
    b'$' => "\\$",
    b'&' => "\\u0026",
    b'\'' => "\\u0027",
    b'(' => "\\(",
    b')' => "\\)",
    b'*' => "\\*",
    b'+' => "\\u002b",
    b'-' => "\\-",
    b'.' => "\\.",
    b'/' => "\\/",
    b'<' => "\\u003c",
    b'>' => "\\u003e",
    b'?' => "\\?",
    b'[' => "\\[",
    b'\\' => "\\\\",
    b']' => "\\]",
    b'^' => "\\^",
    b'{' => "\\{",
    b'|' => "\\|",
    b'}' => "\\}",
};

/// Only U+2028 and U+2029, which `jsValEscaper` escapes in JSON text.
/// What JSON text may hold that must not reach a `<script>` as is: `<`,
/// `>` and `&` (Go's `json.Marshal` escapes them, in the output of a
/// `json.Marshaler` too) and U+2028/U+2029 (line ends in older JS).
static JSON_IN_JS: Table =
    Table::new(&[(b'<', "\\u003c"), (b'>', "\\u003e"), (b'&', "\\u0026")]).with_line_seps();

/// The escapes of Go's `encoding/json` string encoder with HTML escaping on.
static JSON: Table = Table::new(&[
    (0x00, "\\u0000"),
    (0x01, "\\u0001"),
    (0x02, "\\u0002"),
    (0x03, "\\u0003"),
    (0x04, "\\u0004"),
    (0x05, "\\u0005"),
    (0x06, "\\u0006"),
    (0x07, "\\u0007"),
    (0x08, "\\u0008"),
    (0x09, "\\t"),
    (0x0A, "\\n"),
    (0x0B, "\\u000b"),
    (0x0C, "\\u000c"),
    (0x0D, "\\r"),
    (0x0E, "\\u000e"),
    (0x0F, "\\u000f"),
    (0x10, "\\u0010"),
    (0x11, "\\u0011"),
    (0x12, "\\u0012"),
    (0x13, "\\u0013"),
    (0x14, "\\u0014"),
    (0x15, "\\u0015"),
    (0x16, "\\u0016"),
    (0x17, "\\u0017"),
    (0x18, "\\u0018"),
    (0x19, "\\u0019"),
    (0x1A, "\\u001a"),
    (0x1B, "\\u001b"),
    (0x1C, "\\u001c"),
    (0x1D, "\\u001d"),
    (0x1E, "\\u001e"),
    (0x1F, "\\u001f"),
    (b'"', "\\\""),
    (b'\\', "\\\\"),
    (b'<', "\\u003c"),
    (b'>', "\\u003e"),
    (b'&', "\\u0026"),
])
.with_line_seps();

/// Escapes `s` for the inside of a quoted JS string (Go's `jsStrEscaper`):
/// control characters, `\`, quotes, `` ` ``, `&`, `+`, `/`, `<`, `>`, U+2028
/// and U+2029 become JS escapes, so the result is also safe in an HTML
/// attribute.
#[inline]
pub fn js_str_escape(s: &str, out: &mut String) {
    escape_by(s, &JS_STR, out);
}

/// Escapes `s` for the inside of a JS template literal (Go's
/// `jsTmplLitEscaper`): like [`js_str_escape`] plus `$`, `{` and `}` as
/// `\u0024`, `\u007b` and `\u007d`, so no `${...}` substitution can start.
#[inline]
pub fn js_tmpl_lit_escape(s: &str, out: &mut String) {
    escape_by(s, &JS_TMPL_LIT, out);
}

/// Escapes `s` for the inside of a JS regular expression literal (Go's
/// `jsRegexpEscaper`): like [`js_str_escape`] plus the regular expression
/// specials, so `s` matches literally. An empty `s` becomes `(?:)`, so that
/// `/{{.}}/` cannot turn into a line comment.
#[inline]
pub fn js_regexp_escape(s: &str, out: &mut String) {
    if s.is_empty() {
        out.push_str("(?:)");
    } else {
        escape_by(s, &JS_REGEXP, out);
    }
}

/// Whether `c` is a JS identifier part as far as Go's `isJSIdentPart` knows:
/// `$`, `_`, ASCII letters and digits.
fn is_js_ident_part(c: u8) -> bool {
    c == b'$' || c == b'_' || c.is_ascii_alphanumeric()
}

/// Writes the JSON text `json` as a JS expression, as Go's `jsValEscaper`
/// does with the output of `json.Marshal`: empty text becomes ` null `, text
/// that starts or ends with an identifier character (a number, `true`,
/// `null`, …) is padded with a space on both sides so it cannot run into a
/// neighbouring keyword or identifier, and `<`, `>`, `&`, U+2028 and
/// U+2029 are escaped (`\u003c`, …). Text that is not JSON (a
/// [`Slot::write_json`](crate::Slot::write_json) of the application's own
/// that went wrong) becomes ` /* not JSON */null `, as Go writes
/// ` /* error */null ` when a marshaler fails: whatever a value holds, it
/// stays one JS value and cannot end the `<script>` or run as code.
///
/// For a string, `json` should come from [`json_string`].
pub fn js_val(json: &str, out: &mut String) {
    if !json.is_empty() && serde_json::from_str::<serde::de::IgnoredAny>(json).is_err() {
        out.push_str(" /* not JSON */null ");
        return;
    }
    let b = json.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        out.push_str(" null ");
        return;
    };
    // A non-ASCII first or last rune is never an identifier part for Go, and
    // its UTF-8 bytes are never ASCII.
    let pad = is_js_ident_part(first) || is_js_ident_part(last);
    if pad {
        out.push(' ');
    }
    escape_by(json, &JSON_IN_JS, out);
    if pad {
        out.push(' ');
    }
}

/// Encode `s` as a JSON string literal exactly as Go's encoding/json Marshal does (HTML-safe: < > & as \u003c \u003e \u0026, U+2028/U+2029 as \u2028/\u2029, control chars as \u00XX except \n \r \t, `"` and `\`).
#[inline]
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    escape_by(s, &JSON, out);
    out.push('"');
}
