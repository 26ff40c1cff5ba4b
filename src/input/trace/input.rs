//! Shared reading machinery for the importers: a bounded line reader, a CSV field splitter that
//! keeps column positions, header lookup, and number parsers that turn a bad field into an
//! [`InputError`] naming the file, line, column and field.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{InputError, quote};
use crate::limits::MAX_QUANTITY;

/// Opens a file for reading, or says which file could not be opened.
pub fn open(path: &Path) -> Result<BufReader<File>, InputError> {
    File::open(path)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|e| InputError {
            file: Some(path.to_path_buf()),
            line: None,
            column: None,
            field: String::new(),
            message: format!("cannot open the trace: {e}"),
            fix: "check the path (a Trace object's paths are relative to its YAML file)".to_string(),
        })
}

/// A line's text, or why it is not text (not UTF-8).
pub type LineText<'a> = Result<&'a str, InputError>;

/// Reads lines one at a time, each at most `max` bytes, counting line numbers from 1.
pub struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    pub line_no: usize,
    max: usize,
    path: PathBuf,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, path: &Path, max: usize) -> Self {
        Lines {
            reader,
            buf: Vec::new(),
            line_no: 0,
            max,
            path: path.to_path_buf(),
        }
    }

    /// The next line (its number and text without the line terminator), or `None` at the end.
    /// A line that is not UTF-8 is an error.
    pub fn next_line(&mut self) -> Result<Option<(usize, &str)>, InputError> {
        match self.next_row()? {
            None => Ok(None),
            Some((n, text)) => text.map(|t| Some((n, t))),
        }
    }

    /// The bytes of the line last read, without its terminator.
    pub fn raw(&self) -> &[u8] {
        &self.buf
    }

    /// As [`Lines::next_line`], but a line that is not UTF-8 comes as its number and the error:
    /// it was read whole, so a reader may skip it and go on. A line too long is still an error
    /// of the file (the rest of it is not read).
    pub fn next_row(&mut self) -> Result<Option<(usize, LineText<'_>)>, InputError> {
        self.buf.clear();
        let limit = u64::try_from(self.max).unwrap_or(u64::MAX).saturating_add(2);
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| InputError {
                file: Some(self.path.clone()),
                line: Some(self.line_no + 1),
                column: None,
                field: String::new(),
                message: format!("read error: {e}"),
                fix: "check the file".to_string(),
            })?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.len() > self.max {
            return Err(InputError::new(
                "",
                format!("line longer than {} bytes", self.max),
                "this is not a trace of the chosen format, or raise Options::max_line_bytes",
            )
            .at(&self.path, self.line_no, None));
        }
        let text = std::str::from_utf8(&self.buf).map_err(|e| {
            InputError::new(
                "",
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                "traces are UTF-8 (or ASCII) text",
            )
            .at(&self.path, self.line_no, Some(e.valid_up_to() + 1))
        });
        Ok(Some((self.line_no, text)))
    }
}

/// A job made of one data row, with its absolute submit time in ms; `None` if the row is
/// skipped (counted in the report by the maker); an error for a field it cannot read.
pub type RowJob = Result<Option<(i64, super::TraceJob)>, InputError>;

/// Reads the data rows of a CSV trace after its header (`names`): each non-blank line is a
/// [`Row`], made a job by `job_of` and emitted. A row that does not split into the header's
/// columns, or that `job_of` refuses, is skipped and counted as `bad <column>` or
/// `malformed row` ([`super::ImportReport::skip_bad_row`], as for every format), except on the
/// first data row, where it is the file's error: the file is not of the format. A line that is
/// not UTF-8 counts as a malformed row. Errors of the file itself (unreadable, a line too long)
/// and of `emit` (the bounds every job keeps) stop the read.
pub fn csv_rows(
    lines: &mut Lines<BufReader<File>>,
    path: &Path,
    names: &[String],
    report: &mut super::ImportReport,
    emit: &mut super::Emit<'_>,
    job_of: &mut dyn FnMut(&Row<'_, '_>, &mut super::ImportReport) -> RowJob,
) -> Result<(), InputError> {
    while let Some((line, text)) = lines.next_row()? {
        if text.as_ref().is_ok_and(|t| t.trim().is_empty()) {
            continue;
        }
        report.rows_read += 1;
        let first = report.rows_read == 1;
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                report.skip_bad_row(e, first, "")?;
                continue;
            }
        };
        match Row::parse(path, line, text, names).and_then(|row| job_of(&row, report)) {
            Ok(Some((t, job))) => emit(line, t, job)?,
            Ok(None) => {}
            // The job id is the first column in every format read this way (cut when quoted).
            Err(e) => report.skip_bad_row(e, first, text.split(',').next().unwrap_or(""))?,
        }
    }
    Ok(())
}

/// One CSV field with its 1-based column (character position of its first character).
#[derive(Debug)]
pub struct Field<'a> {
    pub col: usize,
    pub text: Cow<'a, str>,
}

/// Splits one CSV line (RFC 4180 quoting within the line: `"a,b"`, `"say ""hi"""`).
pub fn split_csv(line: &str) -> Result<Vec<Field<'_>>, (usize, String)> {
    if !line.contains('"') {
        // One allocation a row, not one per doubling.
        let mut out = Vec::with_capacity(line.bytes().filter(|&b| b == b',').count() + 1);
        let mut col = 1;
        for part in line.split(',') {
            out.push(Field {
                col,
                text: Cow::Borrowed(part),
            });
            col += part.chars().count() + 1;
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    loop {
        let start = i;
        let mut text = String::new();
        if chars.get(i) == Some(&'"') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err((start + 1, "unterminated quoted field".to_string())),
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        text.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        text.push(*c);
                        i += 1;
                    }
                }
            }
            match chars.get(i) {
                None | Some(',') => {}
                Some(_) => return Err((i + 1, "text after a closing quote".to_string())),
            }
        } else {
            while let Some(c) = chars.get(i) {
                if *c == ',' {
                    break;
                }
                if *c == '"' {
                    return Err((i + 1, "a quote inside an unquoted field".to_string()));
                }
                text.push(*c);
                i += 1;
            }
        }
        out.push(Field {
            col: start + 1,
            text: Cow::Owned(text),
        });
        if chars.get(i) == Some(&',') {
            i += 1;
        } else {
            return Ok(out);
        }
    }
}

/// Where a row came from, to build errors.
pub struct Row<'a, 'f> {
    pub path: &'a Path,
    pub line: usize,
    pub fields: Vec<Field<'f>>,
    /// Column names by index (for error messages).
    pub names: &'a [String],
}

impl<'a, 'f> Row<'a, 'f> {
    /// Splits `text` into a row, or a CSV syntax error located at its column.
    pub fn parse(path: &'a Path, line: usize, text: &'f str, names: &'a [String]) -> Result<Self, InputError> {
        let fields = split_csv(text).map_err(|(col, msg)| {
            InputError::new(
                "",
                msg,
                "quote fields that contain commas as \"...\" and double inner quotes",
            )
            .at(path, line, Some(col))
        })?;
        if fields.len() != names.len() {
            // The column names are not listed: for a file with a header they are the file's
            // own text, which an error never echoes.
            return Err(InputError::new(
                "",
                format!("{} fields, expected {}", fields.len(), names.len()),
                "write one value per column of the header, separated by commas",
            )
            .at(path, line, None));
        }
        Ok(Row {
            path,
            line,
            fields,
            names,
        })
    }

    /// The text of field `i`, trimmed.
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.text.trim())
    }

    /// An error about field `i`.
    pub fn err(&self, i: usize, message: impl Into<String>, fix: impl Into<String>) -> InputError {
        let col = self.fields.get(i).map(|f| f.col);
        let name = self.names.get(i).cloned().unwrap_or_default();
        InputError::new(name, message, fix).at(self.path, self.line, col)
    }

    /// Field `i` as a non-negative integer.
    pub fn u64(&self, i: usize) -> Result<u64, InputError> {
        let s = self.get(i);
        s.parse::<u64>().map_err(|_| {
            self.err(
                i,
                format!("{} is not a non-negative integer", quote(s)),
                "write a whole number such as 8",
            )
        })
    }

    /// Field `i` as a non-negative integer that fits i64.
    pub fn i64_nonneg(&self, i: usize) -> Result<i64, InputError> {
        let v = self.u64(i)?;
        i64::try_from(v).map_err(|_| self.err(i, format!("{v} is too large"), "write a smaller number"))
    }

    /// `total` whole units of field `i` (GPUs, cores) shared by `pods` pods: per pod, rounded
    /// up, in thousandths; an error on the field beyond [`MAX_QUANTITY`] (before it can wrap).
    pub fn per_pod_milli(&self, i: usize, total: u64, pods: u64) -> Result<i64, InputError> {
        let per_pod = total.div_ceil(pods.max(1));
        i64::try_from(per_pod)
            .ok()
            .and_then(|v| v.checked_mul(1000))
            .filter(|v| *v <= MAX_QUANTITY)
            .ok_or_else(|| {
                self.err(
                    i,
                    format!(
                        "{total} over {pods} pods is beyond the limit of {} per pod",
                        MAX_QUANTITY / 1000
                    ),
                    "check the column: it counts whole units",
                )
            })
    }

    /// Field `i` as a decimal number of seconds, in ms (`None` if empty or NaN).
    pub fn secs_ms(&self, i: usize) -> Result<Option<i64>, InputError> {
        let s = self.get(i);
        if s.is_empty() || s.eq_ignore_ascii_case("nan") {
            return Ok(None);
        }
        decimal_milli(s).map(Some).ok_or_else(|| {
            self.err(
                i,
                format!("{} is not a number of seconds", quote(s)),
                "write seconds as a decimal number such as 4550879.0",
            )
        })
    }
}

/// Column names of a header line, trimmed.
pub fn header_names(line: &str) -> Vec<String> {
    split_csv(line)
        .map(|fs| fs.into_iter().map(|f| f.text.trim().to_string()).collect())
        .unwrap_or_default()
}

/// Finds each of `wanted` in the header `names`, or says the file is not `what` (e.g.
/// `a Helios cluster_log.csv`). The error shows the header expected, never the line found: a
/// file given with the wrong `--format` (or no trace at all) must not be printed back.
pub fn columns<const N: usize>(
    path: &Path,
    line: usize,
    names: &[String],
    wanted: [&str; N],
    what: &str,
) -> Result<[usize; N], InputError> {
    let mut out = [0; N];
    for (k, w) in wanted.iter().enumerate() {
        out[k] = names.iter().position(|n| n == w).ok_or_else(|| {
            InputError::new(
                *w,
                format!(
                    "not {what}: expected a header with the columns {} (no column \"{w}\" found)",
                    wanted.join(",")
                ),
                "choose the file's real --format (or the Trace's format), or check the path",
            )
            .at(path, line, None)
        })?;
    }
    Ok(out)
}

/// Parses a decimal number (`12`, `-3.5`, `4550879.0`, `1e3`) times 1000, rounded to the
/// nearest integer (halves away from zero). `None` if it is not a finite number.
pub fn decimal_milli(s: &str) -> Option<i64> {
    decimal_scaled(s, 3)
}

/// Parses a decimal number times `10^scale`, rounded to the nearest integer (halves away from
/// zero). `None` if it is not a finite number or out of range.
pub fn decimal_scaled(s: &str, scale: i32) -> Option<i64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(p) => (&body[..p], body[p + 1..].parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // digits * 10^(exp + 3 - frac_len), rounded.
    let digits = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 || exp.abs() > 30 {
        return None;
    }
    let mut value: i128 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    let shift = exp + scale - i32::try_from(frac_part.len()).ok()?;
    if shift >= 0 {
        for _ in 0..shift {
            value = value.checked_mul(10)?;
        }
    } else {
        let mut den: i128 = 1;
        for _ in 0..(-shift) {
            den = den.checked_mul(10)?;
        }
        value = (value + den / 2) / den;
    }
    let v = i64::try_from(value).ok()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_splitting_keeps_columns_and_handles_quotes() {
        let f = split_csv("a,bc,,d").unwrap();
        let t: Vec<(usize, &str)> = f.iter().map(|f| (f.col, f.text.as_ref())).collect();
        assert_eq!(t, vec![(1, "a"), (3, "bc"), (6, ""), (7, "d")]);
        let f = split_csv(r#"x,"a,b","say ""hi""""#).unwrap();
        let t: Vec<&str> = f.iter().map(|f| f.text.as_ref()).collect();
        assert_eq!(t, vec!["x", "a,b", "say \"hi\""]);
        assert_eq!(split_csv(r#"x,"abc"#).unwrap_err().0, 3);
        assert!(split_csv(r#"x,"a"b"#).is_err());
    }

    #[test]
    fn decimals_in_milli() {
        assert_eq!(decimal_milli("4550879.0"), Some(4_550_879_000));
        assert_eq!(decimal_milli("29.296875"), Some(29_297));
        assert_eq!(decimal_milli("-1"), Some(-1000));
        assert_eq!(decimal_milli("1e3"), Some(1_000_000));
        assert_eq!(decimal_milli(".5"), Some(500));
        assert_eq!(decimal_milli("0.0004"), Some(0));
        assert_eq!(decimal_milli("0.0005"), Some(1));
        assert_eq!(decimal_milli("nan"), None);
        assert_eq!(decimal_milli(""), None);
        assert_eq!(decimal_milli("1.2.3"), None);
        assert_eq!(decimal_milli("12a"), None);
    }

    #[test]
    fn long_lines_are_an_error() {
        let data = format!("ok\n{}\n", "x".repeat(50));
        let mut l = Lines::new(data.as_bytes(), Path::new("f"), 10);
        assert_eq!(l.next_line().unwrap(), Some((1, "ok")));
        let e = l.next_line().unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("longer than 10 bytes"));
    }
}
