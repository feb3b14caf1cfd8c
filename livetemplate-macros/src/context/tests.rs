//! Tests, mostly ported from Go's `html/template` tests (`escape_test.go`
//! TestEscapeText, TestEscape, TestErrors; `js_test.go`, `css_test.go`,
//! `transition_test.go`) and from `html`'s `escape_test.go`.

use super::attr::{attr_type, ContentType};
use super::css::{decode_css, ends_with_css_keyword};
use super::js::{is_js_type, next_js_ctx};
use super::transition::index_tag_end;
use super::{
    check_end, entity, escape_slot, escape_text, join, Attr as A, Context, Delim as D,
    Element as E, Escaper, Escaper::*, JsCtx as J, State as S, UrlPart as U,
};

// ---------------------------------------------------------------------------
// Building expected contexts.

fn ctx(state: S) -> Context {
    Context::with_state(state)
}

impl Context {
    fn d(mut self, d: D) -> Self {
        self.delim = d;
        self
    }
    fn u(mut self, u: U) -> Self {
        self.url_part = u;
        self
    }
    fn j(mut self, j: J) -> Self {
        self.js_ctx = j;
        self
    }
    fn a(mut self, a: A) -> Self {
        self.attr = a;
        self
    }
    fn e(mut self, e: E) -> Self {
        self.element = e;
        self
    }
    fn b(mut self, depths: &[u16]) -> Self {
        for &d in depths {
            self.braces.push().unwrap();
            *self.braces.top_mut().unwrap() = d;
        }
        self
    }
}

/// The context after `text`, from the start of a document.
fn after(text: &str) -> Result<Context, String> {
    escape_text(Context::text(), text).map(|(_, c)| c)
}

// ---------------------------------------------------------------------------
// A small template driver: `{{if}}`/`{{with}}`/`{{range}}` … `{{else}}` …
// `{{end}}`, `{{/* comments */}}`, and any other action is a value. It walks
// the template as the macro does and renders values as `{}` (nothing for
// values in comments, whose escaper prints nothing).

#[derive(Debug)]
enum Node {
    Text(String),
    Value,
    Branch {
        kind: &'static str,
        body: Vec<Node>,
        else_body: Vec<Node>,
    },
}

fn parse(tpl: &str) -> Vec<Node> {
    let mut toks = Vec::new();
    let mut rest = tpl;
    while let Some(i) = rest.find("{{") {
        toks.push((false, rest[..i].to_string()));
        let j = rest[i..].find("}}").expect("unclosed action") + i;
        toks.push((true, rest[i + 2..j].trim().to_string()));
        rest = &rest[j + 2..];
    }
    toks.push((false, rest.to_string()));
    let mut pos = 0;
    let (nodes, end) = parse_list(&toks, &mut pos);
    assert!(end.is_none(), "unbalanced {{{{end}}}} in {tpl:?}");
    nodes
}

fn parse_list(toks: &[(bool, String)], pos: &mut usize) -> (Vec<Node>, Option<String>) {
    let mut nodes: Vec<Node> = Vec::new();
    while *pos < toks.len() {
        let (action, t) = &toks[*pos];
        *pos += 1;
        if !action {
            if !t.is_empty() {
                // Adjacent text (around a comment) is one run of text.
                if let Some(Node::Text(prev)) = nodes.last_mut() {
                    prev.push_str(t);
                } else {
                    nodes.push(Node::Text(t.clone()));
                }
            }
            continue;
        }
        if t.starts_with("/*") {
            continue;
        }
        if t == "end" || t == "else" {
            return (nodes, Some(t.clone()));
        }
        let kind = ["if", "with", "range"]
            .into_iter()
            .find(|k| t.starts_with(&format!("{k} ")));
        match kind {
            Some(kind) => {
                let (body, end) = parse_list(toks, pos);
                let else_body = if end.as_deref() == Some("else") {
                    let (e, end2) = parse_list(toks, pos);
                    assert_eq!(end2.as_deref(), Some("end"));
                    e
                } else {
                    assert_eq!(end.as_deref(), Some("end"));
                    Vec::new()
                };
                nodes.push(Node::Branch {
                    kind,
                    body,
                    else_body,
                });
            }
            None => nodes.push(Node::Value),
        }
    }
    (nodes, None)
}

struct Run {
    out: String,
    chains: Vec<Vec<Escaper>>,
}

/// `record`: keep the text and the chains (false for a second pass over a
/// range body); else branches keep their chains only.
fn walk(nodes: &[Node], mut c: Context, run: &mut Run, record: bool) -> Result<Context, String> {
    for n in nodes {
        match n {
            Node::Text(t) => {
                let (o, c1) = escape_text(c, t)?;
                if record {
                    run.out.push_str(&o);
                }
                c = c1;
            }
            Node::Value => {
                let (chain, c1) = escape_slot(c)?;
                if record {
                    if chain.last() != Some(&Comment) && chain.first() != Some(&Comment) {
                        run.out.push_str("{}");
                    }
                    run.chains.push(chain);
                }
                c = c1;
            }
            Node::Branch {
                kind,
                body,
                else_body,
            } => {
                let mut c0 = walk(body, c, run, record)?;
                if *kind == "range" {
                    let mut scratch = Run {
                        out: String::new(),
                        chains: Vec::new(),
                    };
                    let c1 = walk(body, c0, &mut scratch, false)?;
                    c0 = join(c0, c1)
                        .map_err(|m| format!("on range loop re-entry: {{{{range}}}} {m}"))?;
                }
                // Only the first branch's text is shown.
                let mut scratch = Run {
                    out: String::new(),
                    chains: Vec::new(),
                };
                let c_else = walk(else_body, c, &mut scratch, record)?;
                if record {
                    run.chains.extend(scratch.chains);
                }
                c = join(c0, c_else).map_err(|m| format!("{{{{{kind}}}}} {m}"))?;
            }
        }
    }
    Ok(c)
}

/// Escapes a whole template: the emitted first-branch text and the chain of
/// every value (first branch first).
fn run(tpl: &str) -> Result<(String, Vec<Vec<Escaper>>), String> {
    let mut r = Run {
        out: String::new(),
        chains: Vec::new(),
    };
    let end = walk(&parse(tpl), Context::text(), &mut r, true)?;
    check_end(end)?;
    Ok((r.out, r.chains))
}

/// The chain of a value written right after `prefix`.
fn chain(prefix: &str) -> Result<Vec<Escaper>, String> {
    let (_, c) = escape_text(Context::text(), prefix)?;
    escape_slot(c).map(|(v, _)| v)
}

// ---------------------------------------------------------------------------
// Go TestEscapeText: text → context.

#[test]
fn go_escape_text_contexts() {
    use A::{Script as AScript, Style as AStyle, Url as AUrl};
    let text = Context::text;
    let rows: Vec<(&str, Context)> = vec![
        ("", text()),
        ("Hello, World!", text()),
        // An orphaned "<" is OK.
        ("I <3 Ponies!", text()),
        ("<a", ctx(S::Tag)),
        ("<a ", ctx(S::Tag)),
        ("<a>", ctx(S::Text)),
        ("<a href", ctx(S::AttrName).a(AUrl)),
        ("<a on", ctx(S::AttrName).a(AScript)),
        ("<a href ", ctx(S::AfterName).a(AUrl)),
        ("<a style  =  ", ctx(S::BeforeValue).a(AStyle)),
        ("<a href=", ctx(S::BeforeValue).a(AUrl)),
        (
            "<a href=x",
            ctx(S::Url).d(D::SpaceOrTagEnd).u(U::PreQuery).a(AUrl),
        ),
        ("<a href=x ", ctx(S::Tag)),
        ("<a href=>", ctx(S::Text)),
        ("<a href=x>", ctx(S::Text)),
        ("<a href ='", ctx(S::Url).d(D::SingleQuote).a(AUrl)),
        ("<a href=''", ctx(S::Tag)),
        ("<a href= \"", ctx(S::Url).d(D::DoubleQuote).a(AUrl)),
        ("<a href=\"\"", ctx(S::Tag)),
        ("<a title=\"", ctx(S::Attr).d(D::DoubleQuote)),
        (
            "<a HREF='http:",
            ctx(S::Url).d(D::SingleQuote).u(U::PreQuery).a(AUrl),
        ),
        (
            "<a Href='/",
            ctx(S::Url).d(D::SingleQuote).u(U::PreQuery).a(AUrl),
        ),
        (
            "<a href='\"",
            ctx(S::Url).d(D::SingleQuote).u(U::PreQuery).a(AUrl),
        ),
        (
            "<a href=\"'",
            ctx(S::Url).d(D::DoubleQuote).u(U::PreQuery).a(AUrl),
        ),
        (
            "<a href='&apos;",
            ctx(S::Url).d(D::SingleQuote).u(U::PreQuery).a(AUrl),
        ),
        (
            "<a href=\"&quot;",
            ctx(S::Url).d(D::DoubleQuote).u(U::PreQuery).a(AUrl),
        ),
        (
            "<a href=\"&#34;",
            ctx(S::Url).d(D::DoubleQuote).u(U::PreQuery).a(AUrl),
        ),
        (
            "<a href=&quot;",
            ctx(S::Url).d(D::SpaceOrTagEnd).u(U::PreQuery).a(AUrl),
        ),
        ("<img alt=\"1\">", ctx(S::Text)),
        ("<img alt=\"1>\"", ctx(S::Tag)),
        ("<img alt=\"1>\">", ctx(S::Text)),
        ("<input checked type=\"checkbox\"", ctx(S::Tag)),
        ("<a onclick=\"", ctx(S::Js).d(D::DoubleQuote).a(AScript)),
        (
            "<a onclick=\"//foo",
            ctx(S::JsLineCmt).d(D::DoubleQuote).a(AScript),
        ),
        ("<a onclick='//\n", ctx(S::Js).d(D::SingleQuote).a(AScript)),
        (
            "<a onclick='//\r\n",
            ctx(S::Js).d(D::SingleQuote).a(AScript),
        ),
        (
            "<a onclick='//\u{2028}",
            ctx(S::Js).d(D::SingleQuote).a(AScript),
        ),
        (
            "<a onclick=\"/*",
            ctx(S::JsBlockCmt).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<a onclick=\"/*/",
            ctx(S::JsBlockCmt).d(D::DoubleQuote).a(AScript),
        ),
        ("<a onclick=\"/**/", ctx(S::Js).d(D::DoubleQuote).a(AScript)),
        (
            "<a onkeypress=\"&quot;",
            ctx(S::JsDqStr).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<a onclick='&quot;foo&quot;",
            ctx(S::Js).d(D::SingleQuote).j(J::DivOp).a(AScript),
        ),
        (
            "<a onclick=&#39;foo&#39;",
            ctx(S::Js).d(D::SpaceOrTagEnd).j(J::DivOp).a(AScript),
        ),
        (
            "<a onclick=&#39;foo",
            ctx(S::JsSqStr).d(D::SpaceOrTagEnd).a(AScript),
        ),
        (
            "<a onclick=\"&quot;foo'",
            ctx(S::JsDqStr).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<a onclick=\"'foo&quot;",
            ctx(S::JsSqStr).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<a onclick=\"`foo",
            ctx(S::JsTmplLit).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<A ONCLICK=\"'",
            ctx(S::JsSqStr).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<a onclick=\"/",
            ctx(S::JsRegexp).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<a onclick=\"'foo'",
            ctx(S::Js).d(D::DoubleQuote).j(J::DivOp).a(AScript),
        ),
        (
            "<a onclick=\"'foo\\'",
            ctx(S::JsSqStr).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<a onclick=\"/foo/",
            ctx(S::Js).d(D::DoubleQuote).j(J::DivOp).a(AScript),
        ),
        ("<script>/foo/ /=", ctx(S::Js).e(E::Script)),
        (
            "<a onclick=\"1 /foo",
            ctx(S::Js).d(D::DoubleQuote).j(J::DivOp).a(AScript),
        ),
        (
            "<a onclick=\"1 /*c*/ /foo",
            ctx(S::Js).d(D::DoubleQuote).j(J::DivOp).a(AScript),
        ),
        (
            "<a onclick=\"/foo[/]",
            ctx(S::JsRegexp).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<a onclick=\"/foo\\/",
            ctx(S::JsRegexp).d(D::DoubleQuote).a(AScript),
        ),
        (
            "<input checked style=\"",
            ctx(S::Css).d(D::DoubleQuote).a(AStyle),
        ),
        (
            "<a style=\"//",
            ctx(S::CssLineCmt).d(D::DoubleQuote).a(AStyle),
        ),
        (
            "<a style=\"//</script>",
            ctx(S::CssLineCmt).d(D::DoubleQuote).a(AStyle),
        ),
        ("<a style='//\n", ctx(S::Css).d(D::SingleQuote).a(AStyle)),
        ("<a style='//\r", ctx(S::Css).d(D::SingleQuote).a(AStyle)),
        (
            "<a style=\"/*",
            ctx(S::CssBlockCmt).d(D::DoubleQuote).a(AStyle),
        ),
        (
            "<a style=\"/*/",
            ctx(S::CssBlockCmt).d(D::DoubleQuote).a(AStyle),
        ),
        ("<a style=\"/**/", ctx(S::Css).d(D::DoubleQuote).a(AStyle)),
        (
            "<a style=\"background: '",
            ctx(S::CssSqStr).d(D::DoubleQuote).a(AStyle),
        ),
        (
            "<a style=\"background: &quot;",
            ctx(S::CssDqStr).d(D::DoubleQuote).a(AStyle),
        ),
        (
            "<a style=\"background: '/foo?img=",
            ctx(S::CssSqStr)
                .d(D::DoubleQuote)
                .u(U::QueryOrFrag)
                .a(AStyle),
        ),
        (
            "<a style=\"background: '/",
            ctx(S::CssSqStr).d(D::DoubleQuote).u(U::PreQuery).a(AStyle),
        ),
        (
            "<a style=\"background: url(&#x22;/",
            ctx(S::CssDqUrl).d(D::DoubleQuote).u(U::PreQuery).a(AStyle),
        ),
        (
            "<a style=\"background: url('/",
            ctx(S::CssSqUrl).d(D::DoubleQuote).u(U::PreQuery).a(AStyle),
        ),
        (
            "<a style=\"background: url('/)",
            ctx(S::CssSqUrl).d(D::DoubleQuote).u(U::PreQuery).a(AStyle),
        ),
        (
            "<a style=\"background: url('/ ",
            ctx(S::CssSqUrl).d(D::DoubleQuote).u(U::PreQuery).a(AStyle),
        ),
        (
            "<a style=\"background: url(/",
            ctx(S::CssUrl).d(D::DoubleQuote).u(U::PreQuery).a(AStyle),
        ),
        (
            "<a style=\"background: url( ",
            ctx(S::CssUrl).d(D::DoubleQuote).a(AStyle),
        ),
        (
            "<a style=\"background: url( /image?name=",
            ctx(S::CssUrl).d(D::DoubleQuote).u(U::QueryOrFrag).a(AStyle),
        ),
        (
            "<a style=\"background: url(x)",
            ctx(S::Css).d(D::DoubleQuote).a(AStyle),
        ),
        (
            "<a style=\"background: url('x'",
            ctx(S::Css).d(D::DoubleQuote).a(AStyle),
        ),
        (
            "<a style=\"background: url( x ",
            ctx(S::Css).d(D::DoubleQuote).a(AStyle),
        ),
        ("<!-- foo", ctx(S::HtmlCmt)),
        ("<!-->", ctx(S::HtmlCmt)),
        ("<!--->", ctx(S::HtmlCmt)),
        ("<!-- foo -->", ctx(S::Text)),
        ("<script", ctx(S::Tag).e(E::Script)),
        ("<script ", ctx(S::Tag).e(E::Script)),
        ("<script src=\"foo.js\" ", ctx(S::Tag).e(E::Script)),
        ("<script src='foo.js' ", ctx(S::Tag).e(E::Script)),
        ("<script type=text/javascript ", ctx(S::Tag).e(E::Script)),
        ("<script>", ctx(S::Js).j(J::Regexp).e(E::Script)),
        ("<script>foo", ctx(S::Js).j(J::DivOp).e(E::Script)),
        ("<script>foo</script>", ctx(S::Text)),
        ("<script>foo</script><!--", ctx(S::HtmlCmt)),
        (
            "<script>document.write(\"<p>foo</p>\");",
            ctx(S::Js).e(E::Script),
        ),
        (
            "<script>document.write(\"<p>foo<\\/script>\");",
            ctx(S::Js).e(E::Script),
        ),
        // <script and </script in literals are escaped, so do not end the script.
        (
            "<script>document.write(\"<script>alert(1)</script>\");",
            ctx(S::Js).e(E::Script),
        ),
        (
            "<script>document.write(\"<script>",
            ctx(S::JsDqStr).e(E::Script),
        ),
        (
            "<script>document.write(\"<script>alert(1)</script>",
            ctx(S::JsDqStr).e(E::Script),
        ),
        (
            "<script>document.write(\"<script>alert(1)<!--",
            ctx(S::JsDqStr).e(E::Script),
        ),
        (
            "<script>document.write(\"<script>alert(1)</Script>\");",
            ctx(S::Js).e(E::Script),
        ),
        ("<script>document.write(\"<!--\");", ctx(S::Js).e(E::Script)),
        ("<script>let a = /</script", ctx(S::JsRegexp).e(E::Script)),
        (
            "<script>let a = /</script/",
            ctx(S::Js).e(E::Script).j(J::DivOp),
        ),
        ("<script type=\"text/template\">", ctx(S::Text)),
        // Go issue 19968.
        ("<script type=\"TEXT/JAVASCRIPT\">", ctx(S::Js).e(E::Script)),
        // Go issue 19965.
        ("<script TYPE=\"text/template\">", ctx(S::Text)),
        ("<script type=\"notjs\">", ctx(S::Text)),
        ("<Script>", ctx(S::Js).e(E::Script)),
        ("<SCRIPT>foo", ctx(S::Js).j(J::DivOp).e(E::Script)),
        ("<textarea>value", ctx(S::Rcdata).e(E::Textarea)),
        ("<textarea>value</TEXTAREA>", ctx(S::Text)),
        ("<textarea name=html><b", ctx(S::Rcdata).e(E::Textarea)),
        ("<title>value", ctx(S::Rcdata).e(E::Title)),
        ("<style>value", ctx(S::Css).e(E::Style)),
        ("<a xlink:href", ctx(S::AttrName).a(AUrl)),
        ("<a xmlns", ctx(S::AttrName).a(AUrl)),
        ("<a xmlns:foo", ctx(S::AttrName).a(AUrl)),
        ("<a xmlnsxyz", ctx(S::AttrName)),
        ("<a data-url", ctx(S::AttrName).a(AUrl)),
        ("<a data-iconUri", ctx(S::AttrName).a(AUrl)),
        ("<a data-urlItem", ctx(S::AttrName).a(AUrl)),
        ("<a g:", ctx(S::AttrName)),
        ("<a g:url", ctx(S::AttrName).a(AUrl)),
        ("<a g:iconUri", ctx(S::AttrName).a(AUrl)),
        ("<a g:urlItem", ctx(S::AttrName).a(AUrl)),
        ("<a g:value", ctx(S::AttrName)),
        ("<a svg:style='", ctx(S::Css).d(D::SingleQuote).a(AStyle)),
        ("<svg:font-face", ctx(S::Tag)),
        (
            "<svg:a svg:onclick=\"",
            ctx(S::Js).d(D::DoubleQuote).a(AScript),
        ),
        ("<svg:a svg:onclick=\"x()\">", text()),
        // JS template literals (Go 1.22).
        ("<script>var a = `", ctx(S::JsTmplLit).e(E::Script)),
        ("<script>var a = `${", ctx(S::Js).e(E::Script).b(&[0])),
        ("<script>var a = `${}", ctx(S::JsTmplLit).e(E::Script)),
        (
            "<script>var a = `${`",
            ctx(S::JsTmplLit).e(E::Script).b(&[0]),
        ),
        (
            "<script>var a = `${var a = \"",
            ctx(S::JsDqStr).e(E::Script).b(&[0]),
        ),
        (
            "<script>var a = `${var a = \"`",
            ctx(S::JsDqStr).e(E::Script).b(&[0]),
        ),
        (
            "<script>var a = `${var a = \"}",
            ctx(S::JsDqStr).e(E::Script).b(&[0]),
        ),
        (
            "<script>var a = `${``",
            ctx(S::Js).e(E::Script).j(J::DivOp).b(&[0]),
        ),
        (
            "<script>var a = `${`}",
            ctx(S::JsTmplLit).e(E::Script).b(&[0]),
        ),
        (
            "<script>`${ {} } asd`</script><script>`${ {} }",
            ctx(S::JsTmplLit).e(E::Script),
        ),
        (
            "<script>var foo = `${ (_ => { return \"x\" })() + \"${",
            ctx(S::JsDqStr).e(E::Script).b(&[0]),
        ),
        (
            "<script>var a = `${ {</script><script>var b = `${ x }",
            ctx(S::JsTmplLit).e(E::Script).j(J::DivOp),
        ),
        ("<script>var foo = `x` + \"${", ctx(S::JsDqStr).e(E::Script)),
        (
            "<script>function f() { var a = `${}`; }",
            ctx(S::Js).e(E::Script),
        ),
        ("<script>{`${}`}", ctx(S::Js).e(E::Script)),
        (
            "<script>`${ function f() { return `${1}` }() }`",
            ctx(S::Js).e(E::Script).j(J::DivOp),
        ),
        (
            "<script>function f() {`${ function f() { `${1}` } }`}",
            ctx(S::Js).e(E::Script).j(J::Regexp),
        ),
        ("<script>`${ { `` }", ctx(S::Js).e(E::Script).b(&[0])),
        ("<script>`${ { }`", ctx(S::JsTmplLit).e(E::Script).b(&[0])),
        (
            "<script>var foo = `${ foo({ a: { c: `${",
            ctx(S::Js).e(E::Script).b(&[2, 0]),
        ),
        (
            "<script>var foo = `${ foo({ a: { c: `${ {{.}} }` }, b: ",
            ctx(S::Js).e(E::Script).b(&[1]),
        ),
        ("<script>`${ `}", ctx(S::JsTmplLit).e(E::Script).b(&[0])),
        (
            "<script>`${1}${",
            ctx(S::Js).e(E::Script).j(J::Regexp).b(&[0]),
        ),
        (
            "<script>`${`${1}${",
            ctx(S::Js).e(E::Script).j(J::Regexp).b(&[0, 0]),
        ),
    ];
    assert!(rows.len() >= 150, "{} rows", rows.len());
    let mut failures = Vec::new();
    for (input, want) in &rows {
        match after(input) {
            Ok(got) if got == *want => {}
            got => failures.push(format!("{input:?}: want {want:?}, got {got:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Rows of this port that differ from Go's TestEscapeText or extend it.
#[test]
fn escape_text_contexts_beyond_go() {
    let rows: Vec<(&str, Context)> = vec![
        // An empty `type` is script for browsers (newer Go agrees).
        ("<script type=\"\">", ctx(S::Js).e(E::Script)),
        ("<script type=\" \">", ctx(S::Js).e(E::Script)),
        ("<script type=\"module\">", ctx(S::Js).e(E::Script)),
        (
            "<script type=\"text/javascript; charset=utf-8\">",
            ctx(S::Js).e(E::Script),
        ),
        // The type is entity-decoded as browsers do (Go 1.19 would say Text).
        (
            "<script type=\"text&#47;javascript\">",
            ctx(S::Js).e(E::Script),
        ),
        ("<script type=text/plain>", ctx(S::Text)),
        // `a-->b` is `a-- > b`, not an HTML-like comment (golang/go#63183).
        ("<script>if (a-->b) {", ctx(S::Js).e(E::Script)),
        (
            "<script>a\n--> c",
            ctx(S::JsHtmlCloseCmt).e(E::Script).j(J::DivOp),
        ),
        ("<script>-->", ctx(S::JsHtmlCloseCmt).e(E::Script)),
        (
            "<script>x <!-- y",
            ctx(S::JsHtmlOpenCmt).e(E::Script).j(J::DivOp),
        ),
        ("<script>x <!-- y\n", ctx(S::Js).e(E::Script).j(J::DivOp)),
        (
            "<script>#!/usr/bin/env node",
            ctx(S::JsLineCmt).e(E::Script),
        ),
        // A `<`, `-` or `#` that starts no comment still precedes a regexp.
        ("<script>x = a < /", ctx(S::JsRegexp).e(E::Script)),
        ("<script>x = a - /", ctx(S::JsRegexp).e(E::Script)),
        ("<script>x = a-- /", ctx(S::Js).e(E::Script).j(J::Regexp)),
        // A `{` or `}` precedes a regexp (current Go).
        ("<script>if (x) {/", ctx(S::JsRegexp).e(E::Script)),
        ("<script>if (x) {y}/", ctx(S::JsRegexp).e(E::Script)),
        ("<script>`${1}${/", ctx(S::JsRegexp).e(E::Script).b(&[0])),
        // `</script` in a JS comment ends the script (as in browsers).
        ("<script>x() // c</script>", ctx(S::Text)),
        ("<script>/* </script>", ctx(S::Text)),
        // JS white space beyond ASCII (Go 1.20.4).
        ("<script>return\u{a0}/", ctx(S::JsRegexp).e(E::Script)),
        ("<script>x\u{3000}/", ctx(S::Js).e(E::Script).j(J::Regexp)),
        // Entities in attribute values.
        (
            "<a onclick=\"x &#x2f;",
            ctx(S::Js).d(D::DoubleQuote).a(A::Script).j(J::Regexp),
        ),
        (
            "<a onclick=\"x = &lpar;&sol;",
            ctx(S::JsRegexp).d(D::DoubleQuote).a(A::Script),
        ),
        (
            "<a href=\"x&quest;",
            ctx(S::Url).d(D::DoubleQuote).a(A::Url).u(U::QueryOrFrag),
        ),
        (
            "<a href=\"x&num;",
            ctx(S::Url).d(D::DoubleQuote).a(A::Url).u(U::QueryOrFrag),
        ),
        (
            "<a style=\"x: u&#x72;l(",
            ctx(S::CssUrl).d(D::DoubleQuote).a(A::Style),
        ),
        // CSS escapes in URLs.
        // Go decodes a CSS escape in pieces, so `\3f` is not seen as `?`.
        (
            "<style>p { background: url(/a\\3f",
            ctx(S::CssUrl).e(E::Style).u(U::PreQuery),
        ),
        // (Go keeps the URL part after the `url(…)` when it saw an escape.)
        (
            "<style>p { background: url(/a\\3f ",
            ctx(S::Css).e(E::Style).u(U::PreQuery),
        ),
        (
            "<style>p { background: url(/a\\?",
            ctx(S::CssUrl).e(E::Style).u(U::QueryOrFrag),
        ),
        (
            "<style>p { background: \"a\\\"b",
            ctx(S::CssDqStr).e(E::Style).u(U::PreQuery),
        ),
        // srcset, srcdoc.
        (
            "<img srcset=\"",
            ctx(S::Srcset).d(D::DoubleQuote).a(A::Srcset),
        ),
        (
            "<img srcset=\"a.png 1x, ",
            ctx(S::Srcset).d(D::DoubleQuote).a(A::Srcset).u(U::PreQuery),
        ),
        (
            "<iframe srcdoc=\"",
            ctx(S::Attr).d(D::DoubleQuote).a(A::Html),
        ),
        // Tag and attribute names.
        ("<my-element data-x='1' ", ctx(S::Tag)),
        ("</a", ctx(S::Tag)),
        ("</script", ctx(S::Tag)),
        ("</script>", ctx(S::Text)),
        ("a </", ctx(S::Text)),
        ("a <1", ctx(S::Text)),
    ];
    let mut failures = Vec::new();
    for (input, want) in &rows {
        match after(input) {
            Ok(got) if got == *want => {}
            got => failures.push(format!("{input:?}: want {want:?}, got {got:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// escape_slot: escaper chains (the pipelines Go's TestEscape implies).

#[test]
fn slot_chains() {
    let rows: Vec<(&str, Vec<Escaper>)> = vec![
        ("", vec![Html]),
        ("Hello, ", vec![Html]),
        ("<b>", vec![Html]),
        ("<a href=\"", vec![UrlFilter, UrlNormalizer, Attr]),
        ("<a href='", vec![UrlFilter, UrlNormalizer, Attr]),
        ("<a href=", vec![UrlFilter, UrlNormalizer, Nospace]),
        ("<a href='  ", vec![UrlFilter, UrlNormalizer, Attr]),
        ("<a href='http://", vec![UrlNormalizer, Attr]),
        ("<a href=\"/foo/", vec![UrlNormalizer, Attr]),
        ("<a href=\"/x?q=", vec![UrlEscaper, Attr]),
        ("<a href='/search?q=", vec![UrlEscaper, Attr]),
        ("<a href='/faq#", vec![UrlEscaper, Attr]),
        ("<a href=/x?", vec![UrlEscaper, Nospace]),
        ("<form action=\"", vec![UrlFilter, UrlNormalizer, Attr]),
        (
            "<button formaction=\"",
            vec![UrlFilter, UrlNormalizer, Attr],
        ),
        ("<img src=\"", vec![UrlFilter, UrlNormalizer, Attr]),
        ("<a data-url=\"", vec![UrlFilter, UrlNormalizer, Attr]),
        ("<a data-iconUri=\"", vec![UrlFilter, UrlNormalizer, Attr]),
        ("<a xlink:href=\"", vec![UrlFilter, UrlNormalizer, Attr]),
        ("<img srcset=\"", vec![Srcset, Attr]),
        ("<img srcset=", vec![Srcset, Nospace]),
        ("<a title=\"", vec![Attr]),
        ("<a title='x ", vec![Attr]),
        ("<a b=1 c=", vec![Nospace]),
        ("<div class=", vec![Nospace]),
        ("<input value=\"", vec![Attr]),
        ("<script>var x = ", vec![JsVal]),
        ("<script>alert(", vec![JsVal]),
        ("<script>var x=", vec![JsVal]),
        ("<button onclick='alert(", vec![JsVal, Attr]),
        ("<a onclick=\"", vec![JsVal, Attr]),
        ("<a onclick=", vec![JsVal, Nospace]),
        ("<a onclick=\"f('", vec![JsStr, Attr]),
        ("<button onclick='alert(&quot;", vec![JsStr, Attr]),
        ("<script>var s = \"", vec![JsStr]),
        ("<script>var s = 'a", vec![JsStr]),
        ("<button onclick='alert(/", vec![JsRegexp, Attr]),
        ("<script>alert(/", vec![JsRegexp]),
        ("<script>var a = `", vec![JsTmplLit]),
        ("<script>var a = `x ${ `", vec![JsTmplLit]),
        ("<script>var a = `${ ", vec![JsVal]),
        ("<script>var a = `${ var a = \"", vec![JsStr]),
        ("<a onclick=\"`", vec![JsTmplLit, Attr]),
        ("<style>p { color: ", vec![CssValueFilter]),
        ("<style>", vec![CssValueFilter]),
        ("<style>p", vec![CssValueFilter]),
        ("<a style=\"color: ", vec![CssValueFilter, Attr]),
        ("<table style=width:", vec![CssValueFilter, Nospace]),
        (
            "<p style='font-family: \"",
            vec![UrlFilter, CssEscaper, Attr],
        ),
        (
            "<p style=\"background: url(/img?name=",
            vec![UrlEscaper, Attr],
        ),
        (
            "<p style=\"background: url('/img?name=",
            vec![UrlEscaper, Attr],
        ),
        ("<p style=\"background: '/img?name=", vec![UrlEscaper, Attr]),
        (
            "<a style=\"background: url('",
            vec![UrlFilter, UrlNormalizer, Attr],
        ),
        (
            "<a style=\"background: '",
            vec![UrlFilter, CssEscaper, Attr],
        ),
        ("<a style=\"background: 'http://x/", vec![CssEscaper, Attr]),
        (
            "<style>body { background: url('",
            vec![UrlFilter, UrlNormalizer],
        ),
        ("<p style=\"background: URL(#", vec![UrlEscaper, Attr]),
        (
            "<a style=\"border-image: url(",
            vec![UrlFilter, UrlNormalizer, Attr],
        ),
        ("<title>", vec![Rcdata]),
        ("<textarea>", vec![Rcdata]),
        ("<textarea>a <b", vec![Rcdata]),
        ("<!-- ", vec![Comment]),
        ("<p><!-- ", vec![Comment]),
        ("<script>/*", vec![Comment]),
        ("<script>//", vec![Comment]),
        ("<style>/*", vec![Comment]),
        ("<a onclick='/*", vec![Comment, Attr]),
        ("<a style='//", vec![Comment, Attr]),
        ("<a style=\"/* color: ", vec![Comment, Attr]),
        ("<script type=\"text/template\">", vec![Html]),
        ("<script type=\"\">", vec![JsVal]),
        ("<script type=\"", vec![Attr]),
        ("<input type=\"", vec![Attr]),
        ("<svg:a svg:onclick=\"", vec![JsVal, Attr]),
        ("<img on", vec![]),
    ];
    assert!(rows.len() >= 60);
    let mut failures = Vec::new();
    for (prefix, want) in &rows {
        let got = chain(prefix);
        let ok = match (&got, want.is_empty()) {
            (Err(_), true) => true,
            (Ok(v), false) => v == want,
            _ => false,
        };
        if !ok {
            failures.push(format!("{prefix:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn slot_contexts_after() {
    // `<a href={{.}}` is an unquoted URL value from then on (Go's nudge).
    let (_, c) = escape_text(Context::text(), "<a href=").unwrap();
    let (_, c) = escape_slot(c).unwrap();
    assert_eq!(c, ctx(S::Url).d(D::SpaceOrTagEnd));
    // A JS value is followed by a division.
    let (_, c) = escape_text(Context::text(), "<script>x = ").unwrap();
    let (_, c) = escape_slot(c).unwrap();
    assert_eq!(c, ctx(S::Js).e(E::Script).j(J::DivOp));
    assert_eq!(
        escape_text(c, "/ 2").unwrap().1,
        ctx(S::Js).e(E::Script).j(J::DivOp)
    );
    // The URL part does not move past a value (Go): a second value is filtered too.
    let (_, c) = escape_text(Context::text(), "<a href=\"").unwrap();
    let (v, c) = escape_slot(c).unwrap();
    assert_eq!(v, vec![UrlFilter, UrlNormalizer, Attr]);
    assert_eq!(
        escape_slot(c).unwrap().0,
        vec![UrlFilter, UrlNormalizer, Attr]
    );
    // Text does not move.
    let (v, c) = escape_slot(Context::text()).unwrap();
    assert_eq!((v, c), (vec![Html], Context::text()));
    // A value in the `type` of a `<script>` leaves the body as script.
    let (_, c) = escape_text(Context::text(), "<script type=\"").unwrap();
    let (_, c) = escape_slot(c).unwrap();
    assert_eq!(escape_text(c, "x\">").unwrap().1, ctx(S::Js).e(E::Script));
}

#[test]
fn slot_errors() {
    let rows: Vec<(&str, &str)> = vec![
        ("<a ", "cannot appear inside a tag"),
        ("<a", "cannot appear inside a tag"),
        ("<a href=\"x\" ", "cannot appear inside a tag"),
        ("<a title ", "cannot appear inside a tag"),
        ("<a x", "cannot be an attribute name"),
        ("<a on", "cannot be an attribute name"),
        ("<input checked ", "cannot appear inside a tag"),
        ("<script ", "cannot appear inside a tag"),
        ("<iframe srcdoc=\"", "srcdoc"),
        ("<iframe srcdoc=", "srcdoc"),
        ("<iframe srcdoc=\"<p>", "HTML document"),
    ];
    for (prefix, want) in rows {
        match chain(prefix) {
            Err(m) => assert!(m.contains(want), "{prefix:?}: {m:?} lacks {want:?}"),
            Ok(v) => panic!("{prefix:?}: want an error, got {v:?}"),
        }
    }
    // The message says where: `<a {{.}}>`.
    let m = chain("<a ").unwrap_err();
    assert!(m.contains("<a>"), "{m}");
    let m = chain("<a x").unwrap_err();
    assert!(m.contains("`x`"), "{m}");
}

// ---------------------------------------------------------------------------
// Whole templates: Go's TestEscape (chains and rewritten text) and TestErrors.

#[test]
fn go_escape_templates() {
    type Row = (&'static str, &'static str, Vec<Vec<Escaper>>);
    let rows: Vec<Row> = vec![
        ("{{if .T}}Hello{{end}}, {{.C}}!", "Hello, {}!", vec![vec![Html]]),
        ("{{if .F}}{{.H}}{{else}}{{.G}}{{end}}!", "{}!", vec![vec![Html], vec![Html]]),
        ("{{with .C}}{{$msg := .}}Hello, {{$msg}}!{{end}}", "{}Hello, {}!", vec![vec![Html], vec![Html]]),
        ("{{range .A}}{{.}}{{end}}", "{}", vec![vec![Html]]),
        (
            "{{range .E}}{{.}}{{else}}{{.H}}{{end}}",
            "{}",
            vec![vec![Html], vec![Html]],
        ),
        (
            "<a href=\"/search?q={{\"'a<b'\"}}\">",
            "<a href=\"/search?q={}\">",
            vec![vec![UrlEscaper, Attr]],
        ),
        ("<a b=1 c={{.H}}>", "<a b=1 c={}>", vec![vec![Nospace]]),
        (
            "<a href='{{\"/foo/bar?a=b&c=d\"}}'>",
            "<a href='{}'>",
            vec![vec![UrlFilter, UrlNormalizer, Attr]],
        ),
        (
            "<a href='http://{{\"javascript:80\"}}/foo'>",
            "<a href='http://{}/foo'>",
            vec![vec![UrlNormalizer, Attr]],
        ),
        (
            "<a href=\"{{if .F}}/foo?a=b{{else}}/bar{{end}}\">",
            "<a href=\"/foo?a=b\">",
            vec![],
        ),
        (
            "<a href=\"{{if .T}}/foo?a={{else}}/bar#{{end}}{{.C}}\">",
            "<a href=\"/foo?a={}\">",
            vec![vec![UrlEscaper, Attr]],
        ),
        (
            "<button onclick='alert({{.H}})'>",
            "<button onclick='alert({})'>",
            vec![vec![JsVal, Attr]],
        ),
        ("<script>alert({{.A}})</script>", "<script>alert({})</script>", vec![vec![JsVal]]),
        ("<script type=\" \">{{.H}}</script>", "<script type=\" \">{}</script>", vec![vec![JsVal]]),
        ("<script type=\"\">{{.H}}</script>", "<script type=\"\">{}</script>", vec![vec![JsVal]]),
        (
            "<button onclick='alert(&quot;{{.H}}&quot;)'>",
            "<button onclick='alert(&quot;{}&quot;)'>",
            vec![vec![JsStr, Attr]],
        ),
        (
            "<button onclick='alert(1/{{.B}}in numbers)'>",
            "<button onclick='alert(1/{}in numbers)'>",
            vec![vec![JsVal, Attr]],
        ),
        (
            "<button onclick='alert(/{{\"foo+bar\"}}/.test(\"\"))'>",
            "<button onclick='alert(/{}/.test(\"\"))'>",
            vec![vec![JsRegexp, Attr]],
        ),
        ("<script>alert(/{{\"\"}}/.test(\"\"));</script>", "<script>alert(/{}/.test(\"\"));</script>", vec![vec![JsRegexp]]),
        // The {if} ends in an ambiguous jsCtx, but no slash follows.
        ("<script>{{if true}}var x = 1{{end}}</script>", "<script>var x = 1</script>", vec![]),
        ("<p style=\"dir: {{\"ltr\"}}\">", "<p style=\"dir: {}\">", vec![vec![CssValueFilter, Attr]]),
        (
            "<p style=\"border-{{\"left\"}}: 0; border-{{\"right\"}}: 1in\">",
            "<p style=\"border-{}: 0; border-{}: 1in\">",
            vec![vec![CssValueFilter, Attr], vec![CssValueFilter, Attr]],
        ),
        ("<style>{{\"p\"}} { color: pink }</style>", "<style>{} { color: pink }</style>", vec![vec![CssValueFilter]]),
        ("<table style=width:{{\"100%\"}}>", "<table style=width:{}>", vec![vec![CssValueFilter, Nospace]]),
        (
            "<p style='font-family: \"{{\"Times New Roman\"}}\", \"{{\"sans-serif\"}}\"'>",
            "<p style='font-family: \"{}\", \"{}\"'>",
            vec![vec![UrlFilter, CssEscaper, Attr], vec![UrlFilter, CssEscaper, Attr]],
        ),
        (
            "<p style=\"background: url(/img?name={{\"O'Reilly Animal(1)<2>.png\"}})\">",
            "<p style=\"background: url(/img?name={})\">",
            vec![vec![UrlEscaper, Attr]],
        ),
        (
            "<a style=\"background: url('{{\"javascript:alert(1337)\"}}')\">",
            "<a style=\"background: url('{}')\">",
            vec![vec![UrlFilter, UrlNormalizer, Attr]],
        ),
        (
            "<a style=\"font-family: '{{\"x\"}}', &quot;{{\"y\"}}&quot;\">",
            "<a style=\"font-family: '{}', &quot;{}&quot;\">",
            vec![vec![UrlFilter, CssEscaper, Attr], vec![UrlFilter, CssEscaper, Attr]],
        ),
        (
            "<a style=\"border-image: url({{.}}), url(&quot;{{.}}&quot;), url('{{.}}'), 'http://www.example.com/?q={{.}}''\">",
            "<a style=\"border-image: url({}), url(&quot;{}&quot;), url('{}'), 'http://www.example.com/?q={}''\">",
            vec![
                vec![UrlFilter, UrlNormalizer, Attr],
                vec![UrlFilter, UrlNormalizer, Attr],
                vec![UrlFilter, UrlNormalizer, Attr],
                vec![UrlEscaper, Attr],
            ],
        ),
        // Rewritten text: comments, `<`, doctype.
        ("<b>Hello, <!-- name of world -->{{.C}}</b>", "<b>Hello, {}</b>", vec![vec![Html]]),
        ("<<!-- -->!--", "&lt;!--", vec![]),
        ("a < b", "a &lt; b", vec![]),
        ("a << b", "a &lt;&lt; b", vec![]),
        ("a<<!-- --><!-- -->b", "a&lt;b", vec![]),
        ("<!DOCTYPE html>Hello, World!", "<!DOCTYPE html>Hello, World!", vec![]),
        ("<!doCtYPE htMl>Hello, World!", "<!doCtYPE htMl>Hello, World!", vec![]),
        ("<!{{\"DOCTYPE\"}}", "&lt;!{}", vec![vec![Html]]),
        (
            "<b>Hello, <!-- name of {{if .T}}city -->{{.C}}{{else}}world -->{{.W}}{{end}}</b>",
            "<b>Hello, {}</b>",
            vec![vec![Html], vec![Html]],
        ),
        (
            "<script>for (;;) { if (c()) break// foo not a label\nfoo({{.T}});}</script>",
            "<script>for (;;) { if (c()) break\nfoo({});}</script>",
            vec![vec![JsVal]],
        ),
        (
            "<script>for (;;) { if (c()) break/* foo not a label\n */foo({{.T}});}</script>",
            "<script>for (;;) { if (c()) break\nfoo({});}</script>",
            vec![vec![JsVal]],
        ),
        (
            "<script>for (;;) {\nif (c()) break/* foo a label */foo;x({{.T}});}</script>",
            "<script>for (;;) {\nif (c()) break foo;x({});}</script>",
            vec![vec![JsVal]],
        ),
        ("<script>var a/*b*//c\nd</script>", "<script>var a /c\nd</script>", vec![]),
        ("<script>var a/*b*///c\nd</script>", "<script>var a \nd</script>", vec![]),
        // Go strips `-->boop` here too, but `before-->boop` is `before-- > boop`
        // (golang/go#63183); a `-->` that starts a line is a comment.
        (
            "<script>before <!-- beep\nbetween\nbefore-->boop\n</script>",
            "<script>before \nbetween\nbefore-->boop\n</script>",
            vec![],
        ),
        (
            "<script>before <!-- beep\nbetween\n  -->boop\n</script>",
            "<script>before \nbetween\n  \n</script>",
            vec![],
        ),
        ("<script>#! beep\n</script>", "<script>\n</script>", vec![]),
        (
            "<script>var a = \"asd < 123 <!-- 456 < fgh <script jkl < 789 </script\"</script>",
            "<script>var a = \"asd < 123 \\x3C!-- 456 < fgh \\x3Cscript jkl < 789 \\x3C/script\"</script>",
            vec![],
        ),
        (
            "<script>var a = \"<!-- <ScripT </ScripT\"</script>",
            "<script>var a = \"\\x3C!-- \\x3CScripT \\x3C/ScripT\"</script>",
            vec![],
        ),
        (
            "<script>var a = /<!-- <ScripT </ScripT/</script>",
            "<script>var a = /\\x3C!-- \\x3CScripT \\x3C/ScripT/</script>",
            vec![],
        ),
        (
            "<script>var a = `<!-- ${ \"</script>\" } </script>`</script>",
            "<script>var a = `\\x3C!-- ${ \"\\x3C/script>\" } \\x3C/script>`</script>",
            vec![],
        ),
        (
            "<style>p// paragraph\n{border: 1px/* color */{{\"#00f\"}}}</style>",
            "<style>p\n{border: 1px {}}</style>",
            vec![vec![CssValueFilter]],
        ),
        (
            "<a onclick=\"f(&quot;&quot;); /* alert({{.H}}) */\">",
            "<a onclick=\"f(&quot;&quot;); /* alert() */\">",
            vec![vec![Comment, Attr]],
        ),
        ("<a onclick=\"// alert({{.G}})\">", "<a onclick=\"// alert()\">", vec![vec![Comment, Attr]]),
        ("<a style=\"/* color: {{.H}} */\">", "<a style=\"/* color:  */\">", vec![vec![Comment, Attr]]),
        ("<a style=\"// color: {{.G}}\">", "<a style=\"// color: \">", vec![vec![Comment, Attr]]),
        ("<p><!-- {{.H}} --></p>", "<p></p>", vec![vec![Comment]]),
        (
            "<!--{{.}}--><script>/*{{.}}*///{{.}}\n</script><style>/*{{.}}*///{{.}}\n</style><a onclick='/*{{.}}*///{{.}}' style='/*{{.}}*///{{.}}'>",
            "<script> \n</script><style> \n</style><a onclick='/**///' style='/**///'>",
            vec![
                vec![Comment],
                vec![Comment],
                vec![Comment],
                vec![Comment],
                vec![Comment],
                vec![Comment, Attr],
                vec![Comment, Attr],
                vec![Comment, Attr],
                vec![Comment, Attr],
            ],
        ),
        // `</script` in a JS comment ends the script; the comment is dropped.
        ("<script>x() // c</script><p>{{.}}</p>", "<script>x() </script><p>{}</p>", vec![vec![Html]]),
        // (Go 1.19 writes the " " of the comment twice.)
        ("<script>x() /* </script> */</script>", "<script>x()   </script> */</script>", vec![]),
        ("<textarea>{{range .A}}{{.}}{{end}}</textarea>", "<textarea>{}</textarea>", vec![vec![Rcdata]]),
        ("{{\"10$\"}}<{{\"script src,evil.org/pwnd.js\"}}...", "{}&lt;{}...", vec![vec![Html], vec![Html]]),
        ("<{{\"!--\"}}", "&lt;{}", vec![vec![Html]]),
        ("<textarea><{{\"/textarea \"}}...</textarea>", "<textarea>&lt;{}...</textarea>", vec![vec![Rcdata]]),
        (
            "<img class=\"{{\"iconClass\"}}\"{{if .T}} id=\"{{\"<iconId>\"}}\"{{end}} src={{if .T}}\"?{{\"<iconPath>\"}}\"{{else}}\"images/cleardot.gif\"{{end}}{{if .T}}title=\"{{\"<title>\"}}\"{{end}} alt=\"{{if .T}}{{\"<alt>\"}}{{else}}{{if .F}}{{\"<title>\"}}{{end}}{{end}}\">",
            "<img class=\"{}\" id=\"{}\" src=\"?{}\"title=\"{}\" alt=\"{}\">",
            vec![
                vec![Attr],
                vec![Attr],
                vec![UrlEscaper, Attr],
                vec![Attr],
                vec![Attr],
                vec![Attr],
            ],
        ),
        ("<input{{if .T}} checked{{end}} name=n>", "<input checked name=n>", vec![]),
        (
            "<img srcset=\"{{\"/not-an-image#,javascript:alert(1)\"}}\">",
            "<img srcset=\"{}\">",
            vec![vec![Srcset, Attr]],
        ),
        ("<p name={{.U}}>", "<p name={}>", vec![vec![Nospace]]),
        ("<p href={{.U}}>", "<p href={}>", vec![vec![UrlFilter, UrlNormalizer, Nospace]]),
        ("<script>var a = `{{.I}}`</script>", "<script>var a = `{}`</script>", vec![vec![JsTmplLit]]),
        (
            "<script>var a = `${ `{{.I}}` }`</script>",
            "<script>var a = `${ `{}` }`</script>",
            vec![vec![JsTmplLit]],
        ),
        (
            "<script>var a = `${ var a = \"{{\"a \\\" d\"}}\" }`</script>",
            "<script>var a = `${ var a = \"{}\" }`</script>",
            vec![vec![JsStr]],
        ),
        (
            "<script>const s = `${1}${/{{.}}/g}`</script>",
            "<script>const s = `${1}${/{}/g}`</script>",
            vec![vec![JsRegexp]],
        ),
        ("<script>if(true){/{{.}}/g.test(\"x\")}</script>", "<script>if(true){/{}/g.test(\"x\")}</script>", vec![vec![JsRegexp]]),
        ("<script>if(true){x=1}/{{.}}/g.test(\"x\")</script>", "<script>if(true){x=1}/{}/g.test(\"x\")</script>", vec![vec![JsRegexp]]),
        (
            "<script>`${ (function(){}/{{.}}/g.test(x)) }`</script>",
            "<script>`${ (function(){}/{}/g.test(x)) }`</script>",
            vec![vec![JsRegexp]],
        ),
        // Go's TestEscapeSet, inlined: a helper ending in a division context.
        ("<script>var x={{126}}/{{\"42\"}};</script>", "<script>var x={}/{};</script>", vec![vec![JsVal], vec![JsVal]]),
    ];
    let mut failures = Vec::new();
    for (tpl, want_text, want_chains) in &rows {
        match run(tpl) {
            Ok((text, chains)) if text == *want_text && chains == *want_chains => {}
            got => failures.push(format!(
                "{tpl:?}: want {:?}, got {got:?}",
                (want_text, want_chains)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn go_errors() {
    // "" means no error.
    let rows: Vec<(&str, &str)> = vec![
        ("{{if .Cond}}<a>{{else}}<b>{{end}}", ""),
        ("{{if .Cond}}<a>{{end}}", ""),
        ("{{if .Cond}}{{else}}<b>{{end}}", ""),
        ("{{with .Cond}}<div>{{end}}", ""),
        ("{{range .Items}}<a>{{end}}", ""),
        ("<a href='/foo?{{range .Items}}&{{.K}}={{.V}}{{end}}'>", ""),
        ("{{range .Items}}<a{{if .X}}{{end}}>{{end}}", ""),
        ("<script>var a = `${a+b}`</script>`", ""),
        ("<script>var tmpl = `asd`;</script>", ""),
        ("<script>var tmpl = `${1}`;</script>", ""),
        ("<script>var tmpl = `${return ``}`;</script>", ""),
        ("<script>var tmpl = `${return {{.}} }`;</script>", ""),
        (
            "<script>var tmpl = `${ let a = {1:1} {{.}} }`;</script>",
            "",
        ),
        ("<script>var tmpl = `asd ${return \"{\"}`;</script>", ""),
        ("{{if eq \"\" \"\"}}<meta>{{end}}", ""),
        (
            "{{if eq \"\" \"\"}}<meta content=\"url={{\"asd\"}}\">{{end}}",
            "",
        ),
        ("<script>var a = `{{if .X}}a{{else}}b{{end}}`</script>", ""),
        ("<p title={{if .C}}{{.}}{{end}}>", ""),
        ("<input {{if .T}}checked {{end}}name=n>", ""),
        // Errors.
        (
            "{{if .Cond}}<a{{end}}",
            "{{if}} branches end in different contexts",
        ),
        (
            "{{if .Cond}}\n{{else}}\n<a{{end}}",
            "{{if}} branches end in different contexts",
        ),
        // Missing quote in the else branch.
        (
            "{{if .Cond}}<a href=\"foo\">{{else}}<a href=\"bar>{{end}}",
            "{{if}} branches end in different contexts",
        ),
        // Different kind of attribute: href implies a URL.
        (
            "<a {{if .Cond}}href='{{else}}title='{{end}}{{.X}}'>",
            "{{if}} branches end in different contexts",
        ),
        (
            "\n{{with .X}}<a{{end}}",
            "{{with}} branches end in different contexts",
        ),
        (
            "\n{{with .X}}<a>{{else}}<a{{end}}",
            "{{with}} branches end in different contexts",
        ),
        (
            "{{range .Items}}<a{{end}}",
            "\"<\" in attribute name: \"<a\"",
        ),
        (
            "\n{{range .Items}} x='<a{{end}}",
            "on range loop re-entry: {{range}} branches",
        ),
        ("<a b=1 c={{.H}}", "ends in a non-text context"),
        ("<script>foo();", "ends in a non-text context"),
        (
            "<a href=\"{{if .F}}/foo?a={{else}}/bar/{{end}}{{.H}}\">",
            "ambiguous context within a URL",
        ),
        (
            "<a onclick=\"alert('Hello \\",
            "unfinished escape sequence in JS string: \"Hello \\\\\"",
        ),
        (
            "<a onclick='alert(\"Hello\\, World\\",
            "unfinished escape sequence in JS string: \"Hello\\\\, World\\\\\"",
        ),
        (
            "<a onclick='alert(/x+\\",
            "unfinished escape sequence in JS string: \"x+\\\\\"",
        ),
        (
            "<a onclick=\"/foo[\\]/",
            "unfinished JS regexp charset: \"foo[\\\\]/\"",
        ),
        // Is 1.5 `1\.5` or `1.5`? `1/- 1.5 /i.test(x)` or `/-1\.5/i.test(x)`.
        (
            "<script>{{if false}}var x = 1{{end}}/-{{\"1.5\"}}/i.test(x)</script>",
            "'/' could start a division or regexp: \"/-\"",
        ),
        (
            "<input type=button value=onclick=>",
            "\"=\" in unquoted attribute value: \"onclick=\"",
        ),
        (
            "<input type=button value= onclick=>",
            "\"=\" in unquoted attribute value: \"onclick=\"",
        ),
        (
            "<input type=button value= 1+1=2>",
            "\"=\" in unquoted attribute value: \"1+1=2\"",
        ),
        (
            "<a class=`foo>",
            "\"`\" in unquoted attribute value: \"`foo\"",
        ),
        (
            "<a style=font:'Arial'>",
            "\"'\" in unquoted attribute value: \"font:'Arial'\"",
        ),
        (
            "<a=foo>",
            "expected space, attr name, or end of tag, but got \"=foo>\"",
        ),
        (
            "<script>var a = `{{if .X}}`{{end}}",
            "{{if}} branches end in different contexts",
        ),
        (
            "<script>var a = `{{if .X}}a{{else}}`{{end}}",
            "{{if}} branches end in different contexts",
        ),
        // Beyond Go's table.
        ("<a {{.}}>", "cannot appear inside a tag"),
        ("<a x{{.y}}=1>", "cannot be an attribute name"),
        ("<a href=\"{{.x}}", "ends in a non-text context"),
        ("<script>var s = \"{{.}}", "ends in a non-text context"),
        ("<!-- x", "ends in a non-text context"),
        ("<title>x", "ends in a non-text context"),
        ("<a", "ends in a non-text context"),
        ("<script>var a = `${", "ends in a non-text context"),
        ("<style>p { color: red", "ends in a non-text context"),
        (
            "<script>`${ {{if .X}}{ {{end}} }`</script>",
            "{{if}} branches end in different contexts",
        ),
        ("<h{{3}}>", "cannot appear inside a tag"),
        (
            "<input {{\"onchange\"}}=\"{{\"doEvil()\"}}\">",
            "cannot appear inside a tag",
        ),
        (
            "<img on{{\"load\"}}=\"alert({{\"loaded\"}})\">",
            "cannot be an attribute name",
        ),
        (
            "<input checked {{\"\"}}=\"Whose value am I?\">",
            "cannot appear inside a tag",
        ),
        (
            "<script>x = {{if .X}}a{{else}}'b{{end}}</script>",
            "{{if}} branches end in different contexts",
        ),
        (
            "<a title=\"{{if .X}}\"{{end}}>",
            "{{if}} branches end in different contexts",
        ),
        ("<a href=\"?{{range .X}}x#{{end}}\">", ""),
        (
            "<a onclick=\"f({{range .X}}'{{end}})\">",
            "on range loop re-entry",
        ),
    ];
    let mut failures = Vec::new();
    for (tpl, want) in &rows {
        let got = run(tpl);
        let ok = match &got {
            Ok(_) => want.is_empty(),
            Err(m) => !want.is_empty() && m.contains(want),
        };
        if !ok {
            failures.push(format!("{tpl:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// join, check_end.

#[test]
fn join_rules() {
    let a = ctx(S::Url).d(D::DoubleQuote).a(A::Url).u(U::QueryOrFrag);
    let b = ctx(S::Url).d(D::DoubleQuote).a(A::Url).u(U::PreQuery);
    assert_eq!(join(a, a), Ok(a));
    assert_eq!(join(a, b), Ok(a.u(U::Unknown)));
    let a = ctx(S::Js).e(E::Script).j(J::DivOp);
    assert_eq!(join(a, a.j(J::Regexp)), Ok(a.j(J::Unknown)));
    // Nudged and unnudged: `<p title={{if .C}}{{.}}{{end}}`.
    let before = ctx(S::BeforeValue);
    let value = ctx(S::Attr).d(D::SpaceOrTagEnd);
    assert_eq!(join(value, before), Ok(value));
    assert_eq!(join(before, value), Ok(value));
    // `<input {{if .T}}checked {{end}}name=n>` ends in Tag either way.
    assert_eq!(join(ctx(S::Tag), ctx(S::Tag)), Ok(ctx(S::Tag)));
    let e = join(ctx(S::Tag), Context::text()).unwrap_err();
    assert!(e.contains("branches end in different contexts"), "{e}");
    assert!(
        e.contains("inside a tag") && e.contains("in HTML text"),
        "{e}"
    );
    // Differ in more than one way.
    let x = ctx(S::Url).d(D::DoubleQuote).a(A::Url).u(U::QueryOrFrag);
    assert!(join(x, x.d(D::SingleQuote)).is_err());
    assert!(join(ctx(S::Js).j(J::DivOp), ctx(S::JsDqStr)).is_err());
    // Brace depths must agree.
    let t = ctx(S::Js).e(E::Script);
    assert!(join(t.b(&[0]), t.b(&[1])).is_err());
    assert!(join(t.b(&[0]), t).is_err());
    // Names are not part of the identity.
    let (_, a) = escape_text(Context::text(), "<a title=\"").unwrap();
    let (_, b) = escape_text(Context::text(), "<b alt=\"").unwrap();
    assert_eq!(join(a, b), Ok(a));
}

#[test]
fn check_end_rules() {
    assert_eq!(check_end(Context::text()), Ok(()));
    assert_eq!(check_end(after("<a href=x>").unwrap()), Ok(()));
    assert_eq!(check_end(after("<script>x</script>").unwrap()), Ok(()));
    for t in [
        "<a",
        "<a href=x",
        "<script>",
        "<!--",
        "<title>",
        "<style>",
        "<a onclick=\"",
    ] {
        let e = check_end(after(t).unwrap()).unwrap_err();
        assert!(e.contains("ends in a non-text context"), "{t:?}: {e}");
    }
}

#[test]
fn describe_contexts() {
    let rows = [
        ("", "in HTML text"),
        ("<a ", "inside the tag <a>"),
        ("</p ", "inside the tag </p>"),
        ("<a href=\"", "inside the `href` attribute of <a>"),
        ("<A HREF=\"", "inside the `href` attribute of <a>"),
        ("<a href", "inside the name of the `href` attribute of <a>"),
        ("<a href ", "after the name of the `href` attribute of <a>"),
        (
            "<a href=",
            "before the value of the `href` attribute of <a>",
        ),
        ("<script>", "inside <script>"),
        (
            "<script>var x = '",
            "inside a JavaScript string in <script>",
        ),
        (
            "<script>var x = /",
            "inside a JavaScript regular expression in <script>",
        ),
        (
            "<script>var x = `",
            "inside a JavaScript template literal in <script>",
        ),
        ("<script>//", "inside a JavaScript comment in <script>"),
        (
            "<a onclick=\"f('",
            "inside a JavaScript string in the `onclick` attribute of <a>",
        ),
        ("<a onclick=\"", "inside the `onclick` attribute of <a>"),
        ("<style>", "inside <style>"),
        ("<style>a { b: 'c", "inside a CSS string in <style>"),
        (
            "<a style=\"x: url(",
            "inside a CSS url(…) in the `style` attribute of <a>",
        ),
        ("<title>", "inside <title>"),
        ("<textarea>", "inside <textarea>"),
        ("<!--", "inside an HTML comment"),
    ];
    for (t, want) in rows {
        assert_eq!(after(t).unwrap().describe(), want, "{t:?}");
    }
    assert_eq!(ctx(S::Tag).describe(), "inside a tag");
    assert_eq!(format!("{}", Context::text()), "in HTML text");
    let long = after("<a data-a-very-very-long-attribute-name-indeed=\"").unwrap();
    assert!(
        long.describe().contains("…` attribute of <a>"),
        "{}",
        long.describe()
    );
}

#[test]
fn is_html_text_only_in_text() {
    assert!(Context::text().is_html_text());
    assert!(after("<p>x</p>").unwrap().is_html_text());
    for t in [
        "<p",
        "<p title=\"",
        "<textarea>",
        "<script>",
        "<!--",
        "<style>",
    ] {
        assert!(!after(t).unwrap().is_html_text(), "{t:?}");
    }
}

// ---------------------------------------------------------------------------
// Helpers, after Go's unit tests.

#[test]
fn go_next_js_ctx() {
    let rows = [
        (J::Regexp, ";"),
        (J::Regexp, "}"),
        (J::DivOp, ")"),
        (J::DivOp, "]"),
        (J::Regexp, "("),
        (J::Regexp, "["),
        (J::Regexp, "{"),
        (J::Regexp, "="),
        (J::Regexp, "+="),
        (J::Regexp, "*="),
        (J::Regexp, "*"),
        (J::Regexp, "!"),
        (J::Regexp, "+"),
        (J::Regexp, "-"),
        (J::DivOp, "--"),
        (J::DivOp, "++"),
        (J::DivOp, "x--"),
        (J::Regexp, "x---"),
        (J::Regexp, "return"),
        (J::Regexp, "return "),
        (J::Regexp, "return\t"),
        (J::Regexp, "return\n"),
        (J::Regexp, "return\u{2028}"),
        (J::Regexp, "return\u{a0}"),
        (J::Regexp, "typeof\u{feff}"),
        (J::DivOp, "x"),
        (J::DivOp, "x "),
        (J::DivOp, "x\t"),
        (J::DivOp, "x\n"),
        (J::DivOp, "x\u{2028}"),
        (J::DivOp, "preturn"),
        (J::DivOp, "0"),
        (J::DivOp, "0."),
        (J::Regexp, "."),
        (J::Regexp, "x."),
        (J::DivOp, "é"),
    ];
    for (want, s) in rows {
        assert_eq!(next_js_ctx(s.as_bytes(), J::Regexp), want, "{s:?}");
        assert_eq!(next_js_ctx(s.as_bytes(), J::DivOp), want, "{s:?}");
    }
    assert_eq!(next_js_ctx(b"   ", J::Regexp), J::Regexp);
    assert_eq!(next_js_ctx(b"   ", J::DivOp), J::DivOp);
}

#[test]
fn go_ends_with_css_keyword() {
    let rows = [
        ("", "url", false),
        ("url", "url", true),
        ("URL", "url", true),
        ("Url", "url", true),
        ("url", "important", false),
        ("important", "important", true),
        ("image-url", "url", false),
        ("imageurl", "url", false),
        ("image url", "url", true),
        ("éurl", "url", false),
    ];
    for (css, kw, want) in rows {
        assert_eq!(
            ends_with_css_keyword(css.as_bytes(), kw.as_bytes()),
            want,
            "{css:?}"
        );
    }
}

#[test]
fn go_decode_css() {
    let rows = [
        ("", ""),
        ("foo", "foo"),
        ("foo\\", "foo"),
        ("foo\\\\", "foo\\"),
        ("\\", ""),
        ("\\A", "\n"),
        ("\\a", "\n"),
        ("\\0a", "\n"),
        ("\\00000a", "\n"),
        ("\\000000a", "\u{0}a"),
        ("\\1234 5", "\u{1234}5"),
        ("\\1234\\20 5", "\u{1234} 5"),
        ("\\1234\\A 5", "\u{1234}\n5"),
        ("\\1234\t5", "\u{1234}5"),
        ("\\1234\n5", "\u{1234}5"),
        ("\\1234\r\n5", "\u{1234}5"),
        ("\\12345", "\u{12345}"),
        ("\\\\", "\\"),
        ("\\\\ ", "\\ "),
        ("\\\"", "\""),
        ("\\'", "'"),
        ("\\.", "."),
        ("\\. .", ". ."),
        ("\\é", "é"),
        ("\\d800", "\u{fffd}"),
        ("\\110000", "\u{11000}0"),
        (
            "The \\3c i\\3equick\\3c/i\\3e,\\d\\A\\3cspan style=\\27 color:brown\\27\\3e brown\\3c/span\\3e  fox jumps\\2028over the \\3c canine class=\\22lazy\\22 \\3e dog\\3c/canine\\3e",
            "The <i>quick</i>,\r\n<span style='color:brown'>brown</span> fox jumps\u{2028}over the <canine class=\"lazy\">dog</canine>",
        ),
    ];
    for (css, want) in rows {
        assert_eq!(
            decode_css(css.as_bytes()).as_ref(),
            want.as_bytes(),
            "{css:?}"
        );
    }
}

#[test]
fn go_find_end_tag() {
    let rows = [
        ("", "tag", None),
        ("hello </textarea> hello", "textarea", Some(6)),
        ("hello </TEXTarea> hello", "textarea", Some(6)),
        ("hello </textAREA>", "textarea", Some(6)),
        ("hello </textarea", "textareax", None),
        ("hello </textarea>", "tag", None),
        ("hello tag </textarea", "tag", None),
        (
            "hello </tag> </other> </textarea> <other>",
            "textarea",
            Some(22),
        ),
        ("</textarea> <other>", "textarea", Some(0)),
        ("<div> </div> </TEXTAREA>", "textarea", Some(13)),
        ("<div> </div> </TEXTAREA\t>", "textarea", Some(13)),
        ("<div> </div> </TEXTAREA >", "textarea", Some(13)),
        ("<div> </div> </TEXTAREAfoo", "textarea", None),
        ("</TEXTAREAfoo </textarea>", "textarea", Some(14)),
        ("<</script >", "script", Some(1)),
        ("</script>", "textarea", None),
    ];
    for (s, tag, want) in rows {
        assert_eq!(
            index_tag_end(s.as_bytes(), tag.as_bytes()),
            want,
            "{s:?}/{tag:?}"
        );
    }
}

#[test]
fn go_unescape() {
    let rows = [
        ("A\ttext\nstring", "A\ttext\nstring"),
        ("&amp; &gt; &lt;", "& > <"),
        ("&amp &amp", "& &"),
        ("text &gesl; blah", "text \u{22db}\u{fe00} blah"),
        ("Delta = &#916; ", "Delta = Δ "),
        ("Lambda = &#x3bb; = &#X3Bb ", "Lambda = λ = λ "),
        (
            "&# &#x &#128;43 &copy = &#169f = &#xa9",
            "&# &#x €43 © = ©f = ©",
        ),
        ("Footnote&#x87;", "Footnote‡"),
        ("&", "&"),
        ("text &test", "text &test"),
        ("&quot;&apos;&#39;&#x27;", "\"'''"),
        ("&ampx;", "&x;"),
        ("&notit;", "¬it;"),
        (
            "&#0;&#xD800;&#x110000;&#99999999999;",
            "\u{fffd}\u{fffd}\u{fffd}\u{fffd}",
        ),
        ("&#x;", "\u{fffd}"),
        ("&#1", "&#1"),
        ("&#12", "\u{c}"),
        ("&lpar;&sol;&ast;&bsol;&grave;&NewLine;&Tab;", "(/*\\`\n\t"),
        ("&nLt;", "&nLt;"),
        ("&;", "&;"),
    ];
    for (html, want) in rows {
        assert_eq!(
            String::from_utf8_lossy(&entity::unescape(html.as_bytes())),
            want,
            "{html:?}"
        );
    }
}

#[test]
fn go_attr_types() {
    let rows = [
        ("href", ContentType::Url),
        ("src", ContentType::Url),
        ("action", ContentType::Url),
        ("formaction", ContentType::Url),
        ("xmlns", ContentType::Url),
        ("xmlns:svg", ContentType::Url),
        ("xlink:href", ContentType::Url),
        ("data-action", ContentType::Url),
        ("data-src", ContentType::Url),
        ("myurl", ContentType::Url),
        ("onclick", ContentType::Js),
        ("on", ContentType::Js),
        ("data-onx", ContentType::Js),
        ("style", ContentType::Css),
        ("svg:style", ContentType::Css),
        ("srcset", ContentType::Srcset),
        ("srcdoc", ContentType::Html),
        ("title", ContentType::Plain),
        ("data-title", ContentType::Plain),
        ("type", ContentType::Unsafe),
        ("g:value", ContentType::Unsafe),
        ("xyz", ContentType::Plain),
    ];
    for (name, want) in rows {
        assert_eq!(attr_type(name), want, "{name:?}");
    }
    assert!(is_js_type(b"text/javascript"));
    assert!(is_js_type(b" Text/JavaScript ; charset=utf-8"));
    assert!(is_js_type(b"module"));
    assert!(is_js_type(b""));
    assert!(!is_js_type(b"text/template"));
    assert!(!is_js_type(b"importmap"));
}

// ---------------------------------------------------------------------------
// Robustness: no input panics, and the analysis is consistent.

/// xorshift64*: a small deterministic generator for the fuzz loop.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "<",
    ">",
    "</",
    "<a",
    "<a ",
    " href=",
    " title=",
    " onclick=",
    " style=",
    " srcset=",
    " srcdoc=",
    " type=",
    " data-url=",
    "=",
    "\"",
    "'",
    "`",
    "${",
    "{",
    "}",
    "$",
    "/",
    "*",
    "//",
    "/*",
    "*/",
    "<!--",
    "-->",
    "#!",
    "<script>",
    "</script>",
    "<script type=\"text/plain\">",
    "<style>",
    "</style>",
    "<title>",
    "</title>",
    "<textarea>",
    "</textarea>",
    "url(",
    ")",
    "(",
    "[",
    "]",
    "\\",
    "&quot;",
    "&#x22;",
    "&#39;",
    "&amp",
    "&",
    ";",
    "\n",
    "\r",
    "\u{2028}",
    "\u{a0}",
    " ",
    "\t",
    "é",
    "日本",
    "?",
    "#",
    ":",
    "x",
    "1",
    "return ",
    "javascript:",
    "<!DOCTYPE",
    "-",
    "--",
    "+",
    ".",
    "\\3f",
];

fn random_text(rng: &mut Rng, max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

#[test]
fn fuzz_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut contexts = vec![Context::text()];
    for round in 0..30_000 {
        let start = contexts[rng.below(contexts.len())];
        let text = random_text(&mut rng, 12);
        if let Ok((out, c)) = escape_text(start, &text) {
            // Rewriting only drops comments and adds `&lt;` / `\x3C`.
            assert!(out.len() <= text.len() * 4 + 4, "{text:?} → {out:?}");
            // The same text from the same context ends the same way.
            assert_eq!(escape_text(start, &text).map(|(_, c)| c), Ok(c));
            // Empty text changes nothing.
            assert_eq!(escape_text(c, ""), Ok((String::new(), c)));
            let _ = c.describe();
            let _ = check_end(c);
            if let Ok((_, c2)) = escape_slot(c) {
                contexts.push(c2);
            }
            contexts.push(c);
        }
        if round % 3 == 0 && contexts.len() > 1 {
            let a = contexts[rng.below(contexts.len())];
            let b = contexts[rng.below(contexts.len())];
            if let Ok(j) = join(a, b) {
                // Joining is symmetric in success.
                assert!(join(b, a).is_ok(), "{a:?} {b:?}");
                let _ = escape_slot(j);
            }
        }
        if contexts.len() > 4_000 {
            contexts.truncate(100);
        }
    }
}

#[test]
fn fuzz_arbitrary_text() {
    // Arbitrary characters, including ones the pieces above lack.
    let mut rng = Rng(42);
    for _ in 0..5_000 {
        let n = rng.below(40);
        let text: String = (0..n)
            .map(|_| match rng.below(4) {
                0 => char::from(rng.below(128) as u8),
                1 => char::from_u32(rng.below(0x3000) as u32).unwrap_or('x'),
                _ => char::from(b"<>\"'`/*-!{}$\\&#;=? \n"[rng.below(20)]),
            })
            .collect();
        for prefix in [
            "",
            "<a href=\"",
            "<a onclick='",
            "<script>",
            "<style>",
            "<a style=x",
            "<title>",
            "<!--",
        ] {
            let (_, c) = escape_text(Context::text(), prefix).unwrap();
            let _ = escape_text(c, &text);
        }
    }
}

// ---------------------------------------------------------------------------
// Attribute values reported by `escape_text_attrs`.

#[test]
fn static_attribute_values() {
    use super::{escape_text_attrs, StaticAttr};
    let attr = |name: &str, value: &str, start: usize, end: usize| StaticAttr {
        name: name.into(),
        value: value.into(),
        start,
        end,
    };
    let values = |c: Context, text: &str| {
        let mut attrs = Vec::new();
        let (_, end) = escape_text_attrs(c, text, &mut attrs).unwrap();
        (attrs, end)
    };
    // Quoted both ways, unquoted, names lower-cased, references decoded;
    // the offsets are of the value as written.
    let text = r#"<a HREF="/x?a=1&amp;b" id='i' Lt-Click=go>t</a>"#;
    let (attrs, end) = values(Context::text(), text);
    assert_eq!(
        attrs,
        [
            attr("href", "/x?a=1&b", 9, 21),
            attr("id", "i", 27, 28),
            attr("lt-click", "go", 39, 41),
        ]
    );
    assert_eq!(&text[9..21], "/x?a=1&amp;b");
    assert_eq!(end, Context::text());
    // A value still open at the end, or open at the start, is not whole.
    let (attrs, end) = values(Context::text(), r#"<a lt-click="x"#);
    assert_eq!(attrs, []);
    assert_eq!(end.delim, D::DoubleQuote);
    let (attrs, _) = values(end, r#"y" title="z">"#);
    assert_eq!(attrs, [attr("title", "z", 10, 11)]);
    // Event handlers and styles are values too; comments hold none.
    let (attrs, _) = values(
        Context::text(),
        r#"<b onclick="f()" style="c:d"><!-- <i x="y"> -->"#,
    );
    let names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["onclick", "style"]);
    // Names too long to keep whole are left out.
    let long = format!(r#"<a {}="v" b="w">"#, "n".repeat(31));
    let (attrs, _) = values(Context::text(), &long);
    assert_eq!(attrs, [attr("b", "w", 42, 43)]);
}
