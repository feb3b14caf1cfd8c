//! Layer 1: text, comments, actions and their tokens ([`Lexer`]).

use super::*;

// Layer 1: text, comments, actions and their tokens.

#[derive(Clone, Copy, Debug)]
pub(super) struct Token<'a> {
    pub(super) rule: Rule,
    pub(super) text: &'a str,
    pub(super) span: Span,
}

impl Token<'_> {
    pub(super) fn is(&self, rule: Rule) -> bool {
        self.rule == rule
    }

    /// How the token is named in error messages.
    pub(super) fn describe(&self) -> String {
        match self.rule {
            Rule::bad_char => format!("character `{}`", self.text.escape_debug()),
            Rule::space => "space".to_string(),
            _ => format!("`{}`", shorten(self.text)),
        }
    }
}

/// Shortens (and puts on one line) a token for an error message.
pub(super) fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(24).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out.replace('\n', "\\n")
}

/// One `{{…}}` action: its tokens, without the delimiters.
pub(super) struct Action<'a> {
    pub(super) span: Span,
    pub(super) tokens: Vec<Token<'a>>,
}

pub(super) enum Lexeme<'a> {
    Text(Node),
    Action(Action<'a>),
}

pub(super) struct Lexer<'a> {
    pub(super) src: &'a str,
    pub(super) pos: usize,
    /// The previous action ended with ` -}}`: trim the leading spaces of the next text.
    pub(super) trim_leading: bool,
}

/// Whether `s`, which starts with `{{`, starts with a trim marker `{{- `.
pub(super) fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 4 && b[2] == b'-' && matches!(b[3], b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Lexer<'a> {
    /// The next text or action; comments and text that trimming empties are skipped.
    pub(super) fn next_item(&mut self) -> Result<Option<Lexeme<'a>>, TemplateError> {
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
    pub(super) fn action(&mut self) -> Result<Option<Action<'a>>, TemplateError> {
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

pub(super) fn unterminated_action(open: Span) -> TemplateError {
    error(open, "unterminated action: `{{` is never closed with `}}`")
}

/// Length of the closing delimiter (`}}` or ` -}}`) at the start of `s`, and
/// whether it is a trim marker.
pub(super) fn close_delimiter(s: &str) -> Option<(usize, bool)> {
    if s.starts_with(SPACE_CHARS) && s[1..].starts_with("-}}") {
        Some((4, true))
    } else if s.starts_with("}}") {
        Some((2, false))
    } else {
        None
    }
}
