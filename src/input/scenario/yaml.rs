//! The YAML layer of the loader: parses a file's text (a stream of documents) with serde-saphyr
//! into a small tree of located nodes, and turns serde-saphyr errors into [`InputError`]s with
//! absolute line and column.
//!
//! Why a tree and not `#[derive(Deserialize)]` structs: every error must name the field path
//! (`spec.template.spec.containers[0].resources.requests.cpu`) as well as the line, and serde
//! errors carry no path. With the tree, every node knows its line and column, so the
//! converters (`k8s.rs`, `kubesim.rs`) check fields by hand and report exact paths. Scalars keep
//! the type the YAML resolver gave them (string, integer, float, bool, null); converters then
//! accept only the types the Kubernetes API accepts for that field (a label value must be a
//! string), so YAML 1.1/1.2 inference differences (`on`, `0755`) surface as errors, not as
//! silently different values (rust-stack.md P3).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::error::{InputError, quote};

/// A 1-based position in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn of(loc: &serde_saphyr::Location) -> Pos {
        Pos {
            line: usize::try_from(loc.line()).unwrap_or(usize::MAX),
            column: usize::try_from(loc.column()).unwrap_or(usize::MAX),
        }
    }
}

/// A YAML node with the position of its first character.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// A mapping entry: the key text and position, and the value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order (duplicate keys are rejected by the parser).
    Map(Vec<Entry>),
}

impl Value {
    /// What the value is, for "expected X, found Y" messages: its type, never a string's
    /// text (a file that is not YAML at all reads as one long string, and is not printed back).
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "an empty value (null)".to_string(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Int(i) => format!("the number {i}"),
            Value::Float(f) => format!("the number {f}"),
            Value::Str(_) => "a string".to_string(),
            Value::Seq(_) => "a list".to_string(),
            Value::Map(_) => "a mapping".to_string(),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            pos: Pos::of(&spanned.referenced),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i128::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let key_text = match key.value {
                Value::Str(s) => s,
                Value::Int(i) => i.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Null => "null".to_string(),
                Value::Seq(_) | Value::Map(_) => {
                    return Err(de::Error::custom(format!(
                        "a mapping key at line {} column {} is a list or mapping; keys must be \
                         plain strings",
                        key.pos.line, key.pos.column
                    )));
                }
            };
            let value = map.next_value::<Node>()?;
            entries.push(Entry {
                key: key_text,
                key_pos: key.pos,
                value,
            });
        }
        Ok(Value::Map(entries))
    }
}

/// Largest file the loader reads (bounds memory; scenario files are far smaller).
pub(crate) const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Parses a YAML stream into its non-empty documents.
pub(crate) fn parse_stream(text: &str) -> Result<Vec<Node>, Box<InputError>> {
    // The budget bounds work and memory on hostile input (alias bombs, deep nesting): a few
    // hundred bytes per node, so 5 M nodes stay well under 2 GB. Real scenario files (even
    // 100,000 Node objects, or an `at` list at its 100,000-entry limit) stay far below it.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 10_000_000,
            max_nodes: 5_000_000,
            max_documents: 1_000_000,
            max_depth: 64,
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    };
    serde_saphyr::from_multiple_with_options::<Node>(text, options).map_err(saphyr_error)
}

/// The text of a serde-saphyr error without the file's text: the few errors that carry a
/// piece of the input (a duplicate key, a tag, a value) show it only through [`quote`]; the
/// rest are fixed phrases of the parser.
fn saphyr_message(err: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    let mut message = match err {
        E::AliasError { error, .. } | E::WithSnippet { error, .. } => return saphyr_message(error),
        E::DuplicateMappingKey { key: Some(k), .. } => format!("duplicate mapping key: {}", quote(k)),
        E::UnsupportedTag { tag, .. } => format!("unsupported tag {}", quote(tag)),
        E::QuotingRequired { .. } => "a string value here must be quoted".to_string(),
        E::NonFiniteFloat { .. } => "a number that is not finite".to_string(),
        E::SerdeInvalidType { expected, .. } | E::SerdeInvalidValue { expected, .. } => {
            format!("a value of the wrong type, expected {expected}")
        }
        E::SerdeUnknownVariant { variant, .. } => format!("unknown variant {}", quote(variant)),
        E::SerdeUnknownField { field, .. } => format!("unknown field {}", quote(field)),
        other => other.to_string(),
    };
    // The rendered message repeats the position ("... at line 3, column 7"): drop it, the
    // InputError prints the position itself.
    if let Some(idx) = message.find(" at line ") {
        message.truncate(idx);
    }
    message.lines().next().unwrap_or("").trim().to_string()
}

/// Converts a serde-saphyr error to an [`InputError`] (file still unset) with its position.
fn saphyr_error(err: serde_saphyr::Error) -> Box<InputError> {
    let loc = err.location().filter(|l| l.line() > 0);
    let message = saphyr_message(&err);
    let e = if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        InputError::new(
            "",
            format!("invalid YAML: the key {key} appears twice in the same mapping"),
            "keep one entry of this key in this mapping",
        )
    } else if message.starts_with("budget breached") {
        InputError::new(
            "",
            format!("the YAML is too large or expands too much ({message})"),
            "split the scenario into smaller files, or avoid anchors and aliases that expand to \
             millions of values",
        )
    } else {
        InputError::new(
            "",
            format!("invalid YAML: {message}"),
            "fix the YAML syntax at this position (indentation, a missing ':' or closing \
             quote, a tab used for indentation)",
        )
    };
    Box::new(match loc {
        Some(l) => {
            let p = Pos::of(&l);
            InputError {
                line: Some(p.line),
                column: Some(p.column),
                ..e
            }
        }
        None => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_their_resolved_type_and_position() {
        let docs = parse_stream("---\n---\na: 1\nb: \"1\"\nc: 0.5\nd: true\ne:\nf: [x, 2]\n").unwrap();
        assert_eq!(docs.len(), 1);
        let Value::Map(entries) = &docs[0].value else {
            panic!("not a map")
        };
        assert_eq!(docs[0].pos.line, 3);
        let vals: Vec<&Value> = entries.iter().map(|e| &e.value.value).collect();
        assert_eq!(vals[0], &Value::Int(1));
        assert_eq!(vals[1], &Value::Str("1".into()));
        assert_eq!(vals[2], &Value::Float(0.5));
        assert_eq!(vals[3], &Value::Bool(true));
        assert_eq!(vals[4], &Value::Null);
        assert_eq!(entries[1].key_pos, Pos { line: 4, column: 1 });
        assert_eq!(entries[1].value.pos, Pos { line: 4, column: 4 });
    }

    #[test]
    fn syntax_error_has_absolute_line() {
        let err = parse_stream("a: 1\n---\nb: 2\nc: [1, 2\nd: 3\n").unwrap_err();
        assert!(err.line.is_some(), "{err:?}");
        assert!(err.line.unwrap() >= 4, "{err:?}");
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let err = parse_stream("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err:?}");
    }
}
