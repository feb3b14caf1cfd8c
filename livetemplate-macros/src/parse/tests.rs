use super::*;
use proptest::prelude::*;

// --- helpers -----------------------------------------------------------

fn parse_ok(src: &str) -> TemplateFile {
    parse(src).unwrap_or_else(|e| panic!("{src:?} failed: {e:?}"))
}

fn parse_err(src: &str) -> TemplateError {
    match parse(src) {
        Ok(t) => panic!("{src:?} parsed: {t:?}"),
        Err(e) => e,
    }
}

/// Span of the first occurrence of `needle` in `src`.
fn at(src: &str, needle: &str) -> Span {
    let start = src
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {src:?}"));
    Span::new(start, start + needle.len())
}

/// Span of the last occurrence of `needle` in `src`.
fn at_last(src: &str, needle: &str) -> Span {
    let start = src.rfind(needle).unwrap();
    Span::new(start, start + needle.len())
}

/// Asserts the message and that the span covers exactly the first `spanned` in `src`.
fn check_err(src: &str, message: &str, spanned: &str) {
    let e = parse_err(src);
    assert_eq!(e.message, message, "message for {src:?}");
    assert_eq!(e.span, at(src, spanned), "span for {src:?}: {e:?}");
}

/// Like [`check_err`], for the last occurrence of `spanned`.
fn check_err_last(src: &str, message: &str, spanned: &str) {
    let e = parse_err(src);
    assert_eq!(e.message, message, "message for {src:?}");
    assert_eq!(e.span, at_last(src, spanned), "span for {src:?}: {e:?}");
}

/// A compact rendering of the tree, so tests can compare whole trees.
fn show(src: &str) -> String {
    let file = parse_ok(src);
    let mut out = show_nodes(&file.body);
    for d in &file.defines {
        out += &format!(" define {:?}{{{}}}", d.name, show_nodes(&d.body));
    }
    out
}

fn show_nodes(nodes: &[Node]) -> String {
    nodes.iter().map(show_node).collect::<Vec<_>>().join(" ")
}

fn show_node(node: &Node) -> String {
    match node {
        Node::Text { text, .. } => format!("{text:?}"),
        Node::Action { pipe, .. } => format!("{{{}}}", show_pipe(pipe)),
        Node::If {
            branches,
            else_body,
            ..
        } => show_branches("if", branches, else_body),
        Node::With {
            branches,
            else_body,
            ..
        } => show_branches("with", branches, else_body),
        Node::Range {
            pipe,
            body,
            else_body,
            ..
        } => {
            let mut s = format!("range({}){{{}}}", show_pipe(pipe), show_nodes(body));
            if let Some(e) = else_body {
                s += &format!("else{{{}}}", show_nodes(e));
            }
            s
        }
        Node::Template { name, pipe, .. } => match pipe {
            Some(p) => format!("template({name:?} {})", show_pipe(p)),
            None => format!("template({name:?})"),
        },
    }
}

fn show_branches(kw: &str, branches: &[Branch], else_body: &Option<Vec<Node>>) -> String {
    let mut s = String::new();
    for (i, b) in branches.iter().enumerate() {
        let kw = if i == 0 {
            kw.to_string()
        } else {
            format!("elif-{kw}")
        };
        s += &format!("{kw}({}){{{}}}", show_pipe(&b.cond), show_nodes(&b.body));
    }
    if let Some(e) = else_body {
        s += &format!("else{{{}}}", show_nodes(e));
    }
    s
}

fn show_pipe(p: &Pipeline) -> String {
    let mut s = String::new();
    if !p.decl.is_empty() {
        let vars: Vec<String> = p.decl.iter().map(|(n, _)| format!("${n}")).collect();
        s += &vars.join(", ");
        s += if p.is_assign { " = " } else { " := " };
    }
    let cmds: Vec<String> = p
        .cmds
        .iter()
        .map(|c| c.args.iter().map(show_expr).collect::<Vec<_>>().join(" "))
        .collect();
    s + &cmds.join(" | ")
}

fn show_path(path: &[Ident]) -> String {
    path.iter().map(|i| format!(".{}", i.name)).collect()
}

fn show_expr(e: &Expr) -> String {
    match e {
        Expr::Dot(_) => ".".into(),
        Expr::Field { path, .. } => show_path(path),
        Expr::Var { name, path, .. } => format!("${name}{}", show_path(path)),
        Expr::Paren { pipe, path, .. } => format!("({}){}", show_pipe(pipe), show_path(path)),
        Expr::Func { name, .. } => name.clone(),
        Expr::Str { value, .. } => format!("{value:?}"),
        Expr::Int { value, .. } => value.to_string(),
        Expr::Float { value, .. } => format!("{value:?}f"),
        Expr::Bool { value, .. } => value.to_string(),
        Expr::Nil(_) => "nil".into(),
    }
}

/// The expression of a one-operand action `{{…}}`.
fn expr(src: &str) -> Expr {
    match &parse_ok(src).body[..] {
        [Node::Action { pipe, .. }] => pipe.cmds[0].args[0].clone(),
        other => panic!("{other:?}"),
    }
}

// --- text, trim markers, comments --------------------------------------

#[test]
fn text_only() {
    assert_eq!(show("<p>héllo</p>"), r#""<p>héllo</p>""#);
    assert_eq!(show(""), "");
    let file = parse_ok("a}}b{c");
    assert_eq!(
        file.body,
        vec![Node::Text {
            text: "a}}b{c".into(),
            span: Span::new(0, 6)
        }]
    );
}

#[test]
fn text_and_action_spans() {
    let src = "<p>{{.a}}</p>";
    let file = parse_ok(src);
    assert_eq!(file.body.len(), 3);
    assert_eq!(file.body[0].span(), Span::new(0, 3));
    assert_eq!(file.body[1].span(), at(src, "{{.a}}"));
    assert_eq!(file.body[2].span(), Span::new(9, 13));
    let Node::Action { pipe, .. } = &file.body[1] else {
        panic!()
    };
    assert_eq!(pipe.span, at(src, ".a"));
    assert_eq!(pipe.cmds[0].span, at(src, ".a"));
}

#[test]
fn trim_markers() {
    assert_eq!(show("a  \n{{- .x -}} \t\nb"), r#""a" {.x} "b""#);
    assert_eq!(show("a {{- .x}} b"), r#""a" {.x} " b""#);
    assert_eq!(show("a {{.x -}} b"), r#""a " {.x} "b""#);
    // Text emptied by trimming disappears, but spans cover the untrimmed text.
    assert_eq!(show("{{.x -}}   {{- .y}}"), "{.x} {.y}");
    let src = "a \n{{- .x -}}\n b";
    let file = parse_ok(src);
    assert_eq!(
        file.body[0],
        Node::Text {
            text: "a".into(),
            span: Span::new(0, 3)
        }
    );
    assert_eq!(file.body[1].span(), at(src, "{{- .x -}}"));
    assert_eq!(
        file.body[2],
        Node::Text {
            text: "b".into(),
            span: Span::new(13, 16)
        }
    );
    // Tabs, carriage returns and newlines after the dash count as space.
    assert_eq!(show("a {{-\t.x\r-}} b"), r#""a" {.x} "b""#);
    assert_eq!(show("a {{-\n.x\n-}} b"), r#""a" {.x} "b""#);
}

#[test]
fn dash_without_space_is_a_number() {
    assert_eq!(show("a {{-3}} b"), r#""a " {-3} " b""#);
    assert_eq!(show("{{3 -}} b"), r#"{3} "b""#);
    assert_eq!(show("{{print -3 }}"), "{print -3}");
}

#[test]
fn comments() {
    assert_eq!(show("a{{/* c */}}b"), r#""a" "b""#);
    assert_eq!(show("a {{- /* c */ -}} b"), r#""a" "b""#);
    assert_eq!(show("{{/* {{.x}} \n */}}"), "");
    assert_eq!(show("{{/**/}}"), "");
}

#[test]
fn comment_errors() {
    check_err(
        "a {{/* never",
        "unterminated comment: expected `*/}}`",
        "{{/*",
    );
    check_err(
        "a {{- /* never",
        "unterminated comment: expected `*/}}`",
        "{{- /*",
    );
    check_err(
        "{{/* c */ }}",
        "comment must end with `*/}}`: expected `}}` right after `*/`",
        "*/",
    );
    let e = parse_err("{{ /* c */ }}");
    assert_eq!(e.message, "unexpected character `/` in action");
}

// --- operands -----------------------------------------------------------

#[test]
fn operands() {
    assert_eq!(show("{{.}}"), "{.}");
    assert_eq!(show("{{.a.b.c}}"), "{.a.b.c}");
    assert_eq!(show("{{$}}"), "{$}");
    assert_eq!(show("{{$.a}}"), "{$.a}");
    assert_eq!(show("{{$x := 1}}{{$x.a.b}}"), "{$x := 1} {$x.a.b}");
    assert_eq!(show("{{(.a).b.c}}"), "{(.a).b.c}");
    assert_eq!(show("{{(len .a)}}"), "{(len .a)}");
    assert_eq!(
        show("{{nil}} {{true}} {{false}}"),
        r#"{nil} " " {true} " " {false}"#
    );
    assert_eq!(show("{{.é_1}}"), "{.é_1}");
    assert_eq!(show("{{ .a }}"), "{.a}");
}

#[test]
fn operand_spans() {
    let src = "{{printf \"%d\" .a.b $x.c (len .d).e 'q' 1.5 nil true .}}";
    let src = format!("{{{{$x := 1}}}}{src}");
    let file = parse_ok(&src);
    let Node::Action { pipe, span } = &file.body[1] else {
        panic!()
    };
    assert_eq!(*span, Span::new(11, src.len()));
    let spans: Vec<&str> = pipe.cmds[0]
        .args
        .iter()
        .map(|a| &src[a.span().start..a.span().end])
        .collect();
    assert_eq!(
        spans,
        [
            "printf",
            "\"%d\"",
            ".a.b",
            "$x.c",
            "(len .d).e",
            "'q'",
            "1.5",
            "nil",
            "true",
            "."
        ]
    );
    let Expr::Field { path, .. } = &pipe.cmds[0].args[2] else {
        panic!()
    };
    assert_eq!(path[1].span, at(&src, ".b"));
    assert_eq!(path[1].name, "b");
}

#[test]
fn strings() {
    let s = |src| match expr(src) {
        Expr::Str { value, .. } => value,
        other => panic!("{other:?}"),
    };
    assert_eq!(s(r#"{{"a\n\t\\\"b"}}"#), "a\n\t\\\"b");
    assert_eq!(s(r#"{{"\x41\101\u00e9\U0001F600"}}"#), "AAé😀");
    assert_eq!(s(r#"{{"\xc3\xa9"}}"#), "é");
    assert_eq!(s(r#"{{"\a\b\f\r\v"}}"#), "\x07\x08\x0c\r\x0b");
    assert_eq!(s(r#"{{"}}"}}"#), "}}");
    assert_eq!(s("{{`raw \\n\n{{x}}`}}"), "raw \\n\n{{x}}");
    assert_eq!(s("{{`a\r\nb`}}"), "a\nb");
    assert_eq!(s(r#"{{""}}"#), "");
}

#[test]
fn string_errors() {
    check_err(
        r#"{{"abc}}"#,
        "unterminated string literal: expected `\"`",
        r#""abc}}"#,
    );
    check_err(
        "{{\"abc\n\"}}",
        "unterminated string literal: expected `\"`",
        "\"abc",
    );
    check_err(
        "{{`abc}}",
        "unterminated raw string literal: expected `` ` ``",
        "`abc}}",
    );
    check_err(r#"{{"a\qb"}}"#, "unknown escape sequence `\\q`", r"\q");
    check_err(r#"{{"a\'b"}}"#, "unknown escape sequence `\\'`", r"\'");
    check_err(
        r#"{{"\x4"}}"#,
        "`\\x` escape needs exactly two hex digits, e.g. `\\x41`",
        r"\x",
    );
    check_err(
        r#"{{"\400"}}"#,
        "octal escape value is greater than 255",
        r"\4",
    );
    check_err(
        r#"{{"\ud800"}}"#,
        "invalid Unicode code point in `\\u` escape",
        r"\u",
    );
    check_err(
        r#"{{"\xff"}}"#,
        "string literal is not valid UTF-8: check its `\\x` and octal escapes",
        r#""\xff""#,
    );
}

#[test]
fn chars() {
    let c = |src| match expr(src) {
        Expr::Int { value, .. } => value,
        other => panic!("{other:?}"),
    };
    assert_eq!(c("{{'a'}}"), 97);
    assert_eq!(c(r"{{'\n'}}"), 10);
    assert_eq!(c(r"{{'\''}}"), 39);
    assert_eq!(c(r"{{'\x41'}}"), 65);
    assert_eq!(c(r"{{'\xff'}}"), 255);
    assert_eq!(c(r"{{'\u00e9'}}"), 0xe9);
    assert_eq!(c("{{'é'}}"), 0xe9);
    assert_eq!(c("{{'\"'}}"), 34);
}

#[test]
fn char_errors() {
    check_err(
        "{{'a}}",
        "unterminated character constant: expected `'`",
        "'a}}",
    );
    check_err("{{''}}", "empty character constant `''`", "''");
    check_err(
        "{{'ab'}}",
        "character constant `'ab'` must hold exactly one character",
        "'ab'",
    );
    check_err(r#"{{'\"'}}"#, "unknown escape sequence `\\\"`", r#"\""#);
}

#[test]
fn numbers() {
    let n = |src: &str| show_expr(&expr(&format!("{{{{{src}}}}}")));
    assert_eq!(n("0"), "0");
    assert_eq!(n("42"), "42");
    assert_eq!(n("-3"), "-3");
    assert_eq!(n("+3"), "3");
    assert_eq!(n("0x1F"), "31");
    assert_eq!(n("0X1f"), "31");
    assert_eq!(n("-0x10"), "-16");
    assert_eq!(n("0o17"), "15");
    assert_eq!(n("017"), "15");
    assert_eq!(n("0b101"), "5");
    assert_eq!(n("1_000_000"), "1000000");
    assert_eq!(n("0x_ff"), "255");
    assert_eq!(n("18446744073709551615"), "18446744073709551615");
    assert_eq!(n("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(n("1.5"), "1.5f");
    assert_eq!(n("1e3"), "1000.0f");
    assert_eq!(n("1E-3"), "0.001f");
    assert_eq!(n(".5"), "0.5f");
    assert_eq!(n("-.5"), "-0.5f");
    assert_eq!(n("1."), "1.0f");
    assert_eq!(n("1.e2"), "100.0f");
    assert_eq!(n("0x1P+4"), "16.0f");
    assert_eq!(n("1_0.2_5"), "10.25f");
    assert_eq!(n("0x1p4"), "16.0f");
    assert_eq!(n("0x1.8p1"), "3.0f");
    assert_eq!(n("0x.8p0"), "0.5f");
    assert_eq!(n("0x1p-2"), "0.25f");
}

#[test]
fn number_errors() {
    check_err("{{1a}}", "invalid number `1a`", "1a");
    check_err("{{019}}", "invalid number `019`", "019");
    check_err("{{0x}}", "invalid number `0x`", "0x");
    check_err("{{0b102}}", "invalid number `0b102`", "0b102");
    check_err("{{1__0}}", "invalid number `1__0`", "1__0");
    check_err("{{1_}}", "invalid number `1_`", "1_");
    check_err("{{1.5.2}}", "invalid number `1.5.2`", "1.5.2");
    check_err("{{1e}}", "invalid number `1e`", "1e");
    check_err("{{0x1.8}}", "invalid number `0x1.8`", "0x1.8");
    check_err("{{1-2}}", "invalid number `1-2`", "1-2");
    check_err("{{2i}}", "complex numbers are not supported", "2i");
    check_err("{{1+2i}}", "complex numbers are not supported", "1+2i");
    check_err("{{0.5i}}", "complex numbers are not supported", "0.5i");
    check_err(
        "{{18446744073709551616}}",
        "integer `18446744073709551616` is out of range: it must fit in 64 bits",
        "18446744073709551616",
    );
    check_err(
        "{{-9223372036854775809}}",
        "integer `-9223372036854775809` is out of range: it must fit in 64 bits",
        "-9223372036854775809",
    );
    let e = parse_err("{{99999999999999999999999999999999999999999999}}");
    assert!(e.message.contains("out of range"), "{e:?}");
    check_err("{{1e999}}", "number `1e999` is out of range", "1e999");
    let e = parse_err("{{ - 3}}");
    assert_eq!(e.message, "unexpected character `-` in action");
}

// --- pipelines ------------------------------------------------------------

#[test]
fn pipelines() {
    assert_eq!(show("{{.a | len}}"), "{.a | len}");
    assert_eq!(
        show(r#"{{.a | printf "%s" | html}}"#),
        r#"{.a | printf "%s" | html}"#
    );
    assert_eq!(show("{{.a|len}}"), "{.a | len}");
    assert_eq!(
        show("{{eq (len .a) (index .b 1)}}"),
        "{eq (len .a) (index .b 1)}"
    );
    assert_eq!(show("{{((.a))}}"), "{((.a))}");
    assert_eq!(show("{{(.a | len)}}"), "{(.a | len)}");
    assert_eq!(show("{{.a | $}}"), "{.a | $}");
    assert_eq!(show("{{.a | (.f)}}"), "{.a | (.f)}");
    let src = "{{ .a | len }}";
    let Node::Action { pipe, .. } = &parse_ok(src).body[0] else {
        panic!()
    };
    assert_eq!(pipe.span, at(src, ".a | len"));
    assert_eq!(pipe.cmds[1].span, at(src, "len"));
}

#[test]
fn declarations() {
    assert_eq!(show("{{$x := .a}}"), "{$x := .a}");
    assert_eq!(show("{{$x:=.a}}"), "{$x := .a}");
    assert_eq!(show("{{$x := .a}}{{$x = .b}}"), "{$x := .a} {$x = .b}");
    let src = "{{$x := .a | len}}";
    let Node::Action { pipe, .. } = &parse_ok(src).body[0] else {
        panic!()
    };
    assert_eq!(pipe.decl, vec![("x".to_string(), at(src, "$x"))]);
    assert!(!pipe.is_assign);
    assert_eq!(pipe.span, at(src, "$x := .a | len"));
}

#[test]
fn pipeline_errors() {
    check_err("{{}}", "missing value for command", "{{}}");
    check_err("a {{ }}", "missing value for command", "{{ }}");
    check_err_last("{{- -}}", "unexpected character `-` in action", "-");
    check_err("{{if}}{{end}}", "missing value for `{{if}}`", "{{if}}");
    check_err(
        "{{if .a}}{{else if}}{{end}}",
        "missing value for `{{else if}}`",
        "{{else if}}",
    );
    check_err(
        "{{range}}{{end}}",
        "missing value for `{{range}}`",
        "{{range}}",
    );
    check_err(
        "{{with}}{{end}}",
        "missing value for `{{with}}`",
        "{{with}}",
    );
    check_err(
        "{{.a | }}",
        "empty pipeline stage: expected a command after `|`",
        "|",
    );
    check_err(
        "{{.a | | len}}",
        "empty pipeline stage: expected a command after `|`",
        "|",
    );
    check_err(
        "{{| .a}}",
        "empty pipeline stage: expected a command before `|`",
        "|",
    );
    check_err("{{$x := }}", "missing value after `:=`", ":=");
    check_err("{{()}}", "missing value in `( )`", "()");
    check_err("{{( )}}", "missing value in `( )`", "( )");
    check_err(
        r#"{{.a | "x"}}"#,
        "non-executable command in pipeline stage 2: only a function, field or variable can receive the piped value",
        r#""x""#,
    );
    check_err(
        "{{.a | len | 3}}",
        "non-executable command in pipeline stage 3: only a function, field or variable can receive the piped value",
        "3",
    );
}

#[test]
fn paren_errors() {
    check_err("{{(.a}}", "unclosed `(`: expected `)`", "(");
    check_err("{{len (.a (.b) }}", "unclosed `(`: expected `)`", "(");
    check_err("{{.a)}}", "unexpected `)` without a matching `(`", ")");
    check_err("{{.a )}}", "unexpected `)` without a matching `(`", ")");
    check_err_last("{{(.a))}}", "unexpected `)` without a matching `(`", ")");
    check_err(
        "{{($x := 1)}}",
        "variables cannot be declared in `( )`",
        "$x",
    );
}

#[test]
fn field_after_literal_or_function() {
    check_err(
        r#"{{"x".y}}"#,
        "cannot access field `.y` of literal `\"x\"`",
        ".y",
    );
    check_err(
        "{{true.y}}",
        "cannot access field `.y` of literal `true`",
        ".y",
    );
    check_err(
        "{{nil.y}}",
        "cannot access field `.y` of literal `nil`",
        ".y",
    );
    check_err(
        "{{'a'.y}}",
        "cannot access field `.y` of literal `'a'`",
        ".y",
    );
    check_err(
        "{{len.y}}",
        "cannot access field `.y` of function `len`",
        ".y",
    );
    check_err("{{..y}}", "unexpected `.y` after `.`", ".y");
}

#[test]
fn unexpected_tokens() {
    check_err("{{.a <p>}}", "unexpected character `<` in action", "<");
    check_err("{{.a\"x\"}}", "unexpected `\"x\"` after `.a`", "\"x\"");
    check_err("{{len(.a)}}", "unexpected `(` after `len`", "(");
    check_err("{{.a, .b}}", "unexpected `,` after `.a`", ",");
    check_err("{{.a := 1}}", "unexpected `:=`", ":=");
    check_err("{{.a = 1}}", "unexpected `=`", "=");
    check_err("{{$x : 1}}", "expected `:=`, found `:`", ":");
    check_err(
        "{{.a | end}}",
        "unexpected keyword `end` in pipeline",
        "end",
    );
    check_err("{{len if}}", "unexpected keyword `if` in pipeline", "if");
    check_err("{{.a €}}", "unexpected character `€` in action", "€");
    check_err(
        "{{.a \u{7}}}",
        "unexpected character `\\u{7}` in action",
        "\u{7}",
    );
}

#[test]
fn unterminated_action() {
    check_err(
        "<p>{{.a</p>",
        "unterminated action: `{{` is never closed with `}}`",
        "{{",
    );
    check_err(
        "x {{",
        "unterminated action: `{{` is never closed with `}}`",
        "{{",
    );
    check_err(
        "x {{- ",
        "unterminated action: `{{` is never closed with `}}`",
        "{{- ",
    );
    check_err(
        "{{.a\n<p>{{.b}}</p>",
        "unterminated action: `{{` is never closed with `}}`",
        "{{",
    );
    check_err(
        "{{.a -}",
        "unterminated action: `{{` is never closed with `}}`",
        "{{",
    );
}

#[test]
fn keywords_take_no_junk() {
    check_err(
        "{{if .a}}{{else .b}}{{end}}",
        "unexpected `.b` in `{{else}}`",
        ".b",
    );
    check_err("{{if .a}}{{end .b}}", "unexpected `.b` in `{{end}}`", ".b");
    check_err(
        r#"{{define "x" .a}}{{end}}"#,
        "unexpected `.a` in `{{define}}`",
        ".a",
    );
    check_err("{{break}}", "`{{break}}` is not supported", "{{break}}");
    check_err(
        "{{range .a}}{{continue}}{{end}}",
        "`{{continue}}` is not supported",
        "{{continue}}",
    );
}

// --- control structures -----------------------------------------------------

#[test]
fn if_else_chains() {
    assert_eq!(show("{{if .a}}x{{end}}"), r#"if(.a){"x"}"#);
    assert_eq!(
        show("{{if .a}}x{{else}}y{{end}}"),
        r#"if(.a){"x"}else{"y"}"#
    );
    assert_eq!(
        show("{{if .a}}x{{else if .b}}y{{else if .c}}z{{else}}w{{end}}"),
        r#"if(.a){"x"}elif-if(.b){"y"}elif-if(.c){"z"}else{"w"}"#
    );
    assert_eq!(show("{{if .a}}{{end}}"), "if(.a){}");
    assert_eq!(
        show("{{- if .a -}} x {{- else -}} y {{- end -}}"),
        r#"if(.a){"x"}else{"y"}"#
    );
    assert_eq!(
        show("{{if and .a (not .b)}}x{{end}}"),
        r#"if(and .a (not .b)){"x"}"#
    );
    let src = "{{if .a}}x{{else if .b}}y{{end}}";
    let Node::If { span, branches, .. } = &parse_ok(src).body[0] else {
        panic!()
    };
    assert_eq!(*span, at(src, "{{if .a}}"));
    assert_eq!(branches[1].cond.span, at(src, ".b"));
}

#[test]
fn with_chains() {
    assert_eq!(show("{{with .a}}{{.}}{{end}}"), "with(.a){{.}}");
    assert_eq!(
        show("{{with .a}}x{{else with .b}}y{{else}}z{{end}}"),
        r#"with(.a){"x"}elif-with(.b){"y"}else{"z"}"#
    );
    assert_eq!(
        show("{{with $x := .a}}{{$x}}{{end}}"),
        "with($x := .a){{$x}}"
    );
}

#[test]
fn ranges() {
    assert_eq!(show("{{range .a}}{{.}}{{end}}"), "range(.a){{.}}");
    assert_eq!(
        show("{{range .a}}x{{else}}none{{end}}"),
        r#"range(.a){"x"}else{"none"}"#
    );
    assert_eq!(
        show("{{range $v := .a}}{{$v}}{{end}}"),
        "range($v := .a){{$v}}"
    );
    assert_eq!(
        show("{{range $i, $v := .a}}{{$i}}{{$v}}{{end}}"),
        "range($i, $v := .a){{$i} {$v}}"
    );
    assert_eq!(show("{{range $i,$v:=.a}}{{end}}"), "range($i, $v := .a){}");
    let src = "{{range $i, $v := .a}}{{end}}";
    let Node::Range { pipe, span, .. } = &parse_ok(src).body[0] else {
        panic!()
    };
    assert_eq!(*span, at(src, "{{range $i, $v := .a}}"));
    assert_eq!(pipe.decl[1], ("v".to_string(), at(src, "$v")));
}

#[test]
fn range_errors() {
    check_err(
        "{{range $a, $b, $c := .x}}{{end}}",
        "too many variables in `{{range}}`: at most two (`$index, $element`) can be declared",
        "$c",
    );
    check_err(
        "{{$a, $b := .x}}",
        "too many variables in command: only `{{range}}` can declare two",
        ",",
    );
    check_err(
        "{{if $a, $b := .x}}{{end}}",
        "too many variables in `{{if}}`: only `{{range}}` can declare two",
        ",",
    );
    check_err(
        "{{range $a, .x}}{{end}}",
        "expected a variable after `,`, found `.x`",
        ".x",
    );
    check_err(
        "{{range $a, $b .x}}{{end}}",
        "expected `:=` or `=` after the variables, found `.x`",
        ".x",
    );
    check_err(
        "{{range .a}}{{else if .b}}{{end}}",
        "`{{else if}}` is not allowed in `{{range}}`",
        "{{else if .b}}",
    );
    check_err_last(
        "{{range .a}}{{else}}{{else}}{{end}}",
        "unexpected second `{{else}}` in `{{range}}`",
        "{{else}}",
    );
}

#[test]
fn block_structure_errors() {
    check_err(
        "a{{if .a}}b",
        "`{{if}}` is never closed: expected `{{end}}`",
        "{{if .a}}",
    );
    check_err(
        "{{if .a}}{{else}}b",
        "`{{if}}` is never closed: expected `{{end}}`",
        "{{if .a}}",
    );
    check_err(
        "{{if .a}}{{else if .b}}b",
        "`{{if}}` is never closed: expected `{{end}}`",
        "{{if .a}}",
    );
    check_err(
        "{{range .a}}",
        "`{{range}}` is never closed: expected `{{end}}`",
        "{{range .a}}",
    );
    check_err(
        "{{with .a}}{{else}}",
        "`{{with}}` is never closed: expected `{{end}}`",
        "{{with .a}}",
    );
    check_err(
        r#"{{define "x"}}"#,
        "`{{define}}` is never closed: expected `{{end}}`",
        r#"{{define "x"}}"#,
    );
    check_err(
        r#"{{block "x" .}}"#,
        "`{{block}}` is never closed: expected `{{end}}`",
        r#"{{block "x" .}}"#,
    );
    // The innermost open block is reported.
    check_err(
        "{{if .a}}{{range .b}}{{end}}{{with .c}}",
        "`{{with}}` is never closed: expected `{{end}}`",
        "{{with .c}}",
    );
    let e = parse_err("a {{end}}");
    assert_eq!(e.message, "unexpected `{{end}}`");
    assert_eq!(e.span, Span::new(2, 9));
    assert!(e.help.is_some());
    check_err_last("{{if .a}}{{end}}{{end}}", "unexpected `{{end}}`", "{{end}}");
    check_err(
        "x{{else}}",
        "unexpected `{{else}}` outside `{{if}}`, `{{with}}` or `{{range}}`",
        "{{else}}",
    );
    check_err(
        "{{else if .a}}",
        "unexpected `{{else if}}` outside `{{if}}`, `{{with}}` or `{{range}}`",
        "{{else if .a}}",
    );
    check_err_last(
        "{{if .a}}{{else}}{{else}}{{end}}",
        "unexpected second `{{else}}` in `{{if}}`",
        "{{else}}",
    );
    let e = parse_err("{{if .a}}{{else}}{{else if .b}}{{end}}");
    assert_eq!(e.message, "unexpected `{{else if}}` after `{{else}}`");
    assert_eq!(
        e.span,
        at("{{if .a}}{{else}}{{else if .b}}{{end}}", "{{else if .b}}")
    );
    check_err(
        "{{if .a}}{{else with .b}}{{end}}",
        "`{{else with}}` is not allowed in `{{if}}`",
        "{{else with .b}}",
    );
    check_err(
        "{{with .a}}{{else if .b}}{{end}}",
        "`{{else if}}` is not allowed in `{{with}}`",
        "{{else if .b}}",
    );
    check_err(
        r#"{{define "x"}}{{else}}{{end}}"#,
        "unexpected `{{else}}` in `{{define}}`",
        "{{else}}",
    );
}

#[test]
fn defines_templates_blocks() {
    let src = r#"a{{define "row"}}<tr>{{.}}</tr>{{end}}b{{template "row" .x}}{{template `t`}}"#;
    assert_eq!(
        show(src),
        r#""a" "b" template("row" .x) template("t") define "row"{"<tr>" {.} "</tr>"}"#
    );
    let file = parse_ok(src);
    assert_eq!(file.defines[0].span, at(src, r#"{{define "row"}}"#));
    assert_eq!(file.body[2].span(), at(src, r#"{{template "row" .x}}"#));

    let src = r#"<h1>{{block "title" .}}Default {{.}}{{end}}</h1>"#;
    assert_eq!(
        show(src),
        r#""<h1>" template("title" .) "</h1>" define "title"{"Default " {.}}"#
    );
    let file = parse_ok(src);
    assert_eq!(file.defines[0].span, at(src, r#"{{block "title" .}}"#));
    assert_eq!(file.body[1].span(), at(src, r#"{{block "title" .}}"#));

    // Blocks may nest inside other blocks and defines.
    assert_eq!(
        show(r#"{{define "a"}}{{if .}}{{block "b" .}}x{{end}}{{end}}{{end}}"#),
        r#" define "b"{"x"} define "a"{if(.){template("b" .)}}"#
    );
    assert_eq!(show(r#"{{define "a\tb"}}{{end}}"#), r#" define "a\tb"{}"#);
}

#[test]
fn define_errors() {
    check_err(
        r#"{{if .a}}{{define "x"}}{{end}}{{end}}"#,
        "`{{define}}` is only allowed at the top level of a template",
        r#"{{define "x"}}"#,
    );
    check_err(
        r#"{{define "x"}}{{define "y"}}{{end}}{{end}}"#,
        "`{{define}}` is only allowed at the top level of a template",
        r#"{{define "y"}}"#,
    );
    let src = "{{define \"x\"}}{{end}}\n{{block \"x\" .}}{{end}}";
    let e = parse_err(src);
    assert_eq!(e.message, "template `x` is defined more than once");
    assert_eq!(e.span, at(src, "{{block \"x\" .}}"));
    assert_eq!(
        e.help.as_deref(),
        Some("the first definition is at line 1, column 1")
    );
    check_err(
        "{{define}}{{end}}",
        "missing template name in `{{define}}`",
        "{{define}}",
    );
    check_err(
        "{{template}}",
        "missing template name in `{{template}}`",
        "{{template}}",
    );
    check_err(
        "{{template .a}}",
        "expected a template name after `template`, found `.a`",
        ".a",
    );
    check_err(
        "{{block .a .}}{{end}}",
        "expected a template name after `block`, found `.a`",
        ".a",
    );
    check_err(
        r#"{{block "x"}}{{end}}"#,
        "missing value for `{{block}}`",
        r#"{{block "x"}}"#,
    );
    check_err(
        r#"{{template "x" $y := .}}"#,
        "variables cannot be declared in `{{template}}`",
        "$y",
    );
}

// --- variables -----------------------------------------------------------

#[test]
fn variable_scopes() {
    // Declared until the end of the enclosing block.
    parse_ok("{{$x := 1}}{{if .a}}{{$x}}{{end}}{{$x}}");
    parse_ok("{{if $x := .a}}{{$x}}{{else}}{{$x}}{{end}}");
    parse_ok("{{if .a}}{{else if $y := .b}}{{$y}}{{else}}{{$y}}{{end}}");
    parse_ok("{{with $x := .a}}{{$x}}{{else with $y := .b}}{{$x}}{{$y}}{{end}}");
    parse_ok("{{range $i, $v := .a}}{{$i}}{{$v}}{{end}}");
    parse_ok("{{$x := 1}}{{$x = 2}}");
    parse_ok("{{$}}{{$.a}}{{(len $)}}");
    parse_ok(r#"{{define "d"}}{{$}}{{end}}"#);
    parse_ok("{{$x := 1}}{{range .a}}{{$x = 2}}{{end}}");
}

#[test]
fn undefined_variables() {
    check_err("{{$x}}", "undefined variable `$x`", "$x");
    check_err("{{$x.a.b}}", "undefined variable `$x`", "$x");
    check_err("{{len (index $y 1)}}", "undefined variable `$y`", "$y");
    check_err("{{$x = 1}}", "undefined variable `$x`", "$x");
    check_err_last("{{$x := $x}}", "undefined variable `$x`", "$x");
    // Out of scope after {{end}}.
    check_err_last(
        "{{if .a}}{{$x := 1}}{{end}}{{$x}}",
        "undefined variable `$x`",
        "$x",
    );
    // A branch's variables do not leak into the next branch.
    let src = "{{if .a}}{{$x := 1}}{{else}}{{$x}}{{end}}";
    assert_eq!(parse_err(src).span, at_last(src, "$x"));
    // Range variables are not visible in {{else}}.
    let src = "{{range $v := .a}}{{else}}{{$v}}{{end}}";
    assert_eq!(parse_err(src).message, "undefined variable `$v`");
    assert_eq!(parse_err(src).span, at_last(src, "$v"));
    // Defines and blocks start with only `$`.
    let src = r#"{{$x := 1}}{{define "d"}}{{$x}}{{end}}"#;
    assert_eq!(parse_err(src).span, at_last(src, "$x"));
    let src = r#"{{$x := 1}}{{block "b" $x}}{{$x}}{{end}}"#;
    assert_eq!(parse_err(src).span, at_last(src, "$x"));
    // ...but a block's argument is evaluated in the enclosing scope.
    parse_ok(r#"{{$x := 1}}{{block "b" $x}}{{.}}{{end}}"#);
}

// --- robustness -------------------------------------------------------------

#[test]
fn deep_nesting_is_capped() {
    let ok = "{{if .}}".repeat(MAX_DEPTH) + &"{{end}}".repeat(MAX_DEPTH);
    parse_ok(&ok);
    let deep = "{{if .}}".repeat(MAX_DEPTH + 1) + &"{{end}}".repeat(MAX_DEPTH + 1);
    let e = parse_err(&deep);
    assert_eq!(
        e.message,
        "blocks are nested too deeply (more than 200 levels)"
    );
    assert_eq!(e.span, Span::new(8 * MAX_DEPTH, 8 * MAX_DEPTH + 8));
    parse_err(&"{{range .}}".repeat(100_000));

    let n = MAX_PAREN_DEPTH;
    parse_ok(&format!("{{{{{}.{}}}}}", "(".repeat(n), ")".repeat(n)));
    let deep = format!("{{{{{}.{}}}}}", "(".repeat(n + 1), ")".repeat(n + 1));
    let e = parse_err(&deep);
    assert_eq!(
        e.message,
        "parentheses are nested too deeply (more than 50 levels)"
    );
    assert_eq!(e.span, Span::new(2 + n, 3 + n));
    parse_err(&format!("{{{{{}}}}}", "(".repeat(100_000)));
}

#[test]
fn multibyte_text_and_spans() {
    let src = "é{{.a}}ü{{- .b -}} ß";
    assert_eq!(show(src), r#""é" {.a} "ü" {.b} "ß""#);
    let src = "ééé{{.a ü€}}";
    let e = parse_err(src);
    assert_eq!(e.message, "unexpected character `€` after `ü`");
    assert_eq!(e.span, at(src, "€"));
    let e = parse_err("é{{");
    assert_eq!(e.span, Span::new(2, 4));
}

/// Every span in the tree, for the property test.
fn all_spans(file: &TemplateFile) -> Vec<Span> {
    fn pipe(p: &Pipeline, out: &mut Vec<Span>) {
        out.push(p.span);
        out.extend(p.decl.iter().map(|(_, s)| *s));
        for c in &p.cmds {
            out.push(c.span);
            for a in &c.args {
                out.push(a.span());
                match a {
                    Expr::Field { path, .. } | Expr::Var { path, .. } => {
                        out.extend(path.iter().map(|i| i.span))
                    }
                    Expr::Paren { pipe: p, path, .. } => {
                        out.extend(path.iter().map(|i| i.span));
                        pipe(p, out);
                    }
                    _ => {}
                }
            }
        }
    }
    fn nodes(ns: &[Node], out: &mut Vec<Span>) {
        for n in ns {
            out.push(n.span());
            match n {
                Node::Text { .. } => {}
                Node::Action { pipe: p, .. } => pipe(p, out),
                Node::If {
                    branches,
                    else_body,
                    ..
                }
                | Node::With {
                    branches,
                    else_body,
                    ..
                } => {
                    for b in branches {
                        pipe(&b.cond, out);
                        nodes(&b.body, out);
                    }
                    nodes(else_body.as_deref().unwrap_or(&[]), out);
                }
                Node::Range {
                    pipe: p,
                    body,
                    else_body,
                    ..
                } => {
                    pipe(p, out);
                    nodes(body, out);
                    nodes(else_body.as_deref().unwrap_or(&[]), out);
                }
                Node::Template { pipe: p, .. } => {
                    if let Some(p) = p {
                        pipe(p, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    nodes(&file.body, &mut out);
    for d in &file.defines {
        out.push(d.span);
        nodes(&d.body, &mut out);
    }
    out
}

fn assert_span_ok(src: &str, span: Span) {
    assert!(
        span.start <= span.end && span.end <= src.len(),
        "span {span:?} out of bounds in {src:?}"
    );
    assert!(
        src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
        "span {span:?} not on char boundaries in {src:?}"
    );
}

const FRAGMENTS: &[&str] = &[
    "{{", "}}", "{{-", "-}}", "{{- ", " -}}", "if", "else", "end", "range", "with", "define",
    "template", "block", "nil", "true", ".a", ".b", ".", "$x", "$", ":=", "=", ",", "|", "(", ")",
    "\"s\"", "\"", "`", "'", "'c'", "\\", "/*", "*/", "1", "-3", "0x1F", "1.5", "2i", "x", "len",
    " ", "\n", "\t", "é", "€", "<p>", "{", "}", "-", "_",
];

fn template_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|v| v.concat())
}

fn check_spans(src: &str) {
    match parse(src) {
        Ok(file) => {
            for span in all_spans(&file) {
                assert_span_ok(src, span);
            }
        }
        Err(e) => assert_span_ok(src, e.span),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_and_spans_are_in_bounds(src in template_soup()) {
        check_spans(&src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,60}") {
        check_spans(&src);
        check_spans(&format!("{{{{{src}}}}}"));
    }
}

/// A well-formed template, generated as a tree, for the round-trip property.
#[derive(Clone, Debug)]
enum Gen {
    Text(String),
    Action(&'static str),
    If(Vec<(&'static str, Vec<Gen>)>, Option<Vec<Gen>>),
    With(Vec<(&'static str, Vec<Gen>)>, Option<Vec<Gen>>),
    Range(&'static str, Vec<Gen>, Option<Vec<Gen>>),
}

fn gen_nodes() -> impl Strategy<Value = Vec<Gen>> {
    let leaf = prop_oneof![
        "[a-z<>/ é]{1,4}".prop_map(Gen::Text),
        prop::sample::select(vec![".a", ".b.c", "len .a", "$", "1", "\"s\"", "(.a).b"])
            .prop_map(Gen::Action),
    ];
    let node = leaf.prop_recursive(4, 32, 4, |inner| {
        let list = prop::collection::vec(inner, 0..4);
        let cond = prop::sample::select(vec![".a", "not .b", "eq .a 1"]);
        let branches = prop::collection::vec((cond.clone(), list.clone()), 1..3);
        let else_body = prop::option::of(list.clone());
        prop_oneof![
            (branches.clone(), else_body.clone()).prop_map(|(b, e)| Gen::If(b, e)),
            (branches, else_body.clone()).prop_map(|(b, e)| Gen::With(b, e)),
            (cond, list, else_body).prop_map(|(c, b, e)| Gen::Range(c, b, e)),
        ]
    });
    prop::collection::vec(node, 0..5)
}

/// The template source of generated nodes.
fn gen_source(nodes: &[Gen]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Gen::Text(t) => out += t,
            Gen::Action(a) => out += &format!("{{{{{a}}}}}"),
            Gen::If(branches, else_body) | Gen::With(branches, else_body) => {
                let kw = if matches!(node, Gen::If(..)) {
                    "if"
                } else {
                    "with"
                };
                for (i, (cond, body)) in branches.iter().enumerate() {
                    let open = if i == 0 { "" } else { "else " };
                    out += &format!("{{{{{open}{kw} {cond}}}}}{}", gen_source(body));
                }
                if let Some(e) = else_body {
                    out += &format!("{{{{else}}}}{}", gen_source(e));
                }
                out += "{{end}}";
            }
            Gen::Range(cond, body, else_body) => {
                out += &format!("{{{{range {cond}}}}}{}", gen_source(body));
                if let Some(e) = else_body {
                    out += &format!("{{{{else}}}}{}", gen_source(e));
                }
                out += "{{end}}";
            }
        }
    }
    out
}

/// What [`show`] should print for generated nodes (adjacent texts merge).
fn gen_show(nodes: &[Gen]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut text = String::new();
    for node in nodes {
        if let Gen::Text(t) = node {
            text += t;
            continue;
        }
        if !text.is_empty() {
            parts.push(format!("{:?}", std::mem::take(&mut text)));
        }
        parts.push(match node {
            Gen::Text(_) => unreachable!(),
            Gen::Action(a) => format!("{{{a}}}"),
            Gen::If(branches, else_body) | Gen::With(branches, else_body) => {
                let kw = if matches!(node, Gen::If(..)) {
                    "if"
                } else {
                    "with"
                };
                let mut s = String::new();
                for (i, (cond, body)) in branches.iter().enumerate() {
                    let kw = if i == 0 {
                        kw.to_string()
                    } else {
                        format!("elif-{kw}")
                    };
                    s += &format!("{kw}({cond}){{{}}}", gen_show(body));
                }
                if let Some(e) = else_body {
                    s += &format!("else{{{}}}", gen_show(e));
                }
                s
            }
            Gen::Range(cond, body, else_body) => {
                let mut s = format!("range({cond}){{{}}}", gen_show(body));
                if let Some(e) = else_body {
                    s += &format!("else{{{}}}", gen_show(e));
                }
                s
            }
        });
    }
    if !text.is_empty() {
        parts.push(format!("{text:?}"));
    }
    parts.join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn well_formed_templates_round_trip(nodes in gen_nodes()) {
        let src = gen_source(&nodes);
        prop_assert_eq!(show(&src), gen_show(&nodes), "source: {:?}", src);
        check_spans(&src);
    }
}

#[test]
fn soup_is_not_all_errors() {
    // Sanity check that the fragments above reach the success paths too.
    for src in [
        "{{if .a}}x{{else}}{{$x := 1}}{{$x}}{{end}}",
        "{{- range $x := .a -}}é{{end}}",
    ] {
        check_spans(src);
        parse_ok(src);
    }
}
