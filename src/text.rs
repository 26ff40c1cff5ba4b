//! Small text helpers shared by every writer of tables, and the edit distance behind every
//! "did you mean".

/// A CSV field: quoted (with quotes doubled) only when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    let mut out = String::new();
    push_csv_field(&mut out, s);
    out
}

/// `csv_field(s)` appended to `out`, without a string of its own when it needs no quotes.
pub fn push_csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The Levenshtein distance between two strings (their first 100 characters), for suggesting
/// the name a typo meant.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(100).collect();
    let b: Vec<char> = b.chars().take(100).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A count of thousandths as a decimal number without trailing zeros (`20000` -> `20`,
/// `500` -> `0.5`, `1250` -> `1.25`): GPU amounts, client rates.
pub fn thousandths(milli: i64) -> String {
    if milli < 0 {
        return format!("-{}", thousandths(milli.saturating_neg()));
    }
    let (whole, frac) = (milli / 1000, milli % 1000);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:03}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("a"), "a");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn thousandths_print_without_trailing_zeros() {
        assert_eq!(thousandths(20_000), "20");
        assert_eq!(thousandths(500), "0.5");
        assert_eq!(thousandths(1_250), "1.25");
        assert_eq!(thousandths(3), "0.003");
        assert_eq!(thousandths(-500), "-0.5");
    }
}
