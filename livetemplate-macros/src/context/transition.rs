//! The context transition functions for text (Go `transition.go`): each takes
//! a context and text, and returns the context after the first token(s) of the
//! text and how many bytes they took. Where Go enters its error state, these
//! return `Err` with Go's message.

use super::attr::{attr_type, ContentType};
use super::css::{decode_css, ends_with_css_keyword};
use super::js::{self, next_js_ctx};
use super::{Attr, Context, Delim, Element, JsCtx, Name, State, UrlPart};

type Step = Result<(Context, usize), String>;

/// Dispatches on the state (Go `transitionFunc`).
pub(super) fn transition(c: Context, s: &[u8]) -> Step {
    match c.state {
        State::Text => Ok(t_text(c, s)),
        State::Tag => t_tag(c, s),
        State::AttrName => t_attr_name(c, s),
        State::AfterName => Ok(t_after_name(c, s)),
        State::BeforeValue => Ok(t_before_value(c, s)),
        State::HtmlCmt => Ok(t_html_cmt(c, s)),
        State::Rcdata => Ok(t_special_tag_end(c, s)),
        State::Attr => Ok((c, s.len())),
        State::Url | State::Srcset => Ok(t_url(c, s)),
        State::Js => t_js(c, s),
        State::JsDqStr | State::JsSqStr | State::JsRegexp => t_js_delimited(c, s),
        State::JsTmplLit => t_js_tmpl_lit(c, s),
        State::JsBlockCmt | State::CssBlockCmt => Ok(t_block_cmt(c, s)),
        State::JsLineCmt | State::JsHtmlOpenCmt | State::JsHtmlCloseCmt | State::CssLineCmt => {
            Ok(t_line_cmt(c, s))
        }
        State::Css => Ok(t_css(c, s)),
        State::CssDqStr | State::CssSqStr | State::CssDqUrl | State::CssSqUrl | State::CssUrl => {
            t_css_str(c, s)
        }
    }
}

/// First index of any byte of `set` in `s`.
fn index_any(s: &[u8], set: &[u8]) -> Option<usize> {
    s.iter().position(|b| set.contains(b))
}

/// First index of `needle` in `s`.
pub(super) fn index_of(s: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    s.windows(needle.len()).position(|w| w == needle)
}

/// `s` without the first `n` bytes (empty if shorter).
fn tail(s: &[u8], n: usize) -> &[u8] {
    s.get(n..).unwrap_or(&[])
}

/// Go `tText`.
fn t_text(c: Context, s: &[u8]) -> (Context, usize) {
    let mut k = 0;
    loop {
        let Some(rel) = tail(s, k).iter().position(|&b| b == b'<') else {
            return (c, s.len());
        };
        let mut i = k + rel;
        if i + 1 == s.len() {
            return (c, s.len());
        }
        if tail(s, i).starts_with(b"<!--") {
            return (Context::with_state(State::HtmlCmt), i + 4);
        }
        i += 1;
        let mut end = false;
        if s[i] == b'/' {
            if i + 1 == s.len() {
                return (c, s.len());
            }
            end = true;
            i += 1;
        }
        let (j, e) = eat_tag_name(s, i);
        if j != i {
            // An HTML tag.
            let shown = if end {
                let mut v = b"/".to_vec();
                v.extend_from_slice(&s[i..j]);
                Name::new(&v)
            } else {
                Name::new(&s[i..j])
            };
            return (
                Context {
                    state: State::Tag,
                    element: if end { Element::None } else { e },
                    tag_name: shown,
                    ..Context::default()
                },
                j,
            );
        }
        k = j;
    }
}

/// The state of the body of element `e` (Go `elementContentType`).
fn element_content_type(e: Element) -> State {
    match e {
        Element::None => State::Text,
        Element::Script => State::Js,
        Element::Style => State::Css,
        Element::Textarea | Element::Title => State::Rcdata,
    }
}

/// Go `tTag`.
fn t_tag(c: Context, s: &[u8]) -> Step {
    // Find the attribute name.
    let i = eat_white_space(s, 0);
    if i == s.len() {
        return Ok((c, s.len()));
    }
    if s[i] == b'>' {
        return Ok((
            Context {
                state: element_content_type(c.element),
                element: c.element,
                ..Context::default()
            },
            i + 1,
        ));
    }
    let j = eat_attr_name(s, i)?;
    if i == j {
        return Err(format!(
            "expected space, attr name, or end of tag, but got {:?}",
            String::from_utf8_lossy(&s[i..])
        ));
    }
    let raw = &s[i..j];
    let name = super::go_to_lower(&String::from_utf8_lossy(raw));
    let attr = if c.element == Element::Script && name == "type" {
        Attr::ScriptType
    } else {
        match attr_type(&name) {
            ContentType::Url => Attr::Url,
            ContentType::Css => Attr::Style,
            ContentType::Js => Attr::Script,
            ContentType::Srcset => Attr::Srcset,
            // Deviation from Go (which treats it as an ordinary attribute); see `escape_slot`.
            ContentType::Html => Attr::Html,
            ContentType::Plain | ContentType::Unsafe => Attr::None,
        }
    };
    let state = if j == s.len() {
        State::AttrName
    } else {
        State::AfterName
    };
    Ok((
        Context {
            state,
            element: c.element,
            attr,
            tag_name: c.tag_name,
            attr_name: Name::new(raw),
            ..Context::default()
        },
        j,
    ))
}

/// Go `tAttrName`.
fn t_attr_name(mut c: Context, s: &[u8]) -> Step {
    let i = eat_attr_name(s, 0)?;
    if i != s.len() {
        c.state = State::AfterName;
    }
    Ok((c, i))
}

/// Go `tAfterName`.
fn t_after_name(mut c: Context, s: &[u8]) -> (Context, usize) {
    // Look for the start of the value.
    let i = eat_white_space(s, 0);
    if i == s.len() {
        return (c, s.len());
    }
    if s[i] != b'=' {
        // The tag ends or a valueless attribute.
        c.state = State::Tag;
        return (c, i);
    }
    c.state = State::BeforeValue;
    // Consume the "=".
    (c, i + 1)
}

/// Go `tBeforeValue`.
fn t_before_value(mut c: Context, s: &[u8]) -> (Context, usize) {
    let mut i = eat_white_space(s, 0);
    if i == s.len() {
        return (c, s.len());
    }
    // Find the attribute delimiter.
    let delim = match s[i] {
        b'\'' => {
            i += 1;
            Delim::SingleQuote
        }
        b'"' => {
            i += 1;
            Delim::DoubleQuote
        }
        _ => Delim::SpaceOrTagEnd,
    };
    c.state = super::attr_start_state(c.attr);
    c.delim = delim;
    (c, i)
}

/// Go `tHTMLCmt`.
fn t_html_cmt(c: Context, s: &[u8]) -> (Context, usize) {
    match index_of(s, b"-->") {
        Some(i) => (Context::text(), i + 3),
        None => (c, s.len()),
    }
}

/// The name whose end tag closes the body of `e` (Go `specialTagEndMarkers`).
fn special_tag_end_marker(e: Element) -> &'static [u8] {
    match e {
        Element::None => b"",
        Element::Script => b"script",
        Element::Style => b"style",
        Element::Textarea => b"textarea",
        Element::Title => b"title",
    }
}

/// Go `tSpecialTagEnd`: the context transition for raw text and RCDATA
/// bodies, also used to find where such a body ends. Like Go 1.21.1+, a
/// `</script` inside a JS string, regexp or template literal does not end the
/// script (`escape_text` rewrites it to `\x3C/script`). Unlike that Go, one
/// inside a JS comment does (as in browsers): the comment text before it is
/// dropped from the output, so nothing of it reaches the browser.
pub(super) fn t_special_tag_end(c: Context, s: &[u8]) -> (Context, usize) {
    if c.element != Element::None {
        if c.element == Element::Script && c.state.is_in_script_literal() {
            return (c, s.len());
        }
        if let Some(i) = index_tag_end(s, special_tag_end_marker(c.element)) {
            return (Context::text(), i);
        }
    }
    (c, s.len())
}

/// Index of the first end tag `</tag` (any case) followed by a separator
/// (Go `indexTagEnd`).
pub(super) fn index_tag_end(s: &[u8], tag: &[u8]) -> Option<usize> {
    let mut res = 0;
    let mut s = s;
    while !s.is_empty() {
        let i = index_of(s, b"</")?;
        s = &s[i + 2..];
        if tag.len() <= s.len() && s[..tag.len()].eq_ignore_ascii_case(tag) {
            s = &s[tag.len()..];
            if let Some(&sep) = s.first() {
                if b"> \t\n\x0c/".contains(&sep) {
                    return Some(res + i);
                }
            }
            res += tag.len();
        }
        res += i + 2;
    }
    None
}

/// Go `tURL`.
fn t_url(mut c: Context, s: &[u8]) -> (Context, usize) {
    if s.iter().any(|&b| b == b'#' || b == b'?') {
        c.url_part = UrlPart::QueryOrFrag;
    } else if s.len() != eat_white_space(s, 0) && c.url_part == UrlPart::None {
        // HTML5 allows spaces around URL attribute values.
        c.url_part = UrlPart::PreQuery;
    }
    (c, s.len())
}

/// Go `tJS`, with the Go 1.21.1 HTML-like comments (`<!--`, `-->`) and `#!`,
/// and the Go 1.22 template literals (`` ` `` and the braces of `${…}`).
///
/// Deviations from Go: a `<`, `-` or `#` that starts no comment does not end
/// the run of tokens given to `next_js_ctx` (newer Go restarts the run after
/// it, so `x = a < /re/` took the `/` for a division), and `-->` is a comment
/// only where it can start a line (Go takes `a-->b` for one, golang/go#63183).
fn t_js(mut c: Context, s: &[u8]) -> Step {
    let mut k = 0;
    let mut found = None;
    while let Some(rel) = index_any(tail(s, k), b"\"`'/{}<-#") {
        let i = k + rel;
        let rest = &s[i..];
        let special = match s[i] {
            b'<' => rest.starts_with(b"<!--"),
            b'-' => rest.starts_with(b"-->") && js::may_start_line(&s[..i]),
            b'#' => rest.starts_with(b"#!"),
            _ => true,
        };
        if special {
            found = Some(i);
            break;
        }
        k = i + 1;
    }
    let Some(mut i) = found else {
        // No string, comment, regexp or brace tokens.
        c.js_ctx = next_js_ctx(s, c.js_ctx);
        return Ok((c, s.len()));
    };
    c.js_ctx = next_js_ctx(&s[..i], c.js_ctx);
    match s[i] {
        b'"' => {
            c.state = State::JsDqStr;
            c.js_ctx = JsCtx::Regexp;
        }
        b'\'' => {
            c.state = State::JsSqStr;
            c.js_ctx = JsCtx::Regexp;
        }
        b'`' => {
            c.state = State::JsTmplLit;
            c.js_ctx = JsCtx::Regexp;
        }
        b'/' => match s.get(i + 1) {
            Some(b'/') => {
                c.state = State::JsLineCmt;
                i += 1;
            }
            Some(b'*') => {
                c.state = State::JsBlockCmt;
                i += 1;
            }
            _ => match c.js_ctx {
                JsCtx::Regexp => c.state = State::JsRegexp,
                JsCtx::DivOp => c.js_ctx = JsCtx::Regexp,
                JsCtx::Unknown => {
                    return Err(format!(
                        "'/' could start a division or regexp: {}",
                        quote_prefix(&s[i..], 32)
                    ))
                }
            },
        },
        b'<' => {
            c.state = State::JsHtmlOpenCmt;
            i += 3;
        }
        b'-' => {
            c.state = State::JsHtmlCloseCmt;
            i += 2;
        }
        b'#' => {
            c.state = State::JsLineCmt;
            i += 1;
        }
        b'{' => {
            // An expression may start after a `{` (as in current Go; Go 1.22
            // at first kept the context from before the brace, so in
            // `if (x) {/re/` it took the `/` for a division).
            c.js_ctx = JsCtx::Regexp;
            if let Some(depth) = c.braces.top_mut() {
                *depth = depth
                    .checked_add(1)
                    .ok_or("too many nested braces inside a JS template literal")?;
            }
        }
        b'}' => match c.braces.top_mut() {
            None => c.js_ctx = JsCtx::Regexp,
            Some(depth) if *depth > 0 => {
                *depth -= 1;
                c.js_ctx = JsCtx::Regexp;
            }
            Some(_) => {
                // The `}` of a `${…}`: back in the template literal.
                c.braces.pop();
                c.state = State::JsTmplLit;
            }
        },
        _ => return Err(super::internal("unexpected JS token")),
    }
    Ok((c, i + 1))
}

/// Go 1.22 `tJSTmpl`: inside a JS template literal.
fn t_js_tmpl_lit(mut c: Context, s: &[u8]) -> Step {
    let mut k = 0;
    while let Some(rel) = index_any(tail(s, k), b"`\\$") {
        let mut i = k + rel;
        match s[i] {
            b'\\' => {
                i += 1;
                if i == s.len() {
                    return Err(format!(
                        "unfinished escape sequence in JS string: {:?}",
                        String::from_utf8_lossy(s)
                    ));
                }
            }
            b'$' => {
                if s.get(i + 1) == Some(&b'{') {
                    c.braces.push()?;
                    c.state = State::Js;
                    // An expression starts.
                    c.js_ctx = JsCtx::Regexp;
                    return Ok((c, i + 2));
                }
            }
            _ => {
                // The closing backtick: a complete value.
                c.state = State::Js;
                c.js_ctx = JsCtx::DivOp;
                return Ok((c, i + 1));
            }
        }
        k = i + 1;
    }
    Ok((c, s.len()))
}

/// Go `tJSDelimited`: JS strings and regexps.
fn t_js_delimited(mut c: Context, s: &[u8]) -> Step {
    let specials: &[u8] = match c.state {
        State::JsSqStr => b"\\'",
        State::JsRegexp => b"\\/[]",
        _ => b"\\\"",
    };
    let mut k = 0;
    let mut in_charset = false;
    while let Some(rel) = index_any(tail(s, k), specials) {
        let mut i = k + rel;
        match s[i] {
            b'\\' => {
                i += 1;
                if i == s.len() {
                    return Err(format!(
                        "unfinished escape sequence in JS string: {:?}",
                        String::from_utf8_lossy(s)
                    ));
                }
            }
            b'[' => in_charset = true,
            b']' => in_charset = false,
            b'/' => {
                // The `/` of a `</script` does not close a regexp: it is
                // rewritten to `\x3C/script` (Go 1.21.1).
                if i > 0 && i + 7 <= s.len() && s[i - 1..i + 7].eq_ignore_ascii_case(b"</script") {
                    i += 1;
                } else if !in_charset {
                    c.state = State::Js;
                    c.js_ctx = JsCtx::DivOp;
                    return Ok((c, i + 1));
                }
            }
            _ => {
                // The closing quote.
                if !in_charset {
                    c.state = State::Js;
                    c.js_ctx = JsCtx::DivOp;
                    return Ok((c, i + 1));
                }
            }
        }
        k = i + 1;
    }
    if in_charset {
        return Err(format!(
            "unfinished JS regexp charset: {:?}",
            String::from_utf8_lossy(s)
        ));
    }
    Ok((c, s.len()))
}

/// Go `tBlockCmt`.
fn t_block_cmt(mut c: Context, s: &[u8]) -> (Context, usize) {
    let Some(i) = index_of(s, b"*/") else {
        return (c, s.len());
    };
    c.state = if c.state == State::CssBlockCmt {
        State::Css
    } else {
        State::Js
    };
    (c, i + 2)
}

/// Go `tLineCmt`: `//` comments in JS and CSS, and the JS HTML-like comments.
fn t_line_cmt(mut c: Context, s: &[u8]) -> (Context, usize) {
    let (end, end_state) = if c.state == State::CssLineCmt {
        (
            s.iter().position(|&b| matches!(b, b'\n' | b'\x0c' | b'\r')),
            State::Css,
        )
    } else {
        (js::index_line_terminator(s), State::Js)
    };
    match end {
        None => (c, s.len()),
        Some(i) => {
            // The line terminator is not part of the comment.
            c.state = end_state;
            (c, i)
        }
    }
}

/// Go `tCSS`.
fn t_css(mut c: Context, s: &[u8]) -> (Context, usize) {
    let mut k = 0;
    while let Some(rel) = index_any(tail(s, k), b"(\"'/") {
        let i = k + rel;
        match s[i] {
            b'(' => {
                // Look for `url` to the left.
                let p = trim_right_css_space(&s[..i]);
                if ends_with_css_keyword(p, b"url") {
                    let rest = &s[i + 1..];
                    let lead = rest.iter().take_while(|b| is_css_space(**b)).count();
                    let mut j = i + 1 + lead;
                    match s.get(j) {
                        Some(b'"') => {
                            c.state = State::CssDqUrl;
                            j += 1;
                        }
                        Some(b'\'') => {
                            c.state = State::CssSqUrl;
                            j += 1;
                        }
                        _ => c.state = State::CssUrl,
                    }
                    return (c, j);
                }
            }
            b'/' => match s.get(i + 1) {
                Some(b'/') => {
                    c.state = State::CssLineCmt;
                    return (c, i + 2);
                }
                Some(b'*') => {
                    c.state = State::CssBlockCmt;
                    return (c, i + 2);
                }
                _ => {}
            },
            b'"' => {
                c.state = State::CssDqStr;
                return (c, i + 1);
            }
            _ => {
                c.state = State::CssSqStr;
                return (c, i + 1);
            }
        }
        k = i + 1;
    }
    (c, s.len())
}

fn is_css_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn trim_right_css_space(s: &[u8]) -> &[u8] {
    let n = s.iter().rev().take_while(|b| is_css_space(**b)).count();
    &s[..s.len() - n]
}

/// Go `tCSSStr`: CSS strings and `url(…)`.
fn t_css_str(mut c: Context, s: &[u8]) -> Step {
    let end_and_esc: &[u8] = match c.state {
        State::CssDqStr | State::CssDqUrl => b"\\\"",
        State::CssSqStr | State::CssSqUrl => b"\\'",
        // Unquoted URLs end with white space or `)`.
        _ => b"\\\t\n\x0c\r )",
    };
    let mut k = 0;
    loop {
        let Some(rel) = index_any(tail(s, k), end_and_esc) else {
            let decoded = decode_css(tail(s, k));
            let (c1, nread) = t_url(c, &decoded);
            return Ok((c1, k + nread));
        };
        let mut i = k + rel;
        if s[i] == b'\\' {
            i += 1;
            if i == s.len() {
                return Err(format!(
                    "unfinished escape sequence in CSS string: {:?}",
                    String::from_utf8_lossy(s)
                ));
            }
        } else {
            c.state = State::Css;
            return Ok((c, i + 1));
        }
        c = t_url(c, &decode_css(&s[..i + 1])).0;
        k = i + 1;
    }
}

/// Go `eatAttrName`: the end of the attribute name starting at `i`, or an
/// error for characters that mean the HTML is broken.
fn eat_attr_name(s: &[u8], i: usize) -> Result<usize, String> {
    for (j, &b) in s.iter().enumerate().skip(i) {
        match b {
            b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' | b'=' | b'>' => return Ok(j),
            b'\'' | b'"' | b'<' => {
                return Err(format!(
                    "{:?} in attribute name: {}",
                    String::from(char::from(b)),
                    quote_prefix(s, 32)
                ))
            }
            _ => {}
        }
    }
    Ok(s.len())
}

/// Go `eatTagName`: the end of the tag name starting at `i`, and its element.
fn eat_tag_name(s: &[u8], i: usize) -> (usize, Element) {
    if i >= s.len() || !s[i].is_ascii_alphabetic() {
        return (i, Element::None);
    }
    let mut j = i + 1;
    while j < s.len() {
        let x = s[j];
        if x.is_ascii_alphanumeric() {
            j += 1;
            continue;
        }
        // Allow "x-y" or "x:y" but not "x-", "-y", or "x--y".
        if (x == b':' || x == b'-') && j + 1 < s.len() && s[j + 1].is_ascii_alphanumeric() {
            j += 2;
            continue;
        }
        break;
    }
    let name = &s[i..j];
    let e = if name.eq_ignore_ascii_case(b"script") {
        Element::Script
    } else if name.eq_ignore_ascii_case(b"style") {
        Element::Style
    } else if name.eq_ignore_ascii_case(b"textarea") {
        Element::Textarea
    } else if name.eq_ignore_ascii_case(b"title") {
        Element::Title
    } else {
        Element::None
    };
    (j, e)
}

/// Go `eatWhiteSpace`: the end of the HTML white space starting at `i`.
fn eat_white_space(s: &[u8], i: usize) -> usize {
    match tail(s, i)
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r'))
    {
        Some(n) => i + n,
        None => s.len().max(i),
    }
}

/// Go's `%.Nq`: the first `n` characters of `s`, quoted.
fn quote_prefix(s: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(s);
    let prefix: String = text.chars().take(n).collect();
    format!("{prefix:?}")
}
