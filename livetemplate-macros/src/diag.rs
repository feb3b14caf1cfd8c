//! Build errors that point into the template: `file:line:col`, the line, a caret.

use crate::ast::Span;

/// An error located in a template source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub span: Span,
    /// Optional extra line, e.g. `help: did you mean `title`?`.
    pub help: Option<String>,
}

impl TemplateError {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        TemplateError {
            message: message.into(),
            span,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Formats the error the way rustc shows its own:
    ///
    /// ```text
    /// templates/x.html:3:5: unknown field `titel`
    ///   |
    /// 3 | <h1>{{.titel}}</h1>
    ///   |       ^^^^^^
    ///   = help: did you mean `title`?
    /// ```
    pub fn render(&self, file: &str, src: &str) -> String {
        let (line, col) = line_col(src, self.span.start);
        let line_text = src.lines().nth(line - 1).unwrap_or("");
        let gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        // Caret under the span, clipped to the first line of the span.
        let line_start = self.span.start + 1 - col;
        let span_end = self.span.end.max(self.span.start + 1);
        let caret_end = (span_end - line_start).min(line_text.len().max(col));
        let caret_start = col - 1;
        let width = src
            .get(line_start + caret_start..line_start + caret_end)
            .map(|s| s.chars().count())
            .unwrap_or(1)
            .max(1);
        let lead: String = line_text
            .get(..caret_start)
            .unwrap_or("")
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let mut out = format!(
            "{file}:{line}:{col}: {msg}\n{pad} |\n{line} | {text}\n{pad} | {lead}{carets}",
            msg = self.message,
            text = line_text,
            carets = "^".repeat(width),
        );
        if let Some(help) = &self.help {
            out.push_str(&format!("\n{pad} = help: {help}"));
        }
        out
    }
}

/// 1-based line and column (in characters) of byte offset `pos`.
pub fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let pos = floor_char_boundary(src, pos.min(src.len()));
    let before = &src[..pos];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = src[line_start..pos].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let src = "ab\ncd{{x}}";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        assert_eq!(line_col(src, 5), (2, 3));
        assert_eq!(line_col(src, 999), (2, 8));
    }

    #[test]
    fn render_shows_line_and_caret() {
        let src = "<p>\n<h1>{{.titel}}</h1>\n";
        let e = TemplateError::new(Span::new(10, 16), "unknown field `titel`")
            .with_help("did you mean `title`?");
        let text = e.render("t.html", src);
        assert_eq!(
            text,
            "t.html:2:7: unknown field `titel`\n  |\n2 | <h1>{{.titel}}</h1>\n  |       ^^^^^^\n  = help: did you mean `title`?"
        );
    }

    #[test]
    fn render_handles_multibyte_and_eof() {
        let src = "é{{";
        let e = TemplateError::new(Span::new(2, 4), "unterminated action");
        assert!(e.render("f", src).starts_with("f:1:2: unterminated action"));
        let e = TemplateError::new(Span::new(4, 4), "x");
        assert!(e.render("f", src).starts_with("f:1:4: x"));
    }
}
