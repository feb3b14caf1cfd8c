//! Template parser: pest grammar for actions, hand-written block structure.
//!
//! The syntax is Go's `text/template` (see `text/template/parse`), in three layers:
//!
//! 1. [`Lexer`] splits the source into text and actions, applies the trim
//!    markers `{{- ` / ` -}}` and drops comments. The inside of each action is
//!    cut into tokens by the pest grammar in `template.pest`, which never fails:
//!    malformed input becomes error tokens that are reported here, precisely.
//! 2. [`ActionParser`] turns the tokens of one action into a [`Directive`]:
//!    `if P`, `else`, `end`, `define "x"`, a plain pipeline, …
//! 3. [`BlockParser`] nests directives into the tree of [`Node`]s, collects
//!    `{{define}}`s and checks that every variable is declared before use.
//!
//! [`parse`] never panics. Blocks are nested with an explicit stack, capped at
//! [`MAX_DEPTH`] levels, and parentheses at [`MAX_PAREN_DEPTH`], so that later
//! passes, which recurse over the tree, are safe too.

use std::collections::HashMap;

use pest::Parser as _;

use crate::ast::{Branch, Command, Define, Expr, Ident, Node, Pipeline, Span, TemplateFile};
use crate::diag::{line_col, TemplateError};

#[derive(pest_derive::Parser)]
#[grammar = "template.pest"]
struct ActionGrammar;

/// Deepest allowed nesting of blocks (`if`, `range`, `with`, `define`, `block`).
pub const MAX_DEPTH: usize = 200;

/// Deepest allowed nesting of parentheses inside one action. Parentheses are
/// parsed (and later lowered) recursively, so this is kept well below what a
/// small thread stack can take even in debug builds; real templates nest a
/// handful at most.
pub const MAX_PAREN_DEPTH: usize = 50;

/// The space characters of Go templates (trim markers and argument separators).
const SPACE_CHARS: [char; 4] = [' ', '\t', '\r', '\n'];

/// Words that start a control action and cannot be used as operands.
const KEYWORDS: [&str; 10] = [
    "block", "break", "continue", "define", "else", "end", "if", "range", "template", "with",
];

/// Parses a template source into its syntax tree.
pub fn parse(src: &str) -> Result<TemplateFile, TemplateError> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        trim_leading: false,
    };
    let mut parser = BlockParser {
        src,
        root: Vec::new(),
        stack: Vec::new(),
        vars: Vec::new(),
        defines: Vec::new(),
        define_spans: HashMap::new(),
    };
    while let Some(item) = lexer.next_item()? {
        parser.item(item)?;
    }
    parser.finish()
}

fn error(span: Span, message: impl Into<String>) -> TemplateError {
    TemplateError::new(span, message)
}

// ---------------------------------------------------------------------------
// Layer 1: text, comments, actions and their tokens.

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    rule: Rule,
    text: &'a str,
    span: Span,
}

impl Token<'_> {
    fn is(&self, rule: Rule) -> bool {
        self.rule == rule
    }

    /// How the token is named in error messages.
    fn describe(&self) -> String {
        match self.rule {
            Rule::bad_char => format!("character `{}`", self.text.escape_debug()),
            Rule::space => "space".to_string(),
            _ => format!("`{}`", shorten(self.text)),
        }
    }
}

/// Shortens (and puts on one line) a token for an error message.
fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(24).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out.replace('\n', "\\n")
}

/// One `{{…}}` action: its tokens, without the delimiters.
struct Action<'a> {
    span: Span,
    tokens: Vec<Token<'a>>,
}

enum Lexeme<'a> {
    Text(Node),
    Action(Action<'a>),
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    /// The previous action ended with ` -}}`: trim the leading spaces of the next text.
    trim_leading: bool,
}

/// Whether `s`, which starts with `{{`, starts with a trim marker `{{- `.
fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 4 && b[2] == b'-' && matches!(b[3], b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Lexer<'a> {
    /// The next text or action; comments and text that trimming empties are skipped.
    fn next_item(&mut self) -> Result<Option<Lexeme<'a>>, TemplateError> {
        let src = self.src;
        while self.pos < src.len() {
            let rest = &src[self.pos..];
            if rest.starts_with("{{") {
                self.trim_leading = false;
                if let Some(action) = self.action()? {
                    return Ok(Some(Lexeme::Action(action)));
                }
                continue;
            }
            let end = rest.find("{{").map_or(src.len(), |i| self.pos + i);
            let mut text = &src[self.pos..end];
            if std::mem::take(&mut self.trim_leading) {
                text = text.trim_start_matches(SPACE_CHARS);
            }
            if has_left_trim(&src[end..]) {
                text = text.trim_end_matches(SPACE_CHARS);
            }
            let span = Span::new(self.pos, end);
            self.pos = end;
            if !text.is_empty() {
                let text = text.to_string();
                return Ok(Some(Lexeme::Text(Node::Text { text, span })));
            }
        }
        Ok(None)
    }

    /// Lexes the action (or comment, giving `None`) that starts at `self.pos`.
    fn action(&mut self) -> Result<Option<Action<'a>>, TemplateError> {
        let src = self.src;
        let open = self.pos;
        let inner = if has_left_trim(&src[open..]) {
            open + 4
        } else {
            open + 2
        };
        let open_span = Span::new(open, inner);

        if src[inner..].starts_with("/*") {
            let body = inner + 2;
            let Some(i) = src[body..].find("*/") else {
                return Err(error(
                    Span::new(open, body),
                    "unterminated comment: expected `*/}}`",
                ));
            };
            let after = body + i + 2;
            let Some((len, trim)) = close_delimiter(&src[after..]) else {
                return Err(error(
                    Span::new(body + i, after),
                    "comment must end with `*/}}`: expected `}}` right after `*/`",
                ));
            };
            self.pos = after + len;
            self.trim_leading = trim;
            return Ok(None);
        }

        let pairs = ActionGrammar::parse(Rule::action, &src[inner..])
            .map_err(|_| error(open_span, "unexpected input in action"))?;
        let mut tokens = Vec::new();
        let mut close = None;
        for pair in pairs.flatten() {
            let span = Span::new(inner + pair.as_span().start(), inner + pair.as_span().end());
            let token = Token {
                rule: pair.as_rule(),
                text: pair.as_str(),
                span,
            };
            match token.rule {
                Rule::action | Rule::trim_close => {}
                Rule::close => {
                    close = Some((span.end, token.text.len() > 2));
                }
                Rule::string_unterminated => {
                    return Err(error(span, "unterminated string literal: expected `\"`"))
                }
                Rule::raw_string_unterminated => {
                    return Err(error(
                        span,
                        "unterminated raw string literal: expected `` ` ``",
                    ))
                }
                Rule::char_unterminated => {
                    return Err(error(span, "unterminated character constant: expected `'`"))
                }
                // `{{` inside an action: the action was most likely never closed.
                Rule::bad_char if token.text == "{" && src[span.end..].starts_with('{') => {
                    return Err(unterminated_action(open_span));
                }
                _ => tokens.push(token),
            }
        }
        let Some((end, trim)) = close else {
            return Err(unterminated_action(open_span));
        };
        self.pos = end;
        self.trim_leading = trim;
        Ok(Some(Action {
            span: Span::new(open, end),
            tokens,
        }))
    }
}

fn unterminated_action(open: Span) -> TemplateError {
    error(open, "unterminated action: `{{` is never closed with `}}`")
}

/// Length of the closing delimiter (`}}` or ` -}}`) at the start of `s`, and
/// whether it is a trim marker.
fn close_delimiter(s: &str) -> Option<(usize, bool)> {
    if s.starts_with(SPACE_CHARS) && s[1..].starts_with("-}}") {
        Some((4, true))
    } else if s.starts_with("}}") {
        Some((2, false))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Layer 2: the tokens of one action.

/// What one action says.
enum Directive {
    Pipeline(Pipeline),
    If(Pipeline),
    With(Pipeline),
    Range(Pipeline),
    Else(Else),
    End,
    Define(String),
    Template(String, Option<Pipeline>),
    Block(String, Pipeline),
}

/// The three forms of `{{else}}`.
enum Else {
    Plain,
    If(Pipeline),
    With(Pipeline),
}

impl Else {
    fn describe(&self) -> &'static str {
        match self {
            Else::Plain => "`{{else}}`",
            Else::If(_) => "`{{else if}}`",
            Else::With(_) => "`{{else with}}`",
        }
    }
}

/// Where a pipeline appears: decides what it may declare and how errors read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Action,
    If,
    ElseIf,
    With,
    ElseWith,
    Range,
    Template,
    Block,
    Paren,
}

impl Ctx {
    fn describe(self) -> &'static str {
        match self {
            Ctx::Action => "command",
            Ctx::If => "`{{if}}`",
            Ctx::ElseIf => "`{{else if}}`",
            Ctx::With => "`{{with}}`",
            Ctx::ElseWith => "`{{else with}}`",
            Ctx::Range => "`{{range}}`",
            Ctx::Template => "`{{template}}`",
            Ctx::Block => "`{{block}}`",
            Ctx::Paren => "`( )`",
        }
    }
}

struct ActionParser<'t, 'a> {
    tokens: &'t [Token<'a>],
    pos: usize,
    /// The whole action, for errors about something missing.
    span: Span,
    /// Depth of parentheses.
    depth: usize,
}

impl<'a> ActionParser<'_, 'a> {
    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.pos).copied()
    }

    fn peek_is(&self, rule: Rule) -> bool {
        self.peek().is_some_and(|t| t.is(rule))
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    fn skip_spaces(&mut self) {
        while self.peek_is(Rule::space) {
            self.bump();
        }
    }

    fn peek_non_space(&mut self) -> Option<Token<'a>> {
        self.skip_spaces();
        self.peek()
    }

    fn directive(&mut self) -> Result<Directive, TemplateError> {
        let Some(first) = self.peek_non_space().filter(|t| t.is(Rule::word)) else {
            return Ok(Directive::Pipeline(self.pipeline(Ctx::Action)?));
        };
        let keyword = first.text;
        if !KEYWORDS.contains(&keyword) {
            return Ok(Directive::Pipeline(self.pipeline(Ctx::Action)?));
        }
        self.bump();
        Ok(match keyword {
            "if" => Directive::If(self.pipeline(Ctx::If)?),
            "with" => Directive::With(self.pipeline(Ctx::With)?),
            "range" => Directive::Range(self.pipeline(Ctx::Range)?),
            "else" => match self.peek_non_space() {
                Some(t) if t.is(Rule::word) && t.text == "if" => {
                    self.bump();
                    Directive::Else(Else::If(self.pipeline(Ctx::ElseIf)?))
                }
                Some(t) if t.is(Rule::word) && t.text == "with" => {
                    self.bump();
                    Directive::Else(Else::With(self.pipeline(Ctx::ElseWith)?))
                }
                _ => {
                    self.expect_end("`{{else}}`")?;
                    Directive::Else(Else::Plain)
                }
            },
            "end" => {
                self.expect_end("`{{end}}`")?;
                Directive::End
            }
            "define" => {
                let name = self.template_name("define")?;
                self.expect_end("`{{define}}`")?;
                Directive::Define(name)
            }
            "template" => {
                let name = self.template_name("template")?;
                if self.peek_non_space().is_none() {
                    Directive::Template(name, None)
                } else {
                    Directive::Template(name, Some(self.pipeline(Ctx::Template)?))
                }
            }
            "block" => {
                let name = self.template_name("block")?;
                Directive::Block(name, self.pipeline(Ctx::Block)?)
            }
            _ => {
                return Err(error(
                    self.span,
                    format!("`{{{{{keyword}}}}}` is not supported"),
                ))
            }
        })
    }

    /// Fails unless only spaces are left.
    fn expect_end(&mut self, what: &str) -> Result<(), TemplateError> {
        match self.peek_non_space() {
            None => Ok(()),
            Some(t) => Err(error(
                t.span,
                format!("unexpected {} in {what}", t.describe()),
            )),
        }
    }

    /// The string literal naming a template after `define`, `template` or `block`.
    fn template_name(&mut self, keyword: &str) -> Result<String, TemplateError> {
        let help = format!("write the name as a string, e.g. `{{{{{keyword} \"name\"}}}}`");
        match self.peek_non_space() {
            Some(t) if t.is(Rule::string) || t.is(Rule::raw_string) => {
                self.bump();
                string_value(t)
            }
            Some(t) => Err(error(
                t.span,
                format!(
                    "expected a template name after `{keyword}`, found {}",
                    t.describe()
                ),
            )
            .with_help(help)),
            None => Err(error(
                self.span,
                format!("missing template name in `{{{{{keyword}}}}}`"),
            )
            .with_help(help)),
        }
    }

    /// `decl? command ('|' command)*`, up to the end of the action, or up to
    /// (not including) the `)` when `ctx` is [`Ctx::Paren`].
    fn pipeline(&mut self, ctx: Ctx) -> Result<Pipeline, TemplateError> {
        self.skip_spaces();
        let start = self.peek().map_or(self.span.end, |t| t.span.start);
        let (decl, is_assign, decl_op) = self.declarations(ctx)?;
        let mut cmds: Vec<Command> = Vec::new();
        let mut last_pipe: Option<Span> = None;
        loop {
            self.skip_spaces();
            match self.command()? {
                Some(cmd) => cmds.push(cmd),
                None => return Err(self.missing_command(ctx, last_pipe, decl_op)),
            }
            self.skip_spaces();
            match self.peek() {
                Some(t) if t.is(Rule::pipe) => {
                    last_pipe = Some(t.span);
                    self.bump();
                }
                Some(t) if t.is(Rule::rparen) && ctx != Ctx::Paren => return Err(stray_paren(t)),
                _ => break,
            }
        }
        check_stages(&cmds)?;
        let end = cmds.last().map_or(start, |c| c.span.end);
        Ok(Pipeline {
            decl,
            is_assign,
            cmds,
            span: Span::new(start, end),
        })
    }

    /// The error for a command with no operand.
    fn missing_command(
        &self,
        ctx: Ctx,
        last_pipe: Option<Span>,
        decl_op: Option<Token>,
    ) -> TemplateError {
        if let Some(pipe) = last_pipe {
            return error(pipe, "empty pipeline stage: expected a command after `|`");
        }
        if let Some(t) = self.peek().filter(|t| t.is(Rule::pipe)) {
            return error(
                t.span,
                "empty pipeline stage: expected a command before `|`",
            );
        }
        if let Some(op) = decl_op {
            return error(op.span, format!("missing value after `{}`", op.text));
        }
        match ctx {
            Ctx::Action => error(self.span, "missing value for command"),
            Ctx::Paren => {
                let end = self.peek().map_or(self.span.end, |t| t.span.end);
                let start = self.tokens[..self.pos]
                    .iter()
                    .rev()
                    .find(|t| t.is(Rule::lparen))
                    .map_or(self.span.start, |t| t.span.start);
                error(Span::new(start, end), "missing value in `( )`")
            }
            _ => error(self.span, format!("missing value for {}", ctx.describe())),
        }
    }

    /// `$x :=`, `$x =`, `$i, $v :=` at the start of a pipeline, if present.
    #[allow(clippy::type_complexity)]
    fn declarations(
        &mut self,
        ctx: Ctx,
    ) -> Result<(Vec<(String, Span)>, bool, Option<Token<'a>>), TemplateError> {
        let is_decl = |t: &Token| t.is(Rule::declare) || t.is(Rule::assign) || t.is(Rule::comma);
        let after_var = self.tokens[self.pos..]
            .iter()
            .skip(1)
            .find(|t| !t.is(Rule::space));
        if !self.peek_is(Rule::variable) || !after_var.is_some_and(is_decl) {
            return Ok((Vec::new(), false, None));
        }
        if matches!(ctx, Ctx::Paren | Ctx::Template | Ctx::Block) {
            let var = self.peek().map_or(self.span, |t| t.span);
            return Err(error(
                var,
                format!("variables cannot be declared in {}", ctx.describe()),
            ));
        }
        let mut decl = Vec::new();
        loop {
            let var = match self.peek_non_space() {
                Some(t) if t.is(Rule::variable) => t,
                Some(t) => {
                    return Err(error(
                        t.span,
                        format!("expected a variable after `,`, found {}", t.describe()),
                    ))
                }
                None => return Err(error(self.span, "expected a variable after `,`")),
            };
            if decl.len() == 2 {
                return Err(error(
                    var.span,
                    "too many variables in `{{range}}`: at most two (`$index, $element`) can be declared",
                ));
            }
            self.bump();
            decl.push((var.text[1..].to_string(), var.span));
            match self.peek_non_space() {
                Some(op) if op.is(Rule::declare) || op.is(Rule::assign) => {
                    self.bump();
                    return Ok((decl, op.is(Rule::assign), Some(op)));
                }
                Some(comma) if comma.is(Rule::comma) => {
                    if ctx != Ctx::Range {
                        return Err(error(
                            comma.span,
                            format!(
                                "too many variables in {}: only `{{{{range}}}}` can declare two",
                                ctx.describe()
                            ),
                        ));
                    }
                    self.bump();
                }
                Some(t) => {
                    return Err(error(
                        t.span,
                        format!(
                            "expected `:=` or `=` after the variables, found {}",
                            t.describe()
                        ),
                    ))
                }
                None => return Err(error(self.span, "expected `:=` or `=` after the variables")),
            }
        }
    }

    /// `operand (space operand)*`, stopping before `|`, `)` or the end.
    /// `None` when there is no operand at all.
    fn command(&mut self) -> Result<Option<Command>, TemplateError> {
        let mut args: Vec<Expr> = Vec::new();
        while let Some(t) = self.peek() {
            if t.is(Rule::pipe) || t.is(Rule::rparen) {
                break;
            }
            let arg = self.operand()?;
            match self.peek() {
                Some(next) if next.is(Rule::space) => self.skip_spaces(),
                Some(next) if !next.is(Rule::pipe) && !next.is(Rule::rparen) => {
                    return Err(unexpected_after(self.tokens[self.pos - 1], next));
                }
                _ => {}
            }
            args.push(arg);
        }
        let (Some(first), Some(last)) = (args.first(), args.last()) else {
            return Ok(None);
        };
        let span = Span::new(first.span().start, last.span().end);
        Ok(Some(Command { args, span }))
    }

    /// `term .field*`
    fn operand(&mut self) -> Result<Expr, TemplateError> {
        let Some(t) = self.peek() else {
            return Err(error(self.span, "expected an operand"));
        };
        self.bump();
        let expr = if t.is(Rule::lparen) {
            self.paren(t)?
        } else {
            term(t)?
        };
        self.field_chain(expr, t)
    }

    /// The `.field`s right after the term `expr`, which started with token `t`.
    fn field_chain(&mut self, mut expr: Expr, t: Token) -> Result<Expr, TemplateError> {
        while let Some(f) = self.peek().filter(|t| t.is(Rule::field)) {
            self.bump();
            match &mut expr {
                Expr::Field { path, span }
                | Expr::Var { path, span, .. }
                | Expr::Paren { path, span, .. } => {
                    path.push(ident(f));
                    span.end = f.span.end;
                }
                Expr::Func { name, .. } => {
                    return Err(error(
                        f.span,
                        format!("cannot access field `{}` of function `{name}`", f.text),
                    )
                    .with_help(format!(
                        "call the function in parentheses: `({name} …){}`",
                        f.text
                    )))
                }
                Expr::Dot(_) => {
                    return Err(error(f.span, format!("unexpected `{}` after `.`", f.text))
                        .with_help(format!("a field of dot is written `{}`", f.text)))
                }
                _ => {
                    return Err(error(
                        f.span,
                        format!(
                            "cannot access field `{}` of literal {}",
                            f.text,
                            t.describe()
                        ),
                    ))
                }
            }
        }
        Ok(expr)
    }

    /// `( pipeline )`; the `(` has been consumed.
    fn paren(&mut self, open: Token) -> Result<Expr, TemplateError> {
        self.depth += 1;
        if self.depth > MAX_PAREN_DEPTH {
            return Err(error(
                open.span,
                format!("parentheses are nested too deeply (more than {MAX_PAREN_DEPTH} levels)"),
            ));
        }
        let pipe = self.pipeline(Ctx::Paren)?;
        self.depth -= 1;
        match self.peek() {
            Some(close) if close.is(Rule::rparen) => {
                self.bump();
                Ok(Expr::Paren {
                    pipe: Box::new(pipe),
                    path: Vec::new(),
                    span: Span::new(open.span.start, close.span.end),
                })
            }
            _ => Err(unclosed_paren(open)),
        }
    }
}

// The functions below are kept out of the recursive descent
// (pipeline → command → operand → paren) so that its stack frames stay small.

fn unexpected_after(prev: Token, next: Token) -> TemplateError {
    error(
        next.span,
        format!("unexpected {} after {}", next.describe(), prev.describe()),
    )
    .with_help("separate arguments with spaces")
}

fn unclosed_paren(open: Token) -> TemplateError {
    error(open.span, "unclosed `(`: expected `)`")
}

fn stray_paren(t: Token) -> TemplateError {
    error(t.span, "unexpected `)` without a matching `(`")
}

/// Only the first command of a pipeline may be a literal (as in Go).
fn check_stages(cmds: &[Command]) -> Result<(), TemplateError> {
    for (i, cmd) in cmds.iter().enumerate().skip(1) {
        let Some(first) = cmd.args.first() else {
            continue;
        };
        if matches!(
            first,
            Expr::Dot(_)
                | Expr::Str { .. }
                | Expr::Int { .. }
                | Expr::Float { .. }
                | Expr::Bool { .. }
                | Expr::Nil(_)
        ) {
            return Err(error(
                first.span(),
                format!(
                    "non-executable command in pipeline stage {}: only a function, field or variable can receive the piped value",
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

/// An operand other than `( … )`.
fn term(t: Token) -> Result<Expr, TemplateError> {
    let span = t.span;
    Ok(match t.rule {
        Rule::dot => Expr::Dot(span),
        Rule::field => Expr::Field {
            path: vec![ident(t)],
            span,
        },
        Rule::variable => Expr::Var {
            name: t.text[1..].to_string(),
            path: Vec::new(),
            span,
        },
        Rule::word => match t.text {
            "true" | "false" => Expr::Bool {
                value: t.text == "true",
                span,
            },
            "nil" => Expr::Nil(span),
            w if KEYWORDS.contains(&w) => {
                return Err(
                    error(span, format!("unexpected keyword `{w}` in pipeline")).with_help(
                        format!("`{w}` can only start an action, as in `{{{{{w} …}}}}`"),
                    ),
                )
            }
            name => Expr::Func {
                name: name.to_string(),
                span,
            },
        },
        Rule::string | Rule::raw_string => Expr::Str {
            value: string_value(t)?,
            span,
        },
        Rule::char_lit => Expr::Int {
            value: char_value(t)?,
            span,
        },
        Rule::number => number_value(t)?,
        Rule::bad_char if t.text == ":" => return Err(error(span, "expected `:=`, found `:`")),
        Rule::bad_char => {
            return Err(error(
                span,
                format!("unexpected {} in action", t.describe()),
            ))
        }
        Rule::declare | Rule::assign => {
            return Err(
                error(span, format!("unexpected `{}`", t.text)).with_help(format!(
                    "only variables can be declared, as in `{{{{$x {} …}}}}`",
                    t.text
                )),
            )
        }
        _ => return Err(error(span, format!("unexpected {}", t.describe()))),
    })
}

fn ident(field: Token) -> Ident {
    Ident {
        name: field.text[1..].to_string(),
        span: field.span,
    }
}

// ---------------------------------------------------------------------------
// Literals.

/// The value of a `"…"` or `` `…` `` token.
fn string_value(t: Token) -> Result<String, TemplateError> {
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
fn char_value(t: Token) -> Result<i128, TemplateError> {
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

enum Escaped {
    /// A `\x..` or octal escape: one byte of the (UTF-8) string.
    Byte(u8),
    Char(char),
}

/// Decodes the escape sequence whose backslash has just been read; returns
/// what it stands for and how many bytes of `s` it takes.
fn escape(s: &str, quote: char) -> Result<(Escaped, usize), String> {
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
fn escape_error(s: &str, pos: usize, msg: String) -> TemplateError {
    let len = s.chars().take(2).map(char::len_utf8).sum::<usize>();
    error(Span::new(pos, pos + len), msg)
}

/// The value of a number token, following Go's rules (`strconv` with base 0).
fn number_value(t: Token) -> Result<Expr, TemplateError> {
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
fn parse_digits(digits: &str, radix: u32) -> Option<u128> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(u128::from_str_radix(digits, radix).unwrap_or(u128::MAX))
}

/// The value of a hexadecimal float body such as `1.8p1` (after `0x`).
fn hex_float(body: &str) -> Option<f64> {
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
fn underscores_ok(s: &str) -> bool {
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

// ---------------------------------------------------------------------------
// Layer 3: blocks and variable scopes.
//
// Blocks are tracked on an explicit stack rather than by recursion, so deep
// nesting cannot overflow the (proc-macro) thread's stack.

/// The kind of an open block.
enum OpenKind {
    If,
    With,
    Range(Pipeline),
    Define(String),
    Block(String, Pipeline),
}

impl OpenKind {
    fn keyword(&self) -> &'static str {
        match self {
            OpenKind::If => "if",
            OpenKind::With => "with",
            OpenKind::Range(_) => "range",
            OpenKind::Define(_) => "define",
            OpenKind::Block(..) => "block",
        }
    }
}

/// A block whose `{{end}}` has not been reached yet.
struct OpenBlock {
    kind: OpenKind,
    /// The opening action.
    span: Span,
    /// The list being read: the current branch, the range body, or the `{{else}}` part.
    nodes: Vec<Node>,
    /// `if`/`with`: the finished branches, and the condition of the current one.
    branches: Vec<Branch>,
    cond: Option<Pipeline>,
    /// `range`: the body, once `{{else}}` has been reached.
    range_body: Option<Vec<Node>>,
    in_else: bool,
    /// Scope length before the block's own declarations; restored at `{{end}}`.
    vars_mark: usize,
    /// Scope length at the start of the current branch; restored at `{{else}}`.
    body_mark: usize,
    /// `define`/`block`: the enclosing scope, hidden from the body.
    saved_vars: Option<Vec<String>>,
}

struct BlockParser<'a> {
    src: &'a str,
    /// The template body (the list being read when no block is open).
    root: Vec<Node>,
    /// Open blocks, innermost last.
    stack: Vec<OpenBlock>,
    /// Variables in scope, innermost last (`$` is always in scope).
    vars: Vec<String>,
    defines: Vec<Define>,
    /// Where each template name was defined, to report duplicates.
    define_spans: HashMap<String, Span>,
}

impl BlockParser<'_> {
    /// The list that the next node belongs to.
    fn nodes(&mut self) -> &mut Vec<Node> {
        match self.stack.last_mut() {
            Some(block) => &mut block.nodes,
            None => &mut self.root,
        }
    }

    fn item(&mut self, item: Lexeme) -> Result<(), TemplateError> {
        let action = match item {
            Lexeme::Text(text) => {
                self.nodes().push(text);
                return Ok(());
            }
            Lexeme::Action(action) => action,
        };
        let span = action.span;
        let mut tokens = ActionParser {
            tokens: &action.tokens,
            pos: 0,
            span,
            depth: 0,
        };
        let node = match tokens.directive()? {
            Directive::Pipeline(pipe) => {
                self.declare(&pipe)?;
                Node::Action { pipe, span }
            }
            Directive::Template(name, pipe) => {
                if let Some(pipe) = &pipe {
                    self.check_pipe(pipe)?;
                }
                Node::Template { name, pipe, span }
            }
            Directive::If(cond) => return self.open_branching(OpenKind::If, cond, span),
            Directive::With(cond) => return self.open_branching(OpenKind::With, cond, span),
            Directive::Range(pipe) => {
                let mark = self.vars.len();
                self.declare(&pipe)?;
                return self.open(OpenKind::Range(pipe), span, None, mark);
            }
            Directive::Define(name) => {
                if !self.stack.is_empty() {
                    return Err(error(
                        span,
                        "`{{define}}` is only allowed at the top level of a template",
                    )
                    .with_help("move it out of the enclosing block"));
                }
                return self.open_template(name.clone(), OpenKind::Define(name), span);
            }
            Directive::Block(name, pipe) => {
                self.check_pipe(&pipe)?;
                return self.open_template(name.clone(), OpenKind::Block(name, pipe), span);
            }
            Directive::Else(kind) => return self.else_(kind, span),
            Directive::End => return self.end(span),
        };
        self.nodes().push(node);
        Ok(())
    }

    fn open_branching(
        &mut self,
        kind: OpenKind,
        cond: Pipeline,
        span: Span,
    ) -> Result<(), TemplateError> {
        let mark = self.vars.len();
        self.declare(&cond)?;
        self.open(kind, span, Some(cond), mark)
    }

    /// `{{define}}` and `{{block}}`: a new template, which starts with only `$` in scope.
    fn open_template(
        &mut self,
        name: String,
        kind: OpenKind,
        span: Span,
    ) -> Result<(), TemplateError> {
        if let Some(first) = self.define_spans.get(&name) {
            let (line, col) = line_col(self.src, first.start);
            return Err(error(
                span,
                format!(
                    "template `{}` is defined more than once",
                    name.escape_debug()
                ),
            )
            .with_help(format!(
                "the first definition is at line {line}, column {col}"
            )));
        }
        self.define_spans.insert(name, span);
        let outer = std::mem::take(&mut self.vars);
        self.open(kind, span, None, 0)?;
        if let Some(block) = self.stack.last_mut() {
            block.saved_vars = Some(outer);
        }
        Ok(())
    }

    fn open(
        &mut self,
        kind: OpenKind,
        span: Span,
        cond: Option<Pipeline>,
        vars_mark: usize,
    ) -> Result<(), TemplateError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(error(
                span,
                format!("blocks are nested too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        self.stack.push(OpenBlock {
            kind,
            span,
            nodes: Vec::new(),
            branches: Vec::new(),
            cond,
            range_body: None,
            in_else: false,
            vars_mark,
            body_mark: self.vars.len(),
            saved_vars: None,
        });
        Ok(())
    }

    fn else_(&mut self, kind: Else, span: Span) -> Result<(), TemplateError> {
        let Some(block) = self.stack.last_mut() else {
            return Err(error(
                span,
                format!(
                    "unexpected {} outside `{{{{if}}}}`, `{{{{with}}}}` or `{{{{range}}}}`",
                    kind.describe()
                ),
            ));
        };
        let keyword = block.kind.keyword();
        if block.in_else {
            return Err(error(
                span,
                match kind {
                    Else::Plain => {
                        format!("unexpected second `{{{{else}}}}` in `{{{{{keyword}}}}}`")
                    }
                    _ => format!("unexpected {} after `{{{{else}}}}`", kind.describe()),
                },
            ));
        }
        let next_cond = match (&block.kind, kind) {
            (OpenKind::If, Else::If(cond)) | (OpenKind::With, Else::With(cond)) => Some(cond),
            (OpenKind::If | OpenKind::With | OpenKind::Range(_), Else::Plain) => None,
            (OpenKind::Define(_) | OpenKind::Block(..), kind) => {
                return Err(error(
                    span,
                    format!("unexpected {} in `{{{{{keyword}}}}}`", kind.describe()),
                ))
            }
            (_, kind) => {
                return Err(error(
                    span,
                    format!("{} is not allowed in `{{{{{keyword}}}}}`", kind.describe()),
                ))
            }
        };
        // Close the current branch and its scope.
        let body = std::mem::take(&mut block.nodes);
        if let OpenKind::Range(_) = block.kind {
            // The range variables are not visible in `{{else}}`.
            block.range_body = Some(body);
            self.vars.truncate(block.vars_mark);
        } else {
            if let Some(cond) = block.cond.take() {
                block.branches.push(Branch { cond, body });
            }
            self.vars.truncate(block.body_mark);
        }
        match next_cond {
            None => {
                if let Some(block) = self.stack.last_mut() {
                    block.in_else = true;
                }
            }
            Some(cond) => {
                self.declare(&cond)?;
                let body_mark = self.vars.len();
                if let Some(block) = self.stack.last_mut() {
                    block.cond = Some(cond);
                    block.body_mark = body_mark;
                }
            }
        }
        Ok(())
    }

    fn end(&mut self, span: Span) -> Result<(), TemplateError> {
        let Some(block) = self.stack.pop() else {
            return Err(error(span, "unexpected `{{end}}`").with_help(
                "there is no open `{{if}}`, `{{range}}`, `{{with}}`, `{{define}}` or `{{block}}` to close",
            ));
        };
        let OpenBlock {
            kind,
            span,
            nodes,
            mut branches,
            cond,
            range_body,
            in_else,
            vars_mark,
            saved_vars,
            ..
        } = block;
        match saved_vars {
            Some(outer) => self.vars = outer,
            None => self.vars.truncate(vars_mark),
        }
        // The list read last is the `{{else}}` part, or else the last branch / the body.
        let (mut last, else_body) = if in_else {
            (Vec::new(), Some(nodes))
        } else {
            (nodes, None)
        };
        if let Some(cond) = cond {
            let body = std::mem::take(&mut last);
            branches.push(Branch { cond, body });
        }
        let node = match kind {
            OpenKind::If => Node::If {
                branches,
                else_body,
                span,
            },
            OpenKind::With => Node::With {
                branches,
                else_body,
                span,
            },
            OpenKind::Range(pipe) => Node::Range {
                pipe,
                body: range_body.unwrap_or(last),
                else_body,
                span,
            },
            OpenKind::Define(name) => {
                let body = last;
                self.defines.push(Define { name, body, span });
                return Ok(());
            }
            OpenKind::Block(name, pipe) => {
                let body = last;
                self.defines.push(Define {
                    name: name.clone(),
                    body,
                    span,
                });
                Node::Template {
                    name,
                    pipe: Some(pipe),
                    span,
                }
            }
        };
        self.nodes().push(node);
        Ok(())
    }

    /// At the end of input: every block must be closed.
    fn finish(self) -> Result<TemplateFile, TemplateError> {
        if let Some(block) = self.stack.last() {
            return Err(never_closed(block.kind.keyword(), block.span));
        }
        Ok(TemplateFile {
            body: self.root,
            defines: self.defines,
        })
    }

    /// Checks the variables a pipeline uses, then brings its declarations into scope.
    fn declare(&mut self, pipe: &Pipeline) -> Result<(), TemplateError> {
        self.check_pipe(pipe)?;
        for (name, span) in &pipe.decl {
            if pipe.is_assign {
                self.check_var(name, *span)?;
            } else {
                self.vars.push(name.clone());
            }
        }
        Ok(())
    }

    fn check_pipe(&self, pipe: &Pipeline) -> Result<(), TemplateError> {
        for arg in pipe.cmds.iter().flat_map(|c| &c.args) {
            match arg {
                Expr::Var { name, span, .. } => {
                    self.check_var(name, Span::new(span.start, span.start + 1 + name.len()))?
                }
                Expr::Paren { pipe, .. } => self.check_pipe(pipe)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn check_var(&self, name: &str, span: Span) -> Result<(), TemplateError> {
        if name.is_empty() || self.vars.iter().any(|v| v == name) {
            Ok(())
        } else {
            Err(error(span, format!("undefined variable `${name}`"))
                .with_help(format!("declare it first, e.g. `{{{{${name} := …}}}}`")))
        }
    }
}

fn never_closed(keyword: &str, open: Span) -> TemplateError {
    error(
        open,
        format!("`{{{{{keyword}}}}}` is never closed: expected `{{{{end}}}}`"),
    )
}

#[cfg(test)]
mod tests {
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
        "template", "block", "nil", "true", ".a", ".b", ".", "$x", "$", ":=", "=", ",", "|", "(",
        ")", "\"s\"", "\"", "`", "'", "'c'", "\\", "/*", "*/", "1", "-3", "0x1F", "1.5", "2i", "x",
        "len", " ", "\n", "\t", "é", "€", "<p>", "{", "}", "-", "_",
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
}
