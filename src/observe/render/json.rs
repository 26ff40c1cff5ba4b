//! JSON for `--json`: a table's CSV text turned into a JSON array of objects, one per row, keys
//! the header's column names in order. It is generated from the very text the CSV file is written
//! from, so the two cannot disagree: a column whose every non-empty cell is a JSON number gives
//! numbers (the cell's digits unchanged, so the value is exactly the CSV's), a column of only
//! `true` and `false` gives booleans, an empty cell gives `null`, and anything else a string.
//! A column is typed as a whole, so one column never mixes numbers and strings.

use crate::error::InputError;

/// How a column's cells are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    Number,
    Bool,
    String,
}

/// Is `s` a number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`?
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A JSON string literal.
pub fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The table `csv_text` (a header line, then records) as a JSON array of objects, one row per
/// line (indented to sit in [`object`]). `name` names the table in an error (a bug: kubesim wrote the text).
pub fn table(name: &str, csv_text: &str) -> Result<String, InputError> {
    let bad = |e: csv::Error| {
        InputError::new(
            "--json",
            format!("{name} could not be read back as CSV: {e}"),
            "run without --json and report this bug",
        )
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(bad)?.iter().map(string).collect();
    let rows: Vec<csv::StringRecord> = rdr.records().collect::<Result<_, _>>().map_err(bad)?;
    let types: Vec<Type> = (0..header.len())
        .map(|c| {
            let cells = || rows.iter().map(|r| r.get(c).unwrap_or("")).filter(|v| !v.is_empty());
            if cells().all(is_json_number) {
                Type::Number
            } else if cells().all(|v| v == "true" || v == "false") {
                Type::Bool
            } else {
                Type::String
            }
        })
        .collect();
    let mut out = String::from("[");
    for (i, r) in rows.iter().enumerate() {
        out.push_str(if i == 0 { "\n    {" } else { ",\n    {" });
        for (c, (key, ty)) in header.iter().zip(&types).enumerate() {
            if c > 0 {
                out.push(',');
            }
            out.push_str(key);
            out.push(':');
            match (r.get(c).unwrap_or(""), ty) {
                ("", _) => out.push_str("null"),
                (v, Type::Number | Type::Bool) => out.push_str(v),
                (v, Type::String) => out.push_str(&string(v)),
            }
        }
        out.push('}');
    }
    out.push_str(if rows.is_empty() { "]" } else { "\n  ]" });
    Ok(out)
}

/// A JSON object of `fields` (key, JSON text of the value), in order, one field per line.
pub fn object(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("  {}: {v}", string(k))).collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_are_recognized_exactly() {
        for ok in ["0", "-0", "12", "0.500000", "-3.25", "1e5", "2.5E-3"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "+1", "1e", "inf", "NaN", "1_0", "3m", "0x10", "1.2.3",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn tables_become_typed_objects_with_nulls() {
        let t = table("t.csv", "a,b,c,\"d,e\"\n1,x,true,\n2.500000,\"q\"\"\",false,7\n").unwrap();
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                {"a": 1, "b": "x", "c": true, "d,e": null},
                {"a": 2.5, "b": "q\"", "c": false, "d,e": 7}
            ])
        );
        // A column with one cell that is not a number is strings throughout.
        let t = table("t.csv", "v\n8\n3m\n").unwrap();
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v, serde_json::json!([{"v": "8"}, {"v": "3m"}]));
        assert_eq!(table("t.csv", "a,b\n").unwrap(), "[]");
    }
}
