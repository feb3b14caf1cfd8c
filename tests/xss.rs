//! XSS payload corpus: every payload of `tests/xss_payloads.txt` is rendered
//! into every slot context below, and the rendered output is checked for
//! properties that make the payload harmless in that context.
//!
//! For each (context, payload) the template's static text before and after
//! `{{.p}}` must come out intact; what is between is the slot's region. The
//! checks (module [`check`]) are:
//!
//! - everywhere: the output has exactly the tags of the template (same start
//!   and end tags, in order, as an HTML tokenizer sees them, raw text
//!   elements such as `<script>` included), so no payload created or closed
//!   a tag, comment or raw text element;
//! - attribute regions: none of `< > " '` raw; unquoted ones also no
//!   whitespace, `=` or backtick. The region is then HTML-entity-decoded
//!   once (as a browser does) and checked for its inner context;
//! - HTML text, RCDATA and plain attribute values: none of `< > " '` raw,
//!   and decoding the entities gives back the payload (NUL becomes U+FFFD,
//!   as in Go);
//! - URL starts (`href`, `src`, `action`, `formaction`, `data`,
//!   `xlink:href`, CSS `url(…)`, each `srcset` candidate): `#ZgotmplZ`, or no
//!   scheme, or a scheme in {http, https, mailto}, after the browser's own
//!   clean-up (leading and trailing C0 controls and spaces trimmed, tabs and
//!   newlines removed); no raw whitespace, control character, quote, `<`,
//!   `>` or backtick. Percent-escapes are not decoded before looking for the
//!   scheme, because browsers do not decode them there either:
//!   `javascript%3Aalert(1)` is a harmless relative URL (Go passes it too);
//! - URL query and fragment parts: only `[A-Za-z0-9-._~%]`, and
//!   percent-decoding gives back the payload;
//! - script values (`<script>`, JSON-LD, `on*` attributes): the region is a
//!   JSON value (`serde_json`) equal to the payload string, with no raw `<`,
//!   `>`, U+2028 or U+2029 (so no `</script`, `<!--` or `-->`);
//! - JS strings: none of `" ' < > \n \r` backtick U+2028 U+2029 raw, and
//!   decoding the JS escapes gives back the payload;
//! - JS regexps: as JS strings (a backtick excepted), and no unescaped `/`,
//!   `[` or `]`;
//! - CSS values (`<style>`, `style=""`): `ZgotmplZ`, or none of the
//!   characters Go's `cssValueFilter` rejects (`\0 " ' ( ) / ; @ [ \ ] { }`
//!   and backtick), no `--`, and no `expression` / `mozbinding` in the name
//!   characters. (A narrower "letters, digits, space, `#%.,-`" set would
//!   also reject harmless values that Go passes, such as `x=y z` or `+ADw-`.)
//! - CSS strings: `#ZgotmplZ`, or none of `" ' < > \n \r \x0c` raw,
//!   decoding the CSS escapes gives back the payload, and that has no unsafe
//!   URL scheme (Go filters CSS strings as URLs);
//! - HTML comments: the slot and the comment are gone from the output.
//!
//! `corpus_summary` prints how many (payload, context) pairs were checked:
//!
//! ```text
//! cargo test --test xss -- --nocapture corpus_summary
//! ```

use livetemplate::{live_template, Html, Template};

/// Context-specific safety checks. Plain code, independent of the macro.
mod check {
    /// How the slot's region is delimited in the HTML around it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Quote {
        /// Element content (text, RCDATA, raw text of `<script>`/`<style>`).
        None,
        /// A `"…"` attribute value.
        Double,
        /// A `'…'` attribute value.
        Single,
        /// An unquoted attribute value.
        Unquoted,
    }

    /// What the slot's region is, once attribute entities are decoded.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Kind {
        /// HTML text, RCDATA or a plain attribute value.
        Html,
        /// The start of a URL.
        UrlStart,
        /// A URL query or fragment part.
        UrlQuery,
        /// A URL path after a fixed prefix.
        UrlPath,
        /// An `<img srcset>` value.
        Srcset,
        /// A JS (JSON) value.
        JsValue,
        /// The inside of a JS string literal.
        JsStr,
        /// The inside of a JS regular expression literal.
        JsRegexp,
        /// A CSS value.
        CssValue,
        /// The inside of a CSS string.
        CssStr,
        /// An unquoted CSS `url(…)`.
        CssUrl,
        /// Inside an HTML comment.
        Comment,
    }

    /// One slot context: a template with exactly one `{{.p}}`.
    #[derive(Clone, Copy, Debug)]
    pub struct Spec {
        pub name: &'static str,
        pub template: &'static str,
        pub kind: Kind,
        pub quote: Quote,
    }

    /// The slot in every context template.
    pub const SLOT: &str = "{{.p}}";

    /// Checks the output of `spec`'s template rendered with `payload`.
    pub fn check(spec: &Spec, payload: &str, out: &str) -> Result<(), String> {
        let (prefix, suffix) = spec
            .template
            .split_once(SLOT)
            .ok_or("template without {{.p}}")?;
        if spec.kind == Kind::Comment {
            let want = strip_comments(&format!("{prefix}{suffix}"));
            return if out == want {
                Ok(())
            } else {
                Err(format!("comment context: want {want:?}"))
            };
        }
        if !out.starts_with(prefix)
            || !out.ends_with(suffix)
            || out.len() < prefix.len() + suffix.len()
        {
            return Err("static text around the slot is not intact".into());
        }
        let region = &out[prefix.len()..out.len() - suffix.len()];

        let want_tags = tags(&format!("{prefix}{suffix}"));
        let got_tags = tags(out);
        if got_tags != want_tags {
            return Err(format!(
                "tags changed: template has {want_tags:?}, output has {got_tags:?}"
            ));
        }

        let decoded;
        let inner = match spec.quote {
            Quote::None => region,
            quote => {
                if let Some(c) = region.chars().find(|c| "<>\"'".contains(*c)) {
                    return Err(format!("raw {c:?} in an attribute value"));
                }
                if quote == Quote::Unquoted {
                    if let Some(c) = region
                        .chars()
                        .find(|c| c.is_ascii_whitespace() || *c == '=' || *c == '`')
                    {
                        return Err(format!("raw {c:?} in an unquoted attribute value"));
                    }
                }
                decoded = decode_entities(region);
                decoded.as_str()
            }
        };
        check_inner(spec, payload, region, inner)
    }

    fn check_inner(spec: &Spec, payload: &str, region: &str, inner: &str) -> Result<(), String> {
        match spec.kind {
            Kind::Html => {
                if let Some(c) = region.chars().find(|c| "<>\"'".contains(*c)) {
                    return Err(format!("raw {c:?} in HTML text"));
                }
                let want = payload.replace('\0', "\u{FFFD}");
                let text = decode_entities(region);
                if text != want {
                    return Err(format!(
                        "entity-decoded region is {text:?}, not the payload"
                    ));
                }
            }
            Kind::UrlStart | Kind::CssUrl => {
                url_chars(inner)?;
                if spec.kind == Kind::CssUrl {
                    if let Some(c) = inner.chars().find(|c| "()\\".contains(*c)) {
                        return Err(format!("raw {c:?} in an unquoted CSS url()"));
                    }
                }
                if inner != "#ZgotmplZ" {
                    scheme_ok(inner)?;
                }
            }
            Kind::UrlPath => url_chars(inner)?,
            Kind::UrlQuery => {
                if let Some(c) = inner
                    .chars()
                    .find(|c| !(c.is_ascii_alphanumeric() || "-._~%".contains(*c)))
                {
                    return Err(format!("{c:?} not percent-encoded in a URL query"));
                }
                if percent_decode(inner).as_deref() != Some(payload.as_bytes()) {
                    return Err("percent-decoded region is not the payload".into());
                }
            }
            Kind::Srcset => {
                if let Some(c) = inner.chars().find(|c| "<>\"'`".contains(*c)) {
                    return Err(format!("raw {c:?} in srcset"));
                }
                for candidate in inner.split(',') {
                    let url = candidate.trim_start().split_ascii_whitespace().next();
                    if let Some(url) = url.filter(|u| *u != "#ZgotmplZ") {
                        scheme_ok(url)?;
                    }
                }
            }
            Kind::JsValue => {
                if let Some(c) = inner
                    .chars()
                    .find(|c| matches!(c, '<' | '>' | '\u{2028}' | '\u{2029}'))
                {
                    return Err(format!("raw {c:?} in a JS value"));
                }
                let value: serde_json::Value = serde_json::from_str(inner)
                    .map_err(|e| format!("JS value is not JSON ({e})"))?;
                if value != serde_json::Value::String(payload.to_string()) {
                    return Err(format!("JSON value is {value}, not the payload"));
                }
            }
            Kind::JsStr | Kind::JsRegexp => {
                // A backtick cannot end a regexp literal (Go leaves it as is).
                let backtick_ok = spec.kind == Kind::JsRegexp;
                if let Some(c) = inner.chars().find(|&c| {
                    matches!(
                        c,
                        '"' | '\'' | '<' | '>' | '\n' | '\r' | '\u{2028}' | '\u{2029}'
                    ) || (c == '`' && !backtick_ok)
                }) {
                    return Err(format!("raw {c:?} in a JS string or regexp"));
                }
                if spec.kind == Kind::JsRegexp {
                    if payload.is_empty() && inner == "(?:)" {
                        return Ok(());
                    }
                    let mut chars = inner.chars();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                chars.next();
                            }
                            '/' | '[' | ']' => return Err(format!("unescaped {c:?} in a regexp")),
                            _ => {}
                        }
                    }
                }
                let text = js_unescape(inner).ok_or("malformed JS escape")?;
                if text != payload {
                    return Err(format!("JS-unescaped region is {text:?}, not the payload"));
                }
            }
            Kind::CssValue => {
                if inner != "ZgotmplZ" {
                    css_value_ok(inner)?;
                }
            }
            Kind::CssStr => {
                if inner != "#ZgotmplZ" {
                    if let Some(c) = inner
                        .chars()
                        .find(|c| matches!(c, '"' | '\'' | '<' | '>' | '\n' | '\r' | '\x0c'))
                    {
                        return Err(format!("raw {c:?} in a CSS string"));
                    }
                    let text = css_unescape(inner).ok_or("malformed CSS escape")?;
                    if text != payload {
                        return Err(format!("CSS-unescaped region is {text:?}, not the payload"));
                    }
                    scheme_ok(&text)?;
                }
            }
            Kind::Comment => unreachable!(),
        }
        Ok(())
    }

    /// No character in a URL that a browser would trim, split on or end an
    /// attribute or `url()` at.
    fn url_chars(url: &str) -> Result<(), String> {
        match url
            .chars()
            .find(|c| !c.is_ascii_graphic() || "<>\"'`".contains(*c))
        {
            Some(c) => Err(format!("raw {c:?} in a URL")),
            None => Ok(()),
        }
    }

    /// The URL has no scheme, or an allowed one, as a browser parses it.
    pub fn scheme_ok(url: &str) -> Result<(), String> {
        let cleaned: String = url
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let Some(colon) = cleaned.find(':') else {
            return Ok(());
        };
        let scheme = &cleaned[..colon];
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        let lower = scheme.to_ascii_lowercase();
        if is_scheme && !["http", "https", "mailto"].contains(&lower.as_str()) {
            return Err(format!("URL with scheme {scheme:?}"));
        }
        Ok(())
    }

    /// Go's `cssValueFilter` conditions, on an already decoded value.
    fn css_value_ok(value: &str) -> Result<(), String> {
        if let Some(c) = value.chars().find(|c| "\0\"'()/;@[\\]`{}".contains(*c)) {
            return Err(format!("{c:?} in a CSS value"));
        }
        if value.contains("--") {
            return Err("`--` in a CSS value".into());
        }
        let name: String = value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.contains("expression") || name.contains("mozbinding") {
            return Err("`expression` or `moz-binding` in a CSS value".into());
        }
        Ok(())
    }

    /// Removes `<!-- … -->` comments.
    fn strip_comments(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("<!--") {
            out.push_str(&rest[..start]);
            rest = match rest[start + 4..].find("-->") {
                Some(end) => &rest[start + 4 + end + 3..],
                None => "",
            };
        }
        out.push_str(rest);
        out
    }

    /// The start and end tags of `html` as an HTML tokenizer sees them
    /// (`<p`, `</p`), skipping comments, and the contents of raw text and
    /// RCDATA elements up to their end tag.
    pub fn tags(html: &str) -> Vec<String> {
        const RAW: &[&str] = &[
            "script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes",
        ];
        let b = html.as_bytes();
        let lower = html.to_ascii_lowercase();
        let mut tags = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'<' {
                i += 1;
                continue;
            }
            let rest = &b[i + 1..];
            if rest.starts_with(b"!--") {
                // `<!-->` and `<!--->` are complete comments.
                let body = i + 4;
                i = if lower[body..].starts_with('>') {
                    body + 1
                } else if lower[body..].starts_with("->") {
                    body + 2
                } else {
                    lower[body..].find("-->").map_or(b.len(), |e| body + e + 3)
                };
                tags.push("<!--".to_string());
                continue;
            }
            let end_tag = rest.first() == Some(&b'/');
            let name_start = i + 1 + usize::from(end_tag);
            if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                if matches!(rest.first(), Some(b'!' | b'?' | b'/')) {
                    // Bogus comment up to the next `>`.
                    i = lower[i..].find('>').map_or(b.len(), |e| i + e + 1);
                    tags.push("<!".to_string());
                } else {
                    i += 1;
                }
                continue;
            }
            let mut j = name_start;
            while j < b.len() && !(b[j].is_ascii_whitespace() || b[j] == b'/' || b[j] == b'>') {
                j += 1;
            }
            let name = lower[name_start..j].to_string();
            // Attributes, up to the `>` that ends the tag.
            loop {
                while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                    j += 1;
                }
                if j >= b.len() || b[j] == b'>' {
                    break;
                }
                // Attribute name (its first character may be `=`).
                j += 1;
                while j < b.len() && !(b[j].is_ascii_whitespace() || b"/>=".contains(&b[j])) {
                    j += 1;
                }
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && b[j] == b'=' {
                    j += 1;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    match b.get(j) {
                        Some(&q @ (b'"' | b'\'')) => {
                            j = html[j + 1..]
                                .find(char::from(q))
                                .map_or(b.len(), |e| j + 1 + e + 1);
                        }
                        _ => {
                            while j < b.len() && !(b[j].is_ascii_whitespace() || b[j] == b'>') {
                                j += 1;
                            }
                        }
                    }
                }
            }
            i = (j + 1).min(b.len());
            tags.push(format!("{}{name}", if end_tag { "</" } else { "<" }));
            if !end_tag && RAW.contains(&name.as_str()) {
                // Raw text up to `</name` followed by whitespace, `/` or `>`.
                let close = format!("</{name}");
                let mut from = i;
                i = loop {
                    match lower[from..].find(&close) {
                        None => break b.len(),
                        Some(e) => {
                            let at = from + e;
                            match b.get(at + close.len()) {
                                Some(c) if c.is_ascii_whitespace() || b"/>".contains(c) => {
                                    break at
                                }
                                _ => from = at + 1,
                            }
                        }
                    }
                };
            }
        }
        tags
    }

    /// Decodes HTML character references once, left to right: numeric ones
    /// (with or without `;`) and the named ones an escaper might write.
    pub fn decode_entities(s: &str) -> String {
        const NAMED: &[(&str, char)] = &[
            ("amp;", '&'),
            ("lt;", '<'),
            ("gt;", '>'),
            ("quot;", '"'),
            ("apos;", '\''),
            ("nbsp;", '\u{a0}'),
            ("grave;", '`'),
            ("equals;", '='),
            ("plus;", '+'),
            ("Tab;", '\t'),
            ("NewLine;", '\n'),
        ];
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            rest = &rest[amp + 1..];
            if let Some(num) = rest.strip_prefix('#') {
                let (digits, radix) = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => (hex, 16),
                    None => (num, 10),
                };
                let len = digits
                    .find(|c: char| !c.is_digit(radix))
                    .unwrap_or(digits.len());
                if len > 0 {
                    let code = u32::from_str_radix(&digits[..len], radix).unwrap_or(0xFFFD);
                    let c = match code {
                        0 => '\u{FFFD}',
                        _ => char::from_u32(code).unwrap_or('\u{FFFD}'),
                    };
                    out.push(c);
                    let after = &digits[len..];
                    rest = after.strip_prefix(';').unwrap_or(after);
                    continue;
                }
            } else if let Some((name, c)) = NAMED.iter().find(|(n, _)| rest.starts_with(n)) {
                out.push(*c);
                rest = &rest[name.len()..];
                continue;
            }
            out.push('&');
        }
        out.push_str(rest);
        out
    }

    /// Decodes `%XX` escapes; `None` if one is malformed.
    pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        Some(out)
    }

    /// Decodes the escapes of a JS string or regexp body; `None` if one is
    /// malformed.
    pub fn js_unescape(s: &str) -> Option<String> {
        fn hex(chars: &mut std::str::Chars<'_>, n: usize) -> Option<u32> {
            let digits: String = chars.by_ref().take(n).collect();
            if digits.len() != n {
                return None;
            }
            u32::from_str_radix(&digits, 16).ok()
        }
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'f' => out.push('\x0c'),
                'v' => out.push('\x0b'),
                'b' => out.push('\x08'),
                '0' if !chars.as_str().starts_with(|c: char| c.is_ascii_digit()) => out.push('\0'),
                'x' => out.push(char::from_u32(hex(&mut chars, 2)?)?),
                'u' => {
                    let code = if chars.as_str().starts_with('{') {
                        chars.next();
                        let body: String = chars.by_ref().take_while(|c| *c != '}').collect();
                        u32::from_str_radix(&body, 16).ok()?
                    } else {
                        hex(&mut chars, 4)?
                    };
                    let code = if (0xD800..0xDC00).contains(&code) {
                        // A surrogate pair.
                        let rest = chars.as_str();
                        let low = rest.strip_prefix("\\u")?;
                        let low = u32::from_str_radix(low.get(..4)?, 16).ok()?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return None;
                        }
                        chars = rest[6..].chars();
                        0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        code
                    };
                    out.push(char::from_u32(code)?);
                }
                '\n' | '\u{2028}' | '\u{2029}' => {}
                '\r' => {
                    if chars.as_str().starts_with('\n') {
                        chars.next();
                    }
                }
                other => out.push(other),
            }
        }
        Some(out)
    }

    /// Decodes the escapes of a CSS string body; `None` if one is
    /// malformed.
    pub fn css_unescape(s: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(bs) = rest.find('\\') {
            out.push_str(&rest[..bs]);
            rest = &rest[bs + 1..];
            let len = rest
                .find(|c: char| !c.is_ascii_hexdigit())
                .unwrap_or(rest.len())
                .min(6);
            if len > 0 {
                let code = u32::from_str_radix(&rest[..len], 16).ok()?;
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                rest = &rest[len..];
                rest = rest
                    .strip_prefix("\r\n")
                    .or_else(|| rest.strip_prefix([' ', '\t', '\n', '\r', '\x0c']))
                    .unwrap_or(rest);
            } else {
                let c = rest.chars().next()?;
                rest = &rest[c.len_utf8()..];
                if c != '\n' {
                    out.push(c);
                }
            }
        }
        out.push_str(rest);
        Some(out)
    }
}

use check::{Kind, Quote, Spec};

/// A slot context: its description and its generated template.
struct Ctx {
    spec: Spec,
    render: fn(&str) -> String,
}

/// Defines one `#[live_template]` struct with a field `p` per context.
macro_rules! contexts {
    ($($name:ident: $kind:ident, $quote:ident, $template:literal;)*) => {
        fn contexts() -> Vec<Ctx> {
            vec![$({
                #[live_template(source = $template)]
                // A slot inside an HTML comment is dropped, so `p` may go unread.
                #[allow(dead_code)]
                struct $name {
                    p: String,
                }
                Ctx {
                    spec: Spec {
                        name: stringify!($name),
                        template: $template,
                        kind: Kind::$kind,
                        quote: Quote::$quote,
                    },
                    render: |p| $name { p: p.to_string() }.render().expect("render"),
                }
            }),*]
        }
    };
}

contexts! {
    Text: Html, None, "<p>{{.p}}</p>";
    TopLevelText: Html, None, "{{.p}}";
    Title: Html, None, "<title>{{.p}}</title>";
    Textarea: Html, None, "<textarea>{{.p}}</textarea>";
    AttrDouble: Html, Double, r#"<div title="{{.p}}">x</div>"#;
    AttrSingle: Html, Single, "<div title='{{.p}}'>x</div>";
    AttrUnquoted: Html, Unquoted, "<div title={{.p}}>x</div>";
    AnchorTitleUnquoted: Html, Unquoted, "<a title={{.p}}>x</a>";
    InputValue: Html, Double, r#"<input value="{{.p}}">"#;
    DataAttr: Html, Double, r#"<div data-x="{{.p}}">x</div>"#;
    Href: UrlStart, Double, r#"<a href="{{.p}}">x</a>"#;
    HrefSingle: UrlStart, Single, "<a href='{{.p}}'>x</a>";
    HrefUnquoted: UrlStart, Unquoted, "<a href={{.p}}>x</a>";
    HrefQuery: UrlQuery, Double, r#"<a href="/search?q={{.p}}">x</a>"#;
    HrefFragment: UrlQuery, Double, r#"<a href="/page#{{.p}}">x</a>"#;
    HrefPath: UrlPath, Double, r#"<a href="/path/{{.p}}">x</a>"#;
    ImgSrc: UrlStart, Double, r#"<img src="{{.p}}">"#;
    IframeSrc: UrlStart, Double, r#"<iframe src="{{.p}}"></iframe>"#;
    FormAction: UrlStart, Double, r#"<form action="{{.p}}"></form>"#;
    ButtonFormaction: UrlStart, Double, r#"<button formaction="{{.p}}">x</button>"#;
    ObjectData: UrlStart, Double, r#"<object data="{{.p}}"></object>"#;
    SvgXlinkHref: UrlStart, Double, r#"<svg><a xlink:href="{{.p}}">x</a></svg>"#;
    ImgSrcset: Srcset, Double, r#"<img srcset="{{.p}}">"#;
    ScriptValue: JsValue, None, "<script>var x = {{.p}};</script>";
    ScriptLdJson: JsValue, None, r#"<script type="application/ld+json">{"a": {{.p}}}</script>"#;
    ScriptDoubleString: JsStr, None, r#"<script>var x = "{{.p}}";</script>"#;
    ScriptSingleString: JsStr, None, "<script>var x = '{{.p}}';</script>";
    ScriptRegexp: JsRegexp, None, "<script>var r = /{{.p}}/;</script>";
    OnclickValue: JsValue, Double, r#"<button onclick="f({{.p}})">x</button>"#;
    OnclickValueSingle: JsValue, Single, "<button onclick='f({{.p}})'>x</button>";
    OnmouseoverUnquoted: JsValue, Unquoted, "<div onmouseover={{.p}}>x</div>";
    OnclickString: JsStr, Double, r#"<button onclick="f('{{.p}}')">x</button>"#;
    StyleElement: CssValue, None, "<style>p { color: {{.p}} }</style>";
    StyleAttr: CssValue, Double, r#"<p style="color: {{.p}}">x</p>"#;
    StyleString: CssStr, None, r#"<style>p { font-family: "{{.p}}" }</style>"#;
    StyleUrl: CssUrl, None, "<style>p { background: url({{.p}}) }</style>";
    Comment: Comment, None, "<p><!-- {{.p}} --></p>";
}

/// The payloads of `tests/xss_payloads.txt`.
fn payloads() -> Vec<String> {
    include_str!("xss_payloads.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad payload line {l}: {e}")))
        .collect()
}

/// Renders every payload into `ctx` and returns the failures.
fn failures(ctx: &Ctx, payloads: &[String]) -> Vec<String> {
    payloads
        .iter()
        .filter_map(|p| {
            let out = (ctx.render)(p);
            check::check(&ctx.spec, p, &out).err().map(|e| {
                format!(
                    "{} | template {:?} | payload {p:?}\n    output {out:?}\n    {e}",
                    ctx.spec.name, ctx.spec.template
                )
            })
        })
        .collect()
}

fn run_context(name: &str) {
    let payloads = payloads();
    let ctx = contexts()
        .into_iter()
        .find(|c| c.spec.name == name)
        .expect("context");
    let failed = failures(&ctx, &payloads);
    assert!(
        failed.is_empty(),
        "{} of {} payloads are not safe in {name}:\n{}",
        failed.len(),
        payloads.len(),
        failed.join("\n")
    );
}

/// One `#[test]` per context, so a failure names its context.
macro_rules! context_tests {
    ($($test:ident => $name:ident,)*) => {
        $(
            #[test]
            fn $test() {
                run_context(stringify!($name));
            }
        )*

        #[test]
        fn every_context_has_a_test() {
            let tested = [$(stringify!($name)),*];
            for ctx in contexts() {
                assert!(tested.contains(&ctx.spec.name), "no test for {}", ctx.spec.name);
            }
        }
    };
}

context_tests! {
    text => Text,
    top_level_text => TopLevelText,
    title => Title,
    textarea => Textarea,
    attr_double => AttrDouble,
    attr_single => AttrSingle,
    attr_unquoted => AttrUnquoted,
    anchor_title_unquoted => AnchorTitleUnquoted,
    input_value => InputValue,
    data_attr => DataAttr,
    href => Href,
    href_single => HrefSingle,
    href_unquoted => HrefUnquoted,
    href_query => HrefQuery,
    href_fragment => HrefFragment,
    href_path => HrefPath,
    img_src => ImgSrc,
    iframe_src => IframeSrc,
    form_action => FormAction,
    button_formaction => ButtonFormaction,
    object_data => ObjectData,
    svg_xlink_href => SvgXlinkHref,
    img_srcset => ImgSrcset,
    script_value => ScriptValue,
    script_ld_json => ScriptLdJson,
    script_double_string => ScriptDoubleString,
    script_single_string => ScriptSingleString,
    script_regexp => ScriptRegexp,
    onclick_value => OnclickValue,
    onclick_value_single => OnclickValueSingle,
    onmouseover_unquoted => OnmouseoverUnquoted,
    onclick_string => OnclickString,
    style_element => StyleElement,
    style_attr => StyleAttr,
    style_string => StyleString,
    style_url => StyleUrl,
    comment => Comment,
}

#[test]
fn corpus_summary() {
    let payloads = payloads();
    let contexts = contexts();
    let mut failed = 0;
    for ctx in &contexts {
        let n = failures(ctx, &payloads).len();
        if n > 0 {
            eprintln!("  {}: {n} unsafe", ctx.spec.name);
        }
        failed += n;
    }
    let checked = payloads.len() * contexts.len();
    eprintln!(
        "xss corpus: {} payloads x {} contexts = {checked} checked, {} safe, {failed} unsafe",
        payloads.len(),
        contexts.len(),
        checked - failed
    );
    assert!(payloads.len() >= 60, "corpus too small");
    assert_eq!(
        failed, 0,
        "unsafe (payload, context) pairs; see the per-context tests"
    );
}

/// The checks themselves catch what they should.
#[test]
fn checks_reject_unsafe_output() {
    let href = Spec {
        name: "href",
        template: r#"<a href="{{.p}}">x</a>"#,
        kind: Kind::UrlStart,
        quote: Quote::Double,
    };
    let p = "javascript:alert(1)";
    assert!(check::check(&href, p, r#"<a href="javascript:alert(1)">x</a>"#).is_err());
    assert!(check::check(&href, p, r#"<a href=" JaVa&#x09;script:alert(1)">x</a>"#).is_err());
    assert!(check::check(&href, p, r##"<a href="#ZgotmplZ">x</a>"##).is_ok());
    let text = Spec {
        name: "text",
        template: "<p>{{.p}}</p>",
        kind: Kind::Html,
        quote: Quote::None,
    };
    let p = "<b>x</b>";
    assert!(check::check(&text, p, "<p><b>x</b></p>").is_err());
    assert!(check::check(&text, p, "<p>&lt;b&gt;x&lt;/b&gt;</p>").is_ok());
    assert!(check::check(&text, p, "<p>&amp;lt;b&amp;gt;x&amp;lt;/b&amp;gt;</p>").is_err());
    let script = Spec {
        name: "script",
        template: "<script>var x = {{.p}};</script>",
        kind: Kind::JsValue,
        quote: Quote::None,
    };
    let p = "</script><script>alert(1)</script>";
    let raw = format!("<script>var x = {p:?};</script>");
    assert!(check::check(&script, p, &raw).is_err());
    let safe = r#"<script>var x = "\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e";</script>"#;
    assert!(check::check(&script, p, safe).is_ok());
    assert_eq!(
        check::tags("<p a='>' b=\"<x>\"><script>a<b>\"</script\n><!-- <i> --></p>"),
        ["<p", "<script", "</script", "<!--", "</p"]
    );
}

// ---------------------------------------------------------------------------
// Trusted HTML
// ---------------------------------------------------------------------------

/// Go's `TestEscape` value for `W` (`template.HTML`).
const TRUSTED: &str = r#"&iexcl;<b class="foo">Hello</b>, <textarea>O'World</textarea>!"#;

#[live_template(source = "<p>{{.h}}</p>")]
struct TrustedText {
    h: Html,
}

#[live_template(source = r#"<div title="{{.h}}">x</div>"#)]
struct TrustedAttr {
    h: Html,
}

#[live_template(source = "<div title={{.h}}>x</div>")]
struct TrustedAttrUnquoted {
    h: Html,
}

#[live_template(source = "<title>{{.h}}</title>")]
struct TrustedTitle {
    h: Html,
}

#[test]
fn trusted_html_passes_through_in_text() {
    let out = TrustedText {
        h: Html::new(TRUSTED),
    }
    .render()
    .unwrap();
    assert_eq!(out, format!("<p>{TRUSTED}</p>"));
}

#[test]
fn trusted_html_is_tag_stripped_in_attribute() {
    let out = TrustedAttr {
        h: Html::new(TRUSTED),
    }
    .render()
    .unwrap();
    // Go: `typed HTML in attribute`.
    assert_eq!(out, r#"<div title="&iexcl;Hello, O&#39;World!">x</div>"#);
    let out = TrustedAttr {
        h: Html::new(r#"<img src=x onerror="alert(1)">a"b"#),
    }
    .render()
    .unwrap();
    assert_eq!(out, r#"<div title="a&#34;b">x</div>"#);
    let out = TrustedAttrUnquoted {
        h: Html::new("<b>a b</b>=c"),
    }
    .render()
    .unwrap();
    assert_eq!(out, "<div title=a&#32;b&#61;c>x</div>");
}

#[test]
fn trusted_html_is_escaped_in_title() {
    let out = TrustedTitle {
        h: Html::new(TRUSTED),
    }
    .render()
    .unwrap();
    // Go: `typed HTML in RCDATA`; existing character references are kept.
    assert_eq!(
        out,
        "<title>&iexcl;&lt;b class=&#34;foo&#34;&gt;Hello&lt;/b&gt;, \
         &lt;textarea&gt;O&#39;World&lt;/textarea&gt;!</title>"
    );
    let out = TrustedTitle {
        h: Html::new("</title><script>alert(1)</script>"),
    }
    .render()
    .unwrap();
    assert_eq!(
        out,
        "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>"
    );
}
