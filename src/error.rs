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
}
