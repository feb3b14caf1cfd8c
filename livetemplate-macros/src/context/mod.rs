//! HTML escaping contexts, decided at build time: a port of the state machine
//! of Go's `html/template` (`context.go`, `transition.go`, `escape.go`,
//! `attr.go`, `js.go`, `css.go`).
//!
//! The macro walks a template from [`Context::text`]: static text goes
//! through [`escape_text_attrs`] (which also rewrites it the way Go does:
//! comments stripped, stray `<` escaped; and reports the attribute values
//! written whole in it, [`StaticAttr`]), every `{{value}}` through [`escape_slot`]
//! (which names the escapers the value needs), the ends of `if`/`with`/`range`
//! branches through [`join`], and the end of the page through [`check_end`].
//!
//! The port follows Go 1.19, with the later Go behaviour where Go has since
//! fixed security issues: JS template literals (`` `…${…}…` ``, Go 1.22),
//! HTML-like comments and `#!` in scripts and `</script`, `<script`, `<!--`
//! inside script string literals (Go 1.21.1), all JS white space in
//! `nextJSCtx` (Go 1.20.4), and a `{`/`}` that is followed by a regular
//! expression. The few deliberate differences from Go are marked
//! "Deviation from Go" in the code.

use std::fmt;
use std::hash::{Hash, Hasher};

mod attr;
mod css;
mod entity;
mod entity_table;
mod js;
mod transition;

#[cfg(test)]
mod tests;

use transition::transition;

/// One runtime escaping step (defined once, in `livetemplate-shared`).
pub use livetemplate_shared::Escaper;

/// A high-level HTML parser state (Go `state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
enum State {
    /// Parsed character data, outside any tag, comment or special element.
    #[default]
    Text,
    /// Before an attribute or the end of a tag.
    Tag,
    /// Inside an attribute name.
    AttrName,
    /// After an attribute name, before any `=`.
    AfterName,
    /// After the `=`, before the value.
    BeforeValue,
    /// Inside an `<!-- HTML comment -->`.
    HtmlCmt,
    /// Inside an RCDATA element (`<textarea>`, `<title>`).
    Rcdata,
    /// Inside an attribute whose content is text.
    Attr,
    /// Inside an attribute whose content is a URL.
    Url,
    /// Inside a `srcset` attribute.
    Srcset,
    /// Inside `<script>` or an event handler attribute.
    Js,
    /// Inside a JS double-quoted string.
    JsDqStr,
    /// Inside a JS single-quoted string.
    JsSqStr,
    /// Inside a JS regular expression literal.
    JsRegexp,
    /// Inside a JS template literal (between backticks, outside `${…}`).
    JsTmplLit,
    /// Inside a JS `/* block comment */`.
    JsBlockCmt,
    /// Inside a JS `// line comment` (or a `#!` line).
    JsLineCmt,
    /// Inside a JS `<!--` line comment.
    JsHtmlOpenCmt,
    /// Inside a JS `-->` line comment.
    JsHtmlCloseCmt,
    /// Inside `<style>` or a `style` attribute.
    Css,
    /// Inside a CSS double-quoted string.
    CssDqStr,
    /// Inside a CSS single-quoted string.
    CssSqStr,
    /// Inside a CSS `url("…")`.
    CssDqUrl,
    /// Inside a CSS `url('…')`.
    CssSqUrl,
    /// Inside a CSS unquoted `url(…)`.
    CssUrl,
    /// Inside a CSS `/* block comment */`.
    CssBlockCmt,
    /// Inside a CSS `// line comment`.
    CssLineCmt,
}

impl State {
    /// Content meant for template authors, not for browsers (Go `isComment`).
    fn is_comment(self) -> bool {
        matches!(
            self,
            State::HtmlCmt
                | State::JsBlockCmt
                | State::JsLineCmt
                | State::JsHtmlOpenCmt
                | State::JsHtmlCloseCmt
                | State::CssBlockCmt
                | State::CssLineCmt
        )
    }

    /// JS literal states in which `</script`, `<script` and `<!--` must be
    /// escaped (Go `isInScriptLiteral`).
    fn is_in_script_literal(self) -> bool {
        matches!(
            self,
            State::JsDqStr | State::JsSqStr | State::JsTmplLit | State::JsRegexp
        )
    }
}

/// The delimiter that ends the current attribute value (Go `delim`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
enum Delim {
    /// Outside any attribute value.
    #[default]
    None,
    /// `"`.
    DoubleQuote,
    /// `'`.
    SingleQuote,
    /// A space or `>` (unquoted value).
    SpaceOrTagEnd,
}

/// Which part of a URL the context is in (Go `urlPart`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
enum UrlPart {
    /// Not in a URL, or at its very start.
    #[default]
    None,
    /// In the scheme, authority or path.
    PreQuery,
    /// In the query or fragment.
    QueryOrFrag,
    /// Branches joined before and after the query separator.
    Unknown,
}

/// Whether a `/` would start a regular expression or a division (Go `jsCtx`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
enum JsCtx {
    /// A `/` starts a regular expression literal.
    #[default]
    Regexp,
    /// A `/` is a division operator.
    DivOp,
    /// Branches joined with different answers.
    Unknown,
}

/// The kind of the current attribute (Go `attr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
enum Attr {
    /// An ordinary attribute, or no attribute.
    #[default]
    None,
    /// An event handler (`on*`).
    Script,
    /// The `type` attribute of `<script>`.
    ScriptType,
    /// `style`.
    Style,
    /// A URL attribute (`href`, `src`, …).
    Url,
    /// `srcset`.
    Srcset,
    /// An attribute whose value is an HTML document (`srcdoc`). Not in Go
    /// (which treats it as an ordinary attribute); see [`escape_slot`].
    Html,
}

/// The special element whose tag or body the context is in (Go `element`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
enum Element {
    /// No special element.
    #[default]
    None,
    /// `<script>` with a JS type (or none).
    Script,
    /// `<style>`.
    Style,
    /// `<textarea>`.
    Textarea,
    /// `<title>`.
    Title,
}

impl Element {
    fn name(self) -> &'static str {
        match self {
            Element::None => "",
            Element::Script => "script",
            Element::Style => "style",
            Element::Textarea => "textarea",
            Element::Title => "title",
        }
    }
}

/// Deepest nesting of `${…}` inside JS template literals that is tracked.
const MAX_TMPL_NESTING: usize = 8;

/// For each `${` of a JS template literal that is open, the number of `{`
/// opened inside it and not yet closed (Go 1.22 `jsBraceDepth`), kept inline
/// so that [`Context`] stays `Copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
struct Braces {
    len: u8,
    depth: [u16; MAX_TMPL_NESTING],
}

impl Braces {
    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn as_slice(&self) -> &[u16] {
        &self.depth[..usize::from(self.len).min(MAX_TMPL_NESTING)]
    }

    /// Enters a `${`.
    fn push(&mut self) -> Result<(), String> {
        let n = usize::from(self.len);
        if n >= MAX_TMPL_NESTING {
            return Err(format!(
                "JS template literals nested more than {MAX_TMPL_NESTING} deep (`${{` inside `${{`) are not supported"
            ));
        }
        self.depth[n] = 0;
        self.len += 1;
        Ok(())
    }

    /// Leaves the innermost `${…}`.
    fn pop(&mut self) {
        if self.len > 0 {
            self.len -= 1;
            self.depth[usize::from(self.len)] = 0;
        }
    }

    fn top_mut(&mut self) -> Option<&mut u16> {
        let n = usize::from(self.len);
        if n == 0 || n > MAX_TMPL_NESTING {
            return None;
        }
        self.depth.get_mut(n - 1)
    }
}

/// Bytes of a tag or attribute name kept for error messages.
const NAME_CAP: usize = 30;

/// A lower-cased tag or attribute name for [`Context::describe`]. Not part of
/// the context's identity: contexts that differ only in names are equal.
#[derive(Clone, Copy, Default)]
struct Name {
    len: u8,
    truncated: bool,
    buf: [u8; NAME_CAP],
}

impl Name {
    fn new(raw: &[u8]) -> Name {
        let lower = go_to_lower(&String::from_utf8_lossy(raw));
        let mut name = Name::default();
        for ch in lower.chars() {
            let mut tmp = [0u8; 4];
            let enc = ch.encode_utf8(&mut tmp).as_bytes();
            let at = usize::from(name.len);
            if at + enc.len() > NAME_CAP {
                name.truncated = true;
                break;
            }
            name.buf[at..at + enc.len()].copy_from_slice(enc);
            name.len += enc.len() as u8;
        }
        name
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn text(&self) -> String {
        let s = String::from_utf8_lossy(&self.buf[..usize::from(self.len).min(NAME_CAP)]);
        if self.truncated {
            format!("{s}…")
        } else {
            s.into_owned()
        }
    }
}

/// Lower-cases like Go's `strings.ToLower` (simple case mapping, one code
/// point per code point).
fn go_to_lower(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\u{130}' {
                'i'
            } else {
                c.to_lowercase().next().unwrap_or(c)
            }
        })
        .collect()
}

/// Where in an HTML document the template is at some point (Go's `context`):
/// the parser state, the attribute delimiter, the URL part, whether a `/`
/// would start a JS regular expression, the kind of attribute and of special
/// element, and the open `${` of JS template literals.
///
/// Two contexts are equal when Go would consider them equal (plus the
/// template-literal nesting); the tag and attribute names kept for
/// [`Context::describe`] do not take part in equality or hashing.
#[derive(Clone, Copy, Default)]
pub struct Context {
    state: State,
    delim: Delim,
    url_part: UrlPart,
    js_ctx: JsCtx,
    attr: Attr,
    element: Element,
    braces: Braces,
    tag_name: Name,
    attr_name: Name,
}

impl PartialEq for Context {
    fn eq(&self, other: &Context) -> bool {
        self.state == other.state
            && self.delim == other.delim
            && self.url_part == other.url_part
            && self.js_ctx == other.js_ctx
            && self.attr == other.attr
            && self.element == other.element
            && self.braces == other.braces
    }
}

impl Eq for Context {}

impl Hash for Context {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.state.hash(h);
        self.delim.hash(h);
        self.url_part.hash(h);
        self.js_ctx.hash(h);
        self.attr.hash(h);
        self.element.hash(h);
        self.braces.hash(h);
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Context");
        d.field("state", &self.state)
            .field("delim", &self.delim)
            .field("url_part", &self.url_part)
            .field("js_ctx", &self.js_ctx)
            .field("attr", &self.attr)
            .field("element", &self.element);
        if !self.braces.is_empty() {
            d.field("js_brace_depth", &self.braces.as_slice());
        }
        if !self.tag_name.is_empty() {
            d.field("tag", &self.tag_name.text());
        }
        if !self.attr_name.is_empty() {
            d.field("attr_name", &self.attr_name.text());
        }
        d.finish()
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Context {
    /// Start of an HTML document (Go's zero context: state Text).
    pub fn text() -> Self {
        Context::default()
    }

    /// True when this is ordinary HTML text content between tags (state
    /// Text) — where a `<!-- comment -->` marker could be placed.
    pub fn is_html_text(&self) -> bool {
        self.state == State::Text
    }

    /// True inside a tag: between attributes or inside an attribute value
    /// (quoted or not). A change here is an attribute change.
    pub fn in_tag(&self) -> bool {
        self.delim != Delim::None
            || matches!(
                self.state,
                State::Tag | State::AttrName | State::AfterName | State::BeforeValue
            )
    }

    /// Short human description for error messages, e.g. "inside the `href`
    /// attribute of <a>", "inside <script>", "inside a tag".
    pub fn describe(&self) -> String {
        let tag = if !self.tag_name.is_empty() {
            format!("<{}>", self.tag_name.text())
        } else if self.element != Element::None {
            format!("<{}>", self.element.name())
        } else {
            String::new()
        };
        let of_tag = if tag.is_empty() {
            String::new()
        } else {
            format!(" of {tag}")
        };
        let attribute = if self.attr_name.is_empty() {
            "an attribute".to_string()
        } else {
            format!("the `{}` attribute", self.attr_name.text())
        };
        // Where script or style code lives: an attribute value or an element body.
        let code_place = if self.delim != Delim::None {
            format!("{attribute}{of_tag}")
        } else if self.element != Element::None {
            format!("<{}>", self.element.name())
        } else {
            "a script".to_string()
        };
        match self.state {
            State::Text => "in HTML text".to_string(),
            State::Tag => {
                if tag.is_empty() {
                    "inside a tag".to_string()
                } else {
                    format!("inside the tag {tag}")
                }
            }
            State::AttrName => format!("inside the name of {attribute}{of_tag}"),
            State::AfterName => format!("after the name of {attribute}{of_tag}"),
            State::BeforeValue => format!("before the value of {attribute}{of_tag}"),
            State::HtmlCmt => "inside an HTML comment".to_string(),
            State::Rcdata => match self.element {
                Element::None => "inside a text-only element".to_string(),
                e => format!("inside <{}>", e.name()),
            },
            State::Attr | State::Url | State::Srcset => format!("inside {attribute}{of_tag}"),
            State::Js | State::Css => {
                if self.delim != Delim::None {
                    format!("inside {attribute}{of_tag}")
                } else {
                    format!("inside {code_place}")
                }
            }
            State::JsDqStr | State::JsSqStr => {
                format!("inside a JavaScript string in {code_place}")
            }
            State::JsRegexp => format!("inside a JavaScript regular expression in {code_place}"),
            State::JsTmplLit => format!("inside a JavaScript template literal in {code_place}"),
            State::JsBlockCmt | State::JsLineCmt | State::JsHtmlOpenCmt | State::JsHtmlCloseCmt => {
                format!("inside a JavaScript comment in {code_place}")
            }
            State::CssDqStr | State::CssSqStr => format!("inside a CSS string in {code_place}"),
            State::CssDqUrl | State::CssSqUrl | State::CssUrl => {
                format!("inside a CSS url(…) in {code_place}")
            }
            State::CssBlockCmt | State::CssLineCmt => {
                format!("inside a CSS comment in {code_place}")
            }
        }
    }

    /// Go-like rendering of the fields, to tell apart contexts that
    /// [`describe`](Context::describe) the same way.
    fn detail(&self) -> String {
        let mut s = format!(
            "{{{:?} {:?} {:?} {:?} {:?} {:?}",
            self.state, self.delim, self.url_part, self.js_ctx, self.attr, self.element
        );
        if !self.braces.is_empty() {
            s.push_str(&format!(" braces={:?}", self.braces.as_slice()));
        }
        s.push('}');
        s
    }

    /// Go's zero context with only the state set.
    fn with_state(state: State) -> Context {
        Context {
            state,
            ..Context::default()
        }
    }
}

/// Go's `nudge`: the context after the empty-string transitions that happen
/// before a value is printed (`<a href=` → unquoted URL value, `<a ` → a new
/// attribute name).
fn nudge(mut c: Context) -> Context {
    match c.state {
        State::Tag => c.state = State::AttrName,
        State::BeforeValue => {
            c.state = attr_start_state(c.attr);
            c.delim = Delim::SpaceOrTagEnd;
            c.attr = Attr::None;
        }
        State::AfterName => {
            c.state = State::AttrName;
            c.attr = Attr::None;
        }
        _ => {}
    }
    c
}

/// The state at the start of a value of an attribute of kind `a` (Go `attrStartStates`).
fn attr_start_state(a: Attr) -> State {
    match a {
        Attr::None | Attr::ScriptType | Attr::Html => State::Attr,
        Attr::Script => State::Js,
        Attr::Style => State::Css,
        Attr::Url => State::Url,
        Attr::Srcset => State::Srcset,
    }
}

/// [`escape_text_attrs`] without the attribute values (for the tests).
#[cfg(test)]
pub fn escape_text(c: Context, text: &str) -> Result<(String, Context), String> {
    escape_text_attrs(c, text, &mut Vec::new())
}

/// An attribute value written whole in one run of static text: it starts
/// and ends in the text, so no `{{…}}` is inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticAttr {
    /// The attribute name, lower-cased (HTML compares names that way).
    pub name: String,
    /// The value as a browser reads it (character references decoded).
    pub value: String,
    /// Byte offset in the text of the value as written (after the quote,
    /// if any).
    pub start: usize,
    /// Byte offset in the text where the value ends (its closing quote,
    /// or the space or `>` after an unquoted value).
    pub end: usize,
}

/// Run static template text through the HTML state machine starting at `c`.
///
/// Returns the text as it must be emitted — Go's `escapeText` rewrites: HTML
/// comments, and JS/CSS comments outside attributes, are removed (a JS block
/// comment becomes " " or "\n", a CSS block comment " "); a `<` in text or
/// RCDATA that does not start a tag becomes `&lt;`; `<!--`, `<script` and
/// `</script` inside JS string, regexp and template literals become
/// `\x3C!--`, `\x3Cscript`, `\x3C/script` — and the context after it.
///
/// Appends to `attrs` every attribute value that starts and ends in `text`.
/// Values that start before the text or run past its end hold a `{{…}}`
/// (or a control structure) and are left out, as are the values of
/// attributes whose names are longer than 30 bytes.
///
/// Errors (a message) for text Go rejects: a quote or `<` in an attribute
/// name, a quote, `<`, `=` or backtick in an unquoted attribute value, an
/// ambiguous `/` in JS, an unfinished escape sequence or regexp charset, …
pub fn escape_text_attrs(
    c: Context,
    text: &str,
    attrs: &mut Vec<StaticAttr>,
) -> Result<(String, Context), String> {
    let s = text.as_bytes();
    let mut c = c;
    // The attribute whose value started in this text, and where.
    let mut open: Option<(Name, usize)> = None;
    let mut out: Vec<u8> = Vec::new();
    let mut written = 0usize;
    let mut i = 0usize;
    let mut stalled = 0u32;
    while i < s.len() {
        let (c1, nread) = context_after_text(c, &s[i..])?;
        let i1 = i + nread;
        if i1 > s.len() {
            return Err(internal("read past the end of the text"));
        }
        if matches!(c.state, State::Text | State::Rcdata) {
            let mut end = i1;
            if c1.state != c.state {
                if let Some(j) = s[i..end].iter().rposition(|&b| b == b'<') {
                    end = i + j;
                }
            }
            for j in i..end {
                if s[j] == b'<' && !starts_with_ignore_ascii_case(&s[j..], b"<!DOCTYPE") {
                    out.extend_from_slice(range(s, written, j)?);
                    out.extend_from_slice(b"&lt;");
                    written = j + 1;
                }
            }
        } else if c.state.is_comment() && c.delim == Delim::None {
            match c.state {
                State::JsBlockCmt => {
                    // A block comment with a line terminator is a line terminator.
                    if js::contains_line_terminator(range(s, written, i1)?) {
                        out.push(b'\n');
                    } else {
                        out.push(b' ');
                    }
                }
                State::CssBlockCmt => out.push(b' '),
                _ => {}
            }
            written = i1;
        }
        if c.state != c1.state && c1.state.is_comment() && c1.delim == Delim::None {
            // Keep what precedes the comment start.
            let opener = match c1.state {
                State::HtmlCmt | State::JsHtmlOpenCmt => 4,
                State::JsHtmlCloseCmt => 3,
                _ => 2,
            };
            let cs = i1
                .checked_sub(opener)
                .ok_or_else(|| internal("comment start before the text"))?;
            out.extend_from_slice(range(s, written, cs)?);
            written = i1;
        }
        if c.state.is_in_script_literal() {
            let chunk = range(s, i, i1)?;
            if js::contains_special_script_tag(chunk) {
                out.extend_from_slice(range(s, written, i)?);
                js::escape_special_script_tags(chunk, &mut out);
                written = i1;
            }
        }
        if c.delim == Delim::None && c1.delim != Delim::None {
            open = Some((c1.attr_name, i1));
        } else if c.delim != Delim::None && c1.delim == Delim::None {
            if let Some((name, start)) = open.take() {
                // A quoted value's step also consumes the closing quote.
                let end = if c.delim == Delim::SpaceOrTagEnd {
                    i1
                } else {
                    i1 - 1
                };
                if !name.truncated && start <= end {
                    attrs.push(StaticAttr {
                        name: name.text(),
                        value: String::from_utf8_lossy(&entity::unescape(range(s, start, end)?))
                            .into_owned(),
                        start,
                        end,
                    });
                }
            }
        }
        if i1 == i {
            // Only state changes may consume nothing, and never for long.
            stalled += 1;
            if c1 == c || stalled > 8 {
                return Err(internal("no progress"));
            }
        } else {
            stalled = 0;
        }
        c = c1;
        i = i1;
    }
    let output = if written == 0 {
        text.to_string()
    } else {
        if !c.state.is_comment() || c.delim != Delim::None {
            out.extend_from_slice(range(s, written, s.len())?);
        }
        String::from_utf8(out).map_err(|_| internal("rewritten text is not UTF-8"))?
    };
    Ok((output, c))
}

/// `s[a..b]`, or an internal error instead of a panic.
fn range(s: &[u8], a: usize, b: usize) -> Result<&[u8], String> {
    s.get(a..b).ok_or_else(|| internal("bad text range"))
}

fn internal(what: &str) -> String {
    format!("internal error in the HTML context analysis ({what}); please report this template")
}

fn starts_with_ignore_ascii_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The characters that end an attribute value with delimiter `d` (Go `delimEnds`).
fn delim_ends(d: Delim) -> &'static [u8] {
    match d {
        Delim::DoubleQuote => b"\"",
        Delim::SingleQuote => b"'",
        Delim::SpaceOrTagEnd => b" \t\n\x0c\r>",
        Delim::None => b"",
    }
}

/// Go's `contextAfterText`: consumes some tokens from the front of `s` and
/// returns the context after them and how many bytes they took.
fn context_after_text(c: Context, s: &[u8]) -> Result<(Context, usize), String> {
    if c.delim == Delim::None {
        let (c1, i) = transition::t_special_tag_end(c, s);
        if i == 0 {
            // A special end tag (`</script>`) follows; all before it is consumed.
            return Ok((c1, 0));
        }
        // Consider all content up to any end tag.
        return transition(c, &s[..i]);
    }

    // Inside an attribute value.
    let ends = delim_ends(c.delim);
    let i = s.iter().position(|b| ends.contains(b)).unwrap_or(s.len());
    if c.delim == Delim::SpaceOrTagEnd {
        // HTML parsers disagree on these in unquoted values.
        if let Some(j) = s[..i].iter().position(|b| b"\"'<=`".contains(b)) {
            return Err(format!(
                "{:?} in unquoted attribute value: {:?}",
                String::from(char::from(s[j])),
                String::from_utf8_lossy(&s[..i])
            ));
        }
    }
    if i == s.len() {
        // Still inside the attribute: decode entities so that JS, CSS and URL
        // rules see `&quot;` as `"`.
        let decoded = entity::unescape(s);
        let mut u: &[u8] = &decoded;
        let mut c = c;
        let mut stalled = 0u32;
        while !u.is_empty() {
            let (c1, n) = transition(c, u)?;
            if n == 0 {
                stalled += 1;
                if c1 == c || stalled > 8 {
                    return Err(internal("no progress in an attribute value"));
                }
            } else {
                stalled = 0;
            }
            c = c1;
            u = u
                .get(n..)
                .ok_or_else(|| internal("read past an attribute value"))?;
        }
        return Ok((c, s.len()));
    }

    let mut element = c.element;
    // A non-JS `type` of `<script>`: the body is not script. Deviation from Go:
    // the value is entity-decoded first, as browsers do (Go looks at the raw
    // text, so `type="text&#47;javascript"` would be taken for a data block).
    if c.state == State::Attr
        && c.element == Element::Script
        && c.attr == Attr::ScriptType
        && !js::is_js_type(&entity::unescape(&s[..i]))
    {
        element = Element::None;
    }
    let consumed = if c.delim == Delim::SpaceOrTagEnd {
        i
    } else {
        i + 1
    };
    // Leaving the attribute keeps only the state and the element.
    Ok((
        Context {
            state: State::Tag,
            element,
            tag_name: c.tag_name,
            ..Context::default()
        },
        consumed,
    ))
}

/// What a `{{…}}` value in context `c` needs: the escaper chain in Go's order
/// (e.g. `[UrlFilter, UrlNormalizer, Attr]` at the start of a quoted `href`)
/// and the context after the value.
///
/// The chain is the list Go's `escapeAction` builds; Go then drops an `Attr`
/// that follows `JsStr`, `JsTmplLit`, `JsRegexp`, `CssEscaper` or `Comment`
/// (their output is already attribute-safe), so applying it changes nothing.
///
/// Errors where no value can be made safe: in a tag (`<a {{.x}}>`) or
/// attribute name (`<a x{{.y}}=1>`), an ambiguous URL part (branches joined
/// before and after a `?`), and — a deviation from Go, which attribute-escapes
/// it — a `srcdoc` attribute, whose value is an HTML document.
pub fn escape_slot(c: Context) -> Result<(Vec<Escaper>, Context), String> {
    if c.attr == Attr::Html && matches!(c.state, State::BeforeValue | State::Attr) {
        return Err(format!(
            "a template value cannot appear {}: its value is an HTML document, which no escaping makes safe",
            c.describe()
        ));
    }
    let original = c;
    let mut c = nudge(c);
    let mut s = Vec::with_capacity(3);
    match c.state {
        State::Url
        | State::CssDqStr
        | State::CssSqStr
        | State::CssDqUrl
        | State::CssSqUrl
        | State::CssUrl => {
            let css_string = matches!(c.state, State::CssDqStr | State::CssSqStr);
            match c.url_part {
                UrlPart::None | UrlPart::PreQuery => {
                    if c.url_part == UrlPart::None {
                        s.push(Escaper::UrlFilter);
                    }
                    s.push(if css_string {
                        Escaper::CssEscaper
                    } else {
                        Escaper::UrlNormalizer
                    });
                }
                UrlPart::QueryOrFrag => s.push(Escaper::UrlEscaper),
                UrlPart::Unknown => {
                    return Err(format!(
                        "a template value appears in an ambiguous context within a URL ({}): \
                         branches before it end on different sides of a `?` or `#`",
                        original.describe()
                    ))
                }
            }
        }
        State::Js => {
            s.push(Escaper::JsVal);
            // A slash after a value is a division.
            c.js_ctx = JsCtx::DivOp;
        }
        State::JsDqStr | State::JsSqStr => s.push(Escaper::JsStr),
        State::JsTmplLit => s.push(Escaper::JsTmplLit),
        State::JsRegexp => s.push(Escaper::JsRegexp),
        State::Css => s.push(Escaper::CssValueFilter),
        State::Text => s.push(Escaper::Html),
        State::Rcdata => s.push(Escaper::Rcdata),
        State::Attr => {
            // Deviation from Go: once a value is part of the `type` of a
            // `<script>`, the type is unknown at build time, so the body is
            // taken for script (JS escaping is safe either way) instead of
            // judging the type by its static text alone.
            if c.attr == Attr::ScriptType {
                c.attr = Attr::None;
            }
        }
        State::Srcset => s.push(Escaper::Srcset),
        State::Tag | State::AttrName | State::AfterName | State::BeforeValue => {
            // Go emits `htmlNameFilter` here; a value can never be a name.
            return Err(match original.state {
                State::AttrName => format!(
                    "a template value cannot be an attribute name ({}); write the name in the template",
                    original.describe()
                ),
                _ => format!(
                    "a template value cannot appear inside a tag ({}); only inside an attribute value",
                    original.describe()
                ),
            });
        }
        State::HtmlCmt
        | State::JsBlockCmt
        | State::JsLineCmt
        | State::JsHtmlOpenCmt
        | State::JsHtmlCloseCmt
        | State::CssBlockCmt
        | State::CssLineCmt => s.push(Escaper::Comment),
    }
    match c.delim {
        Delim::None => {}
        Delim::SpaceOrTagEnd => s.push(Escaper::Nospace),
        Delim::DoubleQuote | Delim::SingleQuote => s.push(Escaper::Attr),
    }
    Ok((s, c))
}

/// Join the end contexts of two branches (if/else, with/else, range
/// body/else) as Go's `join` does; `Err` with a message like "branches end in
/// different contexts: … and …".
pub fn join(a: Context, b: Context) -> Result<Context, String> {
    if a == b {
        return Ok(a);
    }
    let mut c = a;
    c.url_part = b.url_part;
    if c == b {
        // Only the URL part differs.
        c.url_part = UrlPart::Unknown;
        return Ok(c);
    }
    let mut c = a;
    c.js_ctx = b.js_ctx;
    if c == b {
        // Only the regexp/division expectation differs.
        c.js_ctx = JsCtx::Unknown;
        return Ok(c);
    }
    // Deviation from Go: a `type` attribute of `<script>` holding a value in
    // one branch only. The branch with the value has lost the `type` kind (see
    // `escape_slot`), so the body will be taken for script: keep that.
    let mut c = a;
    c.attr = b.attr;
    if c == b
        && c.state == State::Attr
        && matches!(
            (a.attr, b.attr),
            (Attr::None, Attr::ScriptType) | (Attr::ScriptType, Attr::None)
        )
    {
        c.attr = Attr::None;
        return Ok(c);
    }
    // A nudged context may join an unnudged one: `<p title={{if .C}}{{.}}{{end}}`
    // ends in an unquoted value either way.
    let (c, d) = (nudge(a), nudge(b));
    if !(c == a && d == b) {
        if let Ok(e) = join(c, d) {
            return Ok(e);
        }
    }
    let (da, db) = (a.describe(), b.describe());
    if da == db {
        Err(format!(
            "branches end in different contexts: {da} {} and {db} {}",
            a.detail(),
            b.detail()
        ))
    } else {
        Err(format!("branches end in different contexts: {da} and {db}"))
    }
}

/// Check the context where a template ends: like Go, it must be HTML text
/// (outside any tag, attribute, comment or special element such as
/// `<script>`); otherwise "ends in a non-text context: …".
pub fn check_end(c: Context) -> Result<(), String> {
    if c.state == State::Text {
        Ok(())
    } else {
        Err(format!(
            "the template ends in a non-text context: {}",
            c.describe()
        ))
    }
}
