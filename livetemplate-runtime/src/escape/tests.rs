//! Tests ported from the tables of Go 1.19's `html/template` tests, plus
//! tables of our own. Go strings containing invalid UTF-8 cannot be Rust
//! `&str`s; such rows are adapted as noted.

use super::*;

/// Runs `f` on every row's input and fails listing every row whose output
/// differs from the expected one.
fn check(table: &str, rows: &[(&str, &str)], f: impl Fn(&str) -> String) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|&(input, want)| {
            let got = f(input);
            (got != want).then(|| format!("{input:?}: want {want:?}, got {got:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{table}: {} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// Applies one step to plain content.
fn plain(step: Escaper) -> impl Fn(&str) -> String {
    move |s| {
        let mut out = String::new();
        apply(step, s, Content::Plain, &mut out);
        out
    }
}

/// Applies a pipeline of steps: the first sees `content`, later ones see
/// the previous output as plain text, as in Go.
fn pipeline(steps: &[Escaper], input: &str, content: Content) -> String {
    let mut cur = input.to_owned();
    let mut content = content;
    for &step in steps {
        let mut out = String::new();
        if step == Escaper::JsVal {
            // The caller hands jsValEscaper the value's JSON text.
            let mut json = String::new();
            json_string(&cur, &mut json);
            apply(step, &json, content, &mut out);
        } else {
            apply(step, &cur, content, &mut out);
        }
        cur = out;
        content = Content::Plain;
    }
    cur
}

/// The printable ASCII characters and DEL, as in several Go tests.
macro_rules! printable {
    () => {
        concat!(
            " !\"#$%&'()*+,-./",
            "0123456789:;<=>?",
            "@ABCDEFGHIJKLMNO",
            "PQRSTUVWXYZ[\\]^_",
            "`abcdefghijklmno",
            "pqrstuvwxyz{|}~\x7f",
        )
    };
}

/// The C0 controls.
macro_rules! controls {
    () => {
        concat!(
            "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f",
            "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
        )
    };
}

/// The input of TestURLFilters, TestEscapersOnLower7AndSelectHighCodepoints
/// and TestCSSEscaper.
const LOWER7: &str = concat!(
    controls!(),
    printable!(),
    "\u{A0}\u{100}\u{2028}\u{2029}\u{FEFF}\u{1D11E}"
);

// ---------------------------------------------------------------- html_test.go

/// Go: TestHTMLNospaceEscaper. Go's input ends in "erroneous\x960"
/// (invalid UTF-8, which Go reads as U+FFFD); here it is a real U+FFFD,
/// which Go escapes the same way.
#[test]
fn go_html_nospace_escaper() {
    let input = concat!(
        controls!(),
        printable!(),
        "\u{A0}\u{100}\u{2028}\u{2029}\u{FEFF}\u{FDEC}\u{1D11E}",
        "erroneous\u{FFFD}0"
    );
    let want = concat!(
        "&#xfffd;\x01\x02\x03\x04\x05\x06\x07",
        "\x08&#9;&#10;&#11;&#12;&#13;\x0E\x0F",
        "\x10\x11\x12\x13\x14\x15\x16\x17",
        "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
        "&#32;!&#34;#$%&amp;&#39;()*&#43;,-./",
        "0123456789:;&lt;&#61;&gt;?",
        "@ABCDEFGHIJKLMNO",
        "PQRSTUVWXYZ[\\]^_",
        "&#96;abcdefghijklmno",
        "pqrstuvwxyz{|}~\u{7f}",
        "\u{A0}\u{100}\u{2028}\u{2029}\u{FEFF}&#xfdec;\u{1D11E}",
        "erroneous&#xfffd;0",
    );
    check(
        "TestHTMLNospaceEscaper",
        &[(input, want)],
        plain(Escaper::Nospace),
    );
}

/// Go: TestStripTags.
#[test]
fn go_strip_tags() {
    check(
        "TestStripTags",
        &[
            ("", ""),
            ("Hello, World!", "Hello, World!"),
            ("foo&amp;bar", "foo&amp;bar"),
            (
                r#"Hello <a href="www.example.com/">World</a>!"#,
                "Hello World!",
            ),
            ("Foo <textarea>Bar</textarea> Baz", "Foo Bar Baz"),
            ("Foo <!-- Bar --> Baz", "Foo  Baz"),
            ("<", "<"),
            ("foo < bar", "foo < bar"),
            (
                r#"Foo<script type="text/javascript">alert(1337)</script>Bar"#,
                "FooBar",
            ),
            (r#"Foo<div title="1>2">Bar"#, "FooBar"),
            ("I <3 Ponies!", "I <3 Ponies!"),
            ("<script>foo()</script>", ""),
        ],
        |s| {
            let mut out = String::new();
            strip_tags(s, &mut out);
            out
        },
    );
}

/// Our own: corners of Go's `stripTags`, outputs checked against Go 1.19.
#[test]
fn strip_tags_corners() {
    check(
        "strip_tags corners",
        &[
            // A tag name running to the end: Go returns the input.
            ("a<b", "a<b"),
            ("a<b>c", "ac"),
            ("a</b", "a</b"),
            ("a</", "a</"),
            ("<style>p{}</STYLE >x", "x"),
            ("<title>T</title/>x", "Tx"),
            // Go's quirk: the text before the last `<` inside RCDATA.
            ("<textarea>a<b</textarea>c", "ac"),
            ("<a title='x>y' b=c>z", "z"),
            ("<a b=c d>z", "z"),
            // Unterminated quoted value: nothing after it.
            ("x<a b=\"c>z", "x"),
            // Quote in an attribute name: an error, nothing after it.
            ("x<a b\"=c>z", "x"),
            ("x<!-- a", "x"),
            ("<x-y:z>w", "w"),
            ("<a-", ""),
        ],
        |s| {
            let mut out = String::new();
            strip_tags(s, &mut out);
            out
        },
    );
}

// ----------------------------------------------------------------- url_test.go

/// Go: TestURLNormalizer, including its idempotence check.
#[test]
fn go_url_normalizer() {
    let rows = [
        ("", ""),
        (
            "http://example.com:80/foo/bar?q=foo%20&bar=x+y#frag",
            "http://example.com:80/foo/bar?q=foo%20&bar=x+y#frag",
        ),
        (" ", "%20"),
        ("%7c", "%7c"),
        ("%7C", "%7C"),
        ("%2", "%252"),
        ("%", "%25"),
        ("%z", "%25z"),
        ("/foo|bar/%5c\u{1234}", "/foo%7cbar/%5c%e1%88%b4"),
    ];
    check("TestURLNormalizer", &rows, plain(Escaper::UrlNormalizer));
    let idempotent: Vec<(&str, &str)> = rows.iter().map(|&(_, w)| (w, w)).collect();
    check(
        "TestURLNormalizer (idempotent)",
        &idempotent,
        plain(Escaper::UrlNormalizer),
    );
}

/// Go: TestURLFilters.
#[test]
fn go_url_filters() {
    check(
        "TestURLFilters urlEscaper",
        &[(
            LOWER7,
            concat!(
                "%00%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d%0e%0f",
                "%10%11%12%13%14%15%16%17%18%19%1a%1b%1c%1d%1e%1f",
                "%20%21%22%23%24%25%26%27%28%29%2a%2b%2c-.%2f",
                "0123456789%3a%3b%3c%3d%3e%3f",
                "%40ABCDEFGHIJKLMNO",
                "PQRSTUVWXYZ%5b%5c%5d%5e_",
                "%60abcdefghijklmno",
                "pqrstuvwxyz%7b%7c%7d~%7f",
                "%c2%a0%c4%80%e2%80%a8%e2%80%a9%ef%bb%bf%f0%9d%84%9e",
            ),
        )],
        plain(Escaper::UrlEscaper),
    );
    check(
        "TestURLFilters urlNormalizer",
        &[(
            LOWER7,
            concat!(
                "%00%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d%0e%0f",
                "%10%11%12%13%14%15%16%17%18%19%1a%1b%1c%1d%1e%1f",
                "%20!%22#$%25&%27%28%29*+,-./",
                "0123456789:;%3c=%3e?",
                "@ABCDEFGHIJKLMNO",
                "PQRSTUVWXYZ[%5c]%5e_",
                "%60abcdefghijklmno",
                "pqrstuvwxyz%7b%7c%7d~%7f",
                "%c2%a0%c4%80%e2%80%a8%e2%80%a9%ef%bb%bf%f0%9d%84%9e",
            ),
        )],
        plain(Escaper::UrlNormalizer),
    );
}

/// Go: TestSrcsetFilter.
#[test]
fn go_srcset_filter() {
    check(
        "TestSrcsetFilter",
        &[
            // one ok
            ("http://example.com/img.png", "http://example.com/img.png"),
            // one ok with metadata
            (" /img.png 200w", " /img.png 200w"),
            // one bad
            ("javascript:alert(1) 200w", "#ZgotmplZ"),
            // two ok
            ("foo.png, bar.png", "foo.png, bar.png"),
            // left bad
            ("javascript:alert(1), /foo.png", "#ZgotmplZ, /foo.png"),
            // right bad
            ("/bogus#, javascript:alert(1)", "/bogus#,#ZgotmplZ"),
        ],
        plain(Escaper::Srcset),
    );
}

/// Our own: which URLs pass `urlFilter`, outputs checked against Go 1.19.
#[test]
fn url_filter_schemes() {
    check(
        "url_filter",
        &[
            ("", ""),
            ("/a/b?c#d", "/a/b?c#d"),
            ("a/b:c", "a/b:c"),
            ("http://x", "http://x"),
            ("HTTPS://x", "HTTPS://x"),
            ("MailTo:a@b", "MailTo:a@b"),
            ("javascript:alert(1)", "#ZgotmplZ"),
            ("JavaScript:alert(1)", "#ZgotmplZ"),
            ("data:text/html,x", "#ZgotmplZ"),
            (" http://x", "#ZgotmplZ"),
            ("ftp://x", "#ZgotmplZ"),
            (":x", "#ZgotmplZ"),
            ("?a=b:c", "#ZgotmplZ"),
            // Go's strings.EqualFold folds U+017F to 's'.
            ("httpſ://x", "httpſ://x"),
            ("httpss://x", "#ZgotmplZ"),
        ],
        plain(Escaper::UrlFilter),
    );
}

// ------------------------------------------------------------------ js_test.go

/// Go: TestJSValEscaper, the rows whose value's JSON text is known: numbers
/// (as Go's json.Marshal prints them), composite values, and strings (given
/// here as the Go string and encoded with `json_string`). Also Go's check
/// that the value wrapped in a one-element array gives `[` + trimmed + `]`.
#[test]
fn go_js_val_escaper() {
    // (JSON text, jsValEscaper output)
    let json_rows = [
        ("42", " 42 "),
        ("-42", " -42 "),
        ("9007199254740992", " 9007199254740992 "),
        ("9007199254740993", " 9007199254740993 "),
        ("1", " 1 "),
        ("-1", " -1 "),
        ("0.5", " 0.5 "),
        ("-0.5", " -0.5 "),
        ("0.00390625", " 0.00390625 "),
        ("0", " 0 "),
        ("-0", " -0 "),
        (r#"{"X":1,"Y":2}"#, r#"{"X":1,"Y":2}"#),
        ("[]", "[]"),
        (r#"[42,"foo",null]"#, r#"[42,"foo",null]"#),
        (
            r#"["\u003c!--","\u003c/script\u003e","--\u003e"]"#,
            r#"["\u003c!--","\u003c/script\u003e","--\u003e"]"#,
        ),
        // nil
        ("null", " null "),
    ];
    check("TestJSValEscaper (JSON)", &json_rows, plain(Escaper::JsVal));

    // (Go string, jsValEscaper output)
    let string_rows = [
        ("", r#""""#),
        ("foo", r#""foo""#),
        ("\r\n\u{2028}\u{2029}", r#""\r\n\u2028\u2029""#),
        ("\t\x0b", r#""\t\u000b""#),
        ("<!--", r#""\u003c!--""#),
        ("-->", r#""--\u003e""#),
        ("<![CDATA[", r#""\u003c![CDATA[""#),
        ("]]>", r#""]]\u003e""#),
        ("</script", r#""\u003c/script""#),
        ("\u{1D11E}", "\"\u{1D11E}\""),
    ];
    check("TestJSValEscaper (strings)", &string_rows, |s| {
        pipeline(&[Escaper::JsVal], s, Content::Plain)
    });

    let wrapped: Vec<(String, String)> = json_rows
        .iter()
        .map(|&(json, js)| (format!("[{json}]"), format!("[{}]", js.trim())))
        .chain(string_rows.iter().map(|&(s, js)| {
            let mut json = String::new();
            json_string(s, &mut json);
            (format!("[{json}]"), format!("[{}]", js.trim()))
        }))
        .collect();
    let wrapped: Vec<(&str, &str)> = wrapped
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    check(
        "TestJSValEscaper (in an array)",
        &wrapped,
        plain(Escaper::JsVal),
    );
}

/// Our own: Go's jsValEscaper post-processing of JSON text.
#[test]
fn js_val_post_processing() {
    check(
        "js_val",
        &[
            // A json.Marshaler producing nothing.
            ("", " null "),
            ("true", " true "),
            ("false", " false "),
            ("1e+21", " 1e+21 "),
            (r#""a""#, r#""a""#),
            // Padded when either end is an identifier part.
            ("12", " 12 "),
            ("null", " null "),
            (r#"[1,"a"]"#, r#"[1,"a"]"#),
            // Raw U+2028/U+2029 from a custom marshaler are escaped.
            ("\"\u{2028}x\u{2029}\"", r#""\u2028x\u2029""#),
            ("\"\u{2027}\u{202A}\"", "\"\u{2027}\u{202A}\""),
            // So are <, > and & (Go's json.Marshal escapes a marshaler's
            // output too): data cannot end the script or open a comment.
            (
                r#""</script><img src=x onerror=alert(1)>""#,
                r#""\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e""#,
            ),
            (
                r#"{"a":"<!--","b":"&amp;"}"#,
                r#"{"a":"\u003c!--","b":"\u0026amp;"}"#,
            ),
            // Text that is not JSON is one harmless value.
            (r#"1,"a""#, " /* not JSON */null "),
            ("$", " /* not JSON */null "),
            ("1\u{2028}", " /* not JSON */null "),
            ("\"a\"</script><b>", " /* not JSON */null "),
            ("alert(1)", " /* not JSON */null "),
        ],
        plain(Escaper::JsVal),
    );
}

/// Go: TestJSStrEscaper. Go's two invalid UTF-8 rows ("foo\xA0bar",
/// "foo\xed\xa0\x80bar", passed through unchanged) are replaced by valid
/// non-ASCII text, which is passed through unchanged too.
#[test]
fn go_js_str_escaper() {
    check(
        "TestJSStrEscaper",
        &[
            ("", ""),
            ("foo", "foo"),
            ("\u{0000}", r"\u0000"),
            ("\t", r"\t"),
            ("\n", r"\n"),
            ("\r", r"\r"),
            ("\u{2028}", r"\u2028"),
            ("\u{2029}", r"\u2029"),
            ("\\", r"\\"),
            ("\\n", r"\\n"),
            ("foo\r\nbar", r"foo\r\nbar"),
            // Preserve attribute boundaries.
            ("\"", r"\u0022"),
            ("'", r"\u0027"),
            // Allow embedding in HTML without further escaping.
            ("&amp;", r"\u0026amp;"),
            // Prevent breaking out of text node and element boundaries.
            ("</script>", r"\u003c\/script\u003e"),
            ("<![CDATA[", r"\u003c![CDATA["),
            ("]]>", r"]]\u003e"),
            ("<!--", r"\u003c!--"),
            ("-->", r"--\u003e"),
            (
                "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
                r"\u002bADw-script\u002bAD4-alert(1)\u002bADw-\/script\u002bAD4-",
            ),
            // Adapted from the invalid UTF-8 rows.
            ("foo\u{A0}bar", "foo\u{A0}bar"),
            ("foo\u{D7FF}\u{E000}bar", "foo\u{D7FF}\u{E000}bar"),
        ],
        plain(Escaper::JsStr),
    );
}

/// Go: TestJSRegexpEscaper.
#[test]
fn go_js_regexp_escaper() {
    check(
        "TestJSRegexpEscaper",
        &[
            ("", "(?:)"),
            ("foo", "foo"),
            ("\u{0000}", r"\u0000"),
            ("\t", r"\t"),
            ("\n", r"\n"),
            ("\r", r"\r"),
            ("\u{2028}", r"\u2028"),
            ("\u{2029}", r"\u2029"),
            ("\\", r"\\"),
            ("\\n", r"\\n"),
            ("foo\r\nbar", r"foo\r\nbar"),
            ("\"", r"\u0022"),
            ("'", r"\u0027"),
            ("&amp;", r"\u0026amp;"),
            ("</script>", r"\u003c\/script\u003e"),
            ("<![CDATA[", r"\u003c!\[CDATA\["),
            ("]]>", r"\]\]\u003e"),
            ("<!--", r"\u003c!\-\-"),
            ("-->", r"\-\-\u003e"),
            ("*", r"\*"),
            ("+", r"\u002b"),
            ("?", r"\?"),
            ("[](){}", r"\[\]\(\)\{\}"),
            ("$foo|x.y", r"\$foo\|x\.y"),
            ("x^y", r"x\^y"),
        ],
        plain(Escaper::JsRegexp),
    );
}

/// Go: TestEscapersOnLower7AndSelectHighCodepoints, on the whole input and
/// rune by rune.
#[test]
fn go_escapers_on_lower7_and_select_high_codepoints() {
    let tables = [
        (
            "jsStrEscaper",
            Escaper::JsStr,
            concat!(
                r"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007",
                r"\u0008\t\n\u000b\f\r\u000e\u000f",
                r"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017",
                r"\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f",
                r" !\u0022#$%\u0026\u0027()*\u002b,-.\/",
                r"0123456789:;\u003c=\u003e?",
                r"@ABCDEFGHIJKLMNO",
                r"PQRSTUVWXYZ[\\]^_",
                r"\u0060abcdefghijklmno",
                "pqrstuvwxyz{|}~\u{7f}",
                "\u{A0}\u{100}\\u2028\\u2029\u{FEFF}\u{1D11E}",
            ),
        ),
        (
            "jsRegexpEscaper",
            Escaper::JsRegexp,
            concat!(
                r"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007",
                r"\u0008\t\n\u000b\f\r\u000e\u000f",
                r"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017",
                r"\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f",
                r" !\u0022#\$%\u0026\u0027\(\)\*\u002b,\-\.\/",
                r"0123456789:;\u003c=\u003e\?",
                r"@ABCDEFGHIJKLMNO",
                r"PQRSTUVWXYZ\[\\\]\^_",
                "`abcdefghijklmno",
                r"pqrstuvwxyz\{\|\}~",
                "\u{7f}",
                "\u{A0}\u{100}\\u2028\\u2029\u{FEFF}\u{1D11E}",
            ),
        ),
    ];
    for (name, step, want) in tables {
        check(name, &[(LOWER7, want)], plain(step));
        check(&format!("{name} rune-wise"), &[(LOWER7, want)], |s| {
            let mut out = String::new();
            let mut buf = [0u8; 4];
            for c in s.chars() {
                apply(step, c.encode_utf8(&mut buf), Content::Plain, &mut out);
            }
            out
        });
    }
}

/// Our own: jsTmplLitEscaper (Go 1.21+), jsStrEscaper plus `$ { }`.
#[test]
fn js_tmpl_lit_escaper() {
    check(
        "jsTmplLitEscaper",
        &[
            ("", ""),
            ("foo", "foo"),
            ("${alert(1)}", r"\u0024\u007balert(1)\u007d"),
            ("`", r"\u0060"),
            ("\\", r"\\"),
            ("</script>", r"\u003c\/script\u003e"),
            ("a\u{2028}b", r"a\u2028b"),
            ("\"'&+", r"\u0022\u0027\u0026\u002b"),
            ("\x01\x0b", r"\u0001\u000b"),
            ("\u{A0}é", "\u{A0}é"),
        ],
        plain(Escaper::JsTmplLit),
    );
}

/// Our own: `json_string` against Go's encoding/json.
#[test]
fn json_string_rows() {
    check(
        "json_string",
        &[
            ("", r#""""#),
            ("foo", r#""foo""#),
            ("\"", r#""\"""#),
            ("\\", r#""\\""#),
            ("/", r#""/""#),
            (
                "<a href='x'>&</a>",
                r#""\u003ca href='x'\u003e\u0026\u003c/a\u003e""#,
            ),
            ("\n\r\t", r#""\n\r\t""#),
            (
                "\x00\x01\x08\x0b\x0c\x1f",
                r#""\u0000\u0001\u0008\u000b\u000c\u001f""#,
            ),
            ("\x7f", "\"\x7f\""),
            ("\u{2028}\u{2029}", r#""\u2028\u2029""#),
            ("é\u{FEFF}\u{1D11E}", "\"é\u{FEFF}\u{1D11E}\""),
            ("+`$'", r#""+`$'""#),
        ],
        |s| {
            let mut out = String::new();
            json_string(s, &mut out);
            out
        },
    );
}

// ----------------------------------------------------------------- css_test.go

/// Go: TestCSSEscaper, with its decoding round trip.
#[test]
fn go_css_escaper() {
    let want = concat!(
        "\\0\x01\x02\x03\x04\x05\x06\x07",
        "\x08\\9 \\a\x0b\\c \\d\x0E\x0F",
        "\x10\x11\x12\x13\x14\x15\x16\x17",
        "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
        r" !\22#$%\26\27\28\29*\2b,-.\2f ",
        r"0123456789\3a\3b\3c=\3e?",
        r"@ABCDEFGHIJKLMNO",
        r"PQRSTUVWXYZ[\\]^_",
        "`abcdefghijklmno",
        r"pqrstuvwxyz\7b|\7d~",
        "\u{7f}",
        "\u{A0}\u{100}\u{2028}\u{2029}\u{FEFF}\u{1D11E}",
    );
    check(
        "TestCSSEscaper",
        &[(LOWER7, want)],
        plain(Escaper::CssEscaper),
    );
    check("TestCSSEscaper (decode)", &[(want, LOWER7)], |s| {
        css::decode_css(s).into_owned()
    });
}

/// Go: TestCSSValueFilter.
#[test]
fn go_css_value_filter() {
    check(
        "TestCSSValueFilter",
        &[
            ("", ""),
            ("foo", "foo"),
            ("0", "0"),
            ("0px", "0px"),
            ("-5px", "-5px"),
            ("1.25in", "1.25in"),
            ("+.33em", "+.33em"),
            ("100%", "100%"),
            ("12.5%", "12.5%"),
            (".foo", ".foo"),
            ("#bar", "#bar"),
            ("corner-radius", "corner-radius"),
            ("-moz-corner-radius", "-moz-corner-radius"),
            ("#000", "#000"),
            ("#48f", "#48f"),
            ("#123456", "#123456"),
            ("U+00-FF, U+980-9FF", "U+00-FF, U+980-9FF"),
            ("color: red", "color: red"),
            ("<!--", "ZgotmplZ"),
            ("-->", "ZgotmplZ"),
            ("<![CDATA[", "ZgotmplZ"),
            ("]]>", "ZgotmplZ"),
            ("</style", "ZgotmplZ"),
            ("\"", "ZgotmplZ"),
            ("'", "ZgotmplZ"),
            ("`", "ZgotmplZ"),
            ("\x00", "ZgotmplZ"),
            ("/* foo */", "ZgotmplZ"),
            ("//", "ZgotmplZ"),
            ("[href=~", "ZgotmplZ"),
            ("expression(alert(1337))", "ZgotmplZ"),
            ("-expression(alert(1337))", "ZgotmplZ"),
            ("expression", "ZgotmplZ"),
            ("Expression", "ZgotmplZ"),
            ("EXPRESSION", "ZgotmplZ"),
            ("-moz-binding", "ZgotmplZ"),
            ("-expr\x00ession(alert(1337))", "ZgotmplZ"),
            (r"-expr\0ession(alert(1337))", "ZgotmplZ"),
            (r"-express\69on(alert(1337))", "ZgotmplZ"),
            (r"-express\69 on(alert(1337))", "ZgotmplZ"),
            (r"-exp\72 ession(alert(1337))", "ZgotmplZ"),
            (r"-exp\52 ession(alert(1337))", "ZgotmplZ"),
            (r"-exp\000052 ession(alert(1337))", "ZgotmplZ"),
            (r"-expre\0000073sion", "-expre\x073sion"),
            ("@import url evil.css", "ZgotmplZ"),
        ],
        plain(Escaper::CssValueFilter),
    );
}

/// Our own: CSS escapes decoded by cssValueFilter, outputs checked against
/// Go 1.19.
#[test]
fn css_value_filter_decoding() {
    check(
        "cssValueFilter decoding",
        &[
            (r"\66oo", "foo"),
            (r"\66 oo", "foo"),
            ("\\66\r\noo", "foo"),
            (r"\e9 t\e9", "été"),
            (r"\d800", "\u{FFFD}"),
            (r"\110000", "\u{11000}0"),
            (r"a\-b", "a-b"),
            ("a\\\u{e9}", "a\u{e9}"),
            // A trailing lone backslash is dropped.
            ("foo\\", "foo"),
            (r"\\", "ZgotmplZ"),
            (r"\28", "ZgotmplZ"),
            (r"mo\7a binding", "ZgotmplZ"),
            (r"mo\7a bi\6e ding", "ZgotmplZ"),
            ("Moz_Binding", "Moz_Binding"),
            ("xmozbindingx", "ZgotmplZ"),
            ("moz-binding", "ZgotmplZ"),
        ],
        plain(Escaper::CssValueFilter),
    );
}

// ------------------------------------------------------------- content_test.go

const TYPED_PLAIN: &str = r#"<b> "foo%" O'Reilly &bar;"#;
const TYPED_HTML: &str = "Hello, <b>World</b> &amp;tc!";

/// Go: TestTypedContent, the columns of the plain string and of
/// `template.HTML`, with the escaper pipeline Go 1.19 chooses for each
/// template.
#[test]
fn go_typed_content() {
    use Escaper::*;
    // (template, pipeline, output for TYPED_PLAIN, output for TYPED_HTML)
    let rows: &[(&str, &[Escaper], &str, &str)] = &[
        (
            "<style>{{.}} { color: blue }</style>",
            &[CssValueFilter],
            "ZgotmplZ",
            "ZgotmplZ",
        ),
        (
            r#"<div style="{{.}}">"#,
            &[CssValueFilter, Attr],
            "ZgotmplZ",
            "ZgotmplZ",
        ),
        (
            "{{.}}",
            &[Html],
            "&lt;b&gt; &#34;foo%&#34; O&#39;Reilly &amp;bar;",
            "Hello, <b>World</b> &amp;tc!",
        ),
        (
            "<a title={{.}}>",
            &[Nospace],
            "&lt;b&gt;&#32;&#34;foo%&#34;&#32;O&#39;Reilly&#32;&amp;bar;",
            "Hello,&#32;World&#32;&amp;tc!",
        ),
        (
            "<a title='{{.}}'>",
            &[Attr],
            "&lt;b&gt; &#34;foo%&#34; O&#39;Reilly &amp;bar;",
            "Hello, World &amp;tc!",
        ),
        (
            "<textarea>{{.}}</textarea>",
            &[Rcdata],
            "&lt;b&gt; &#34;foo%&#34; O&#39;Reilly &amp;bar;",
            "Hello, &lt;b&gt;World&lt;/b&gt; &amp;tc!",
        ),
        (
            "<script>alert({{.}})</script>",
            &[JsVal],
            r#""\u003cb\u003e \"foo%\" O'Reilly \u0026bar;""#,
            r#""Hello, \u003cb\u003eWorld\u003c/b\u003e \u0026amp;tc!""#,
        ),
        (
            r#"<button onclick="alert({{.}})">"#,
            &[JsVal, Attr],
            r#"&#34;\u003cb\u003e \&#34;foo%\&#34; O&#39;Reilly \u0026bar;&#34;"#,
            r#"&#34;Hello, \u003cb\u003eWorld\u003c/b\u003e \u0026amp;tc!&#34;"#,
        ),
        (
            r#"<script>alert("{{.}}")</script>"#,
            &[JsStr],
            r"\u003cb\u003e \u0022foo%\u0022 O\u0027Reilly \u0026bar;",
            r"Hello, \u003cb\u003eWorld\u003c\/b\u003e \u0026amp;tc!",
        ),
        (
            r#"<button onclick='alert("{{.}}")'>"#,
            &[JsStr, Attr],
            r"\u003cb\u003e \u0022foo%\u0022 O\u0027Reilly \u0026bar;",
            r"Hello, \u003cb\u003eWorld\u003c\/b\u003e \u0026amp;tc!",
        ),
        (
            r#"<a href="?q={{.}}">"#,
            &[UrlEscaper, Attr],
            "%3cb%3e%20%22foo%25%22%20O%27Reilly%20%26bar%3b",
            "Hello%2c%20%3cb%3eWorld%3c%2fb%3e%20%26amp%3btc%21",
        ),
        (
            "<style>body { background: url('?img={{.}}') }</style>",
            &[UrlEscaper],
            "%3cb%3e%20%22foo%25%22%20O%27Reilly%20%26bar%3b",
            "Hello%2c%20%3cb%3eWorld%3c%2fb%3e%20%26amp%3btc%21",
        ),
        (
            r#"<img srcset="{{.}}">"#,
            &[Srcset, Attr],
            "#ZgotmplZ",
            "Hello,#ZgotmplZ",
        ),
        (
            "<img srcset={{.}}>",
            &[Srcset, Nospace],
            "#ZgotmplZ",
            "Hello,#ZgotmplZ",
        ),
    ];
    let mut table = Vec::new();
    for &(template, steps, want_plain, want_html) in rows {
        table.push((template, TYPED_PLAIN, Content::Plain, steps, want_plain));
        table.push((template, TYPED_HTML, Content::Html, steps, want_html));
    }
    let failures: Vec<String> = table
        .iter()
        .filter_map(|&(template, input, content, steps, want)| {
            let got = pipeline(steps, input, content);
            (got != want).then(|| {
                format!("{template} with {content:?} {input:?}: want {want:?}, got {got:?}")
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "TestTypedContent: {} of {} rows failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// Our own: trusted HTML in each HTML context, outputs checked against
/// Go 1.19.
#[test]
fn trusted_html_contexts() {
    use Escaper::*;
    let rows: &[(Escaper, &str, &str)] = &[
        (Html, "<i>a</i> &amp; b+c\0", "<i>a</i> &amp; b+c\0"),
        (
            Rcdata,
            "<i>a</i> &amp; b+c\0",
            "&lt;i&gt;a&lt;/i&gt; &amp; b&#43;c\u{FFFD}",
        ),
        (Attr, "<i>a</i> &amp; b+c\0", "a &amp; b&#43;c\u{FFFD}"),
        (
            Nospace,
            "<i>a</i> &amp; b+c\0",
            "a&#32;&amp;&#32;b&#43;c&#xfffd;",
        ),
        (Attr, "\"q\" 'q' x=y", "&#34;q&#34; &#39;q&#39; x=y"),
        (
            Nospace,
            "\"q\" 'q' x=y`",
            "&#34;q&#34;&#32;&#39;q&#39;&#32;x&#61;y&#96;",
        ),
        (Attr, "<script>alert(1)</script>ok", "ok"),
        (Nospace, "<style>p{}</style>ok\u{FDD0}", "ok&#xfdd0;"),
        (Attr, "<!-- c -->a<b title='x>y'>b", "ab"),
        (Attr, "1 < 2 & 3 > 2", "1 &lt; 2 & 3 &gt; 2"),
        (Nospace, "1 < 2", "1&#32;&lt;&#32;2"),
        // Everything else treats trusted HTML as a string.
        (JsStr, "<b>", r"\u003cb\u003e"),
        (UrlFilter, "javascript:<b>", "#ZgotmplZ"),
        (UrlEscaper, "<b>", "%3cb%3e"),
        (CssValueFilter, "<b>", "<b>"),
        (CssValueFilter, "a(b)", "ZgotmplZ"),
        (Comment, "<b>", ""),
    ];
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|&(step, input, want)| {
            let mut got = String::new();
            apply(step, input, Content::Html, &mut got);
            (got != want).then(|| format!("{step:?} {input:?}: want {want:?}, got {got:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "trusted HTML:\n{}",
        failures.join("\n")
    );
}

/// Our own: plain strings in the HTML contexts, outputs checked against
/// Go 1.19.
#[test]
fn plain_html_contexts() {
    use Escaper::*;
    let rows: &[(Escaper, &str, &str)] = &[
        (Html, "", ""),
        (Html, "plain text", "plain text"),
        (
            Html,
            "<a href=\"x\">'&'+</a>",
            "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&#43;&lt;/a&gt;",
        ),
        (Html, "\0\u{FDD0}\u{2028}", "\u{FFFD}\u{FDD0}\u{2028}"),
        (Rcdata, "</textarea>&amp;", "&lt;/textarea&gt;&amp;amp;"),
        (Attr, "a=\"b\" &amp;", "a=&#34;b&#34; &amp;amp;"),
        (
            Nospace,
            "a b&amp;\t\n\x0b\x0c\r",
            "a&#32;b&amp;amp;&#9;&#10;&#11;&#12;&#13;",
        ),
        (
            Nospace,
            "\u{FDCF}\u{FDD0}\u{FDEF}\u{FDF0}\u{FFEF}\u{FFF0}\u{FFFF}",
            "\u{FDCF}&#xfdd0;&#xfdef;\u{FDF0}\u{FFEF}&#xfff0;&#xffff;",
        ),
        (Comment, "anything", ""),
    ];
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|&(step, input, want)| {
            let mut got = String::new();
            apply(step, input, Content::Plain, &mut got);
            (got != want).then(|| format!("{step:?} {input:?}: want {want:?}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "plain HTML:\n{}", failures.join("\n"));
}

/// `apply` appends to what is already in `out`.
#[test]
fn apply_appends() {
    let mut out = String::from("x=");
    apply(Escaper::Html, "<", Content::Plain, &mut out);
    apply(Escaper::JsVal, "1", Content::Plain, &mut out);
    apply(Escaper::UrlFilter, "javascript:", Content::Plain, &mut out);
    assert_eq!(out, "x=&lt; 1 #ZgotmplZ");
}
