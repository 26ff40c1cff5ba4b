//! Errors a user can fix (bad scenario files, bad flags, a bound exceeded) and how they print.
//! Every such error names the file, the line and column where known, the field, and the fix;
//! the CLI maps them to exit status 2. Internal errors (bugs) are panics or exit status 1.

use std::fmt;
use std::path::PathBuf;

/// A user-fixable error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The file at fault, if the error is about a file.
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The field path at fault (`spec.template.spec.containers[0].resources.requests.cpu`),
    /// or the flag (`--seeds`), or empty.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl InputError {
    /// An error not tied to a file (a flag, a run-time bound).
    pub fn new(field: impl Into<String>, message: impl Into<String>, fix: impl Into<String>) -> Self {
        InputError {
            file: None,
            line: None,
            column: None,
            field: field.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// The same error located in a file.
    pub fn at(mut self, file: impl Into<PathBuf>, line: usize, column: Option<usize>) -> Self {
        self.file = Some(file.into());
        self.line = Some(line);
        self.column = column;
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.column {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": ")?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        write!(f, "{}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, "\n  fix: {}", self.fix)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// Most characters of an input value a message shows (after escaping): enough to recognise a
/// bad quantity or name, too few to reproduce a line of a file that was never meant as input.
pub const QUOTE_MAX_CHARS: usize = 40;

/// An input value as messages show it: escaped as `{:?}` escapes a string (so control
/// characters and line breaks cannot forge output) and cut to [`QUOTE_MAX_CHARS`] characters,
/// then `…`. No quotes around it: for field paths and for values inside other quoting.
pub fn cut(value: &str) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for c in value.chars() {
        // As `{:?}` prints a string: a single quote needs no escape inside double quotes.
        let esc: String = if c == '\'' {
            "'".to_string()
        } else {
            c.escape_debug().collect()
        };
        let n = esc.chars().count();
        if shown + n > QUOTE_MAX_CHARS {
            out.push('…');
            return out;
        }
        shown += n;
        out.push_str(&esc);
    }
    out
}

/// An input value quoted for a message: `"12x"`, or `"root:x:0:0:…"` when long (see [`cut`]).
/// Every message that shows a value read from a file or flag goes through this, so no error
/// can carry more than a short prefix of what a user pointed kubesim at (issue 12: a wrong
/// `--format` or path must not print someone's secrets back).
pub fn quote(value: &str) -> String {
    format!("\"{}\"", cut(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_column_field_and_fix() {
        let e = InputError::new(
            "spec.horizon",
            "negative duration \"-5m\"",
            "write a duration such as 12h",
        )
        .at("scen.yaml", 7, Some(12));
        assert_eq!(
            e.to_string(),
            "scen.yaml:7:12: spec.horizon: negative duration \"-5m\"\n  fix: write a duration such as 12h"
        );
        let flag = InputError::new("--seeds", "bad range", "write A..B");
        assert_eq!(flag.to_string(), "--seeds: bad range\n  fix: write A..B");
    }

    #[test]
    fn quote_escapes_and_cuts() {
        let forty = "a".repeat(QUOTE_MAX_CHARS);
        let cases: &[(&str, &str, String)] = &[
            ("short value as is", "12x", "\"12x\"".to_string()),
            ("empty", "", "\"\"".to_string()),
            (
                "quotes and line breaks escaped",
                "a\"b\nc",
                "\"a\\\"b\\nc\"".to_string(),
            ),
            ("exactly the limit kept whole", &forty, format!("\"{forty}\"")),
            (
                "one more is cut",
                "root:x:0:0:root:/root:/bin/bash daemon:x:1:1:daemon",
                "\"root:x:0:0:root:/root:/bin/bash daemon:x…\"".to_string(),
            ),
            // An escape is never split: `\u{1}` (6 characters) does not fit after 38 'b's.
            (
                "escapes stay whole",
                &format!("{}\u{1}", "b".repeat(38)),
                format!("\"{}…\"", "b".repeat(38)),
            ),
            ("multi-byte characters counted once", "ééé", "\"ééé\"".to_string()),
        ];
        for (name, input, want) in cases {
            assert_eq!(&quote(input), want, "{name}");
        }
        let long = "x".repeat(10_000);
        assert_eq!(
            cut(&long).chars().count(),
            QUOTE_MAX_CHARS + 1,
            "40 characters and the ellipsis"
        );
    }
}
