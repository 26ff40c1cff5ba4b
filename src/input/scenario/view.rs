//! Typed, path-tracking reads of the YAML tree: each accessor knows the field path
//! (`spec.template.spec.containers[0].resources.requests.cpu`) and the position of the node it
//! reads, so every conversion error names both. Also the "unknown field" typo guard.

use std::collections::BTreeMap;

use super::yaml::{Entry, Node, Pos, Value};
use crate::error::{InputError, cut};
use crate::input::quantity::{parse_duration_ms, parse_quantity};
use crate::limits::{MAX_DURATION_MS, describe_limit, describe_ms};

/// A user-fixable error, boxed: errors are the cold path and `InputError` is large.
pub(crate) type Error = Box<InputError>;
pub(crate) type Res<T> = Result<T, Error>;

/// An error at `pos` about `field` (the file is attached by the caller that knows it).
pub(crate) fn err_at(pos: Pos, field: &str, message: impl Into<String>, fix: impl Into<String>) -> Error {
    Box::new(InputError {
        file: None,
        line: Some(pos.line),
        column: Some(pos.column),
        field: field.to_string(),
        message: message.into(),
        fix: fix.into(),
    })
}

/// `path.key`; the key is the file's text, so it is cut like a quoted value.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        cut(key)
    } else {
        format!("{path}.{}", cut(key))
    }
}

/// A node together with its field path.
#[derive(Clone)]
pub(crate) struct F<'a> {
    pub node: &'a Node,
    pub path: String,
    /// The position of the key that introduced the node (the node's own for list items and
    /// documents): blamed for errors about the mapping as a whole, such as a missing field.
    pub key_pos: Pos,
}

impl<'a> F<'a> {
    pub fn new(node: &'a Node, path: impl Into<String>) -> Self {
        F {
            node,
            path: path.into(),
            key_pos: node.pos,
        }
    }

    pub fn err(&self, message: impl Into<String>, fix: impl Into<String>) -> Error {
        err_at(self.node.pos, &self.path, message, fix)
    }

    fn type_err(&self, expected: &str, fix: &str) -> Error {
        self.err(
            format!("expected {expected}, found {}", self.node.value.describe()),
            fix,
        )
    }

    /// A string scalar. Numbers and booleans are rejected as the Kubernetes API does.
    pub fn str(&self) -> Res<&'a str> {
        match &self.node.value {
            Value::Str(s) => Ok(s),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => Err(self.type_err(
                "a string",
                "quote the value (YAML reads unquoted 1, 1.10, true, on, yes, y or n as a number or \
                 boolean)",
            )),
            _ => Err(self.type_err("a string", "write a plain string value")),
        }
    }

    pub fn string(&self) -> Res<String> {
        self.str().map(str::to_string)
    }

    /// A string that must not be empty.
    pub fn name(&self) -> Res<String> {
        let s = self.str()?;
        if s.trim().is_empty() {
            return Err(self.err("the value is empty", "write a non-empty name"));
        }
        Ok(s.to_string())
    }

    pub fn bool(&self) -> Res<bool> {
        match &self.node.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.type_err("true or false", "write true or false (unquoted)")),
        }
    }

    /// An integer in `[min, max]`.
    pub fn int_in(&self, min: i128, max: i128) -> Res<i128> {
        match &self.node.value {
            Value::Int(i) if (min..=max).contains(i) => Ok(*i),
            Value::Int(i) => Err(self.err(
                format!("{i} is out of range"),
                format!("write an integer from {min} to {max}"),
            )),
            _ => Err(self.type_err("an integer", &format!("write an unquoted integer from {min} to {max}"))),
        }
    }

    /// An integer from `min` to the documented bound `max` (see [`crate::limits`]): beyond
    /// it, an error that names the value, the bound and what it bounds (`why`, e.g. "pods per
    /// workload"), before the number sizes anything.
    pub fn bounded(&self, min: i128, max: i128, why: &str, fix: &str) -> Res<i128> {
        match &self.node.value {
            Value::Int(i) if *i > max => Err(self.err(
                format!("{} {i} is beyond the limit of {max} {why}", self.key()),
                format!("{fix} (at most {max})"),
            )),
            _ => self.int_in(min, max),
        }
    }

    /// The last segment of the field path (`completions`, `horizon`, an annotation's whole
    /// key such as `kubesim.io/duration`), for messages.
    fn key(&self) -> &str {
        if let Some((_, key)) = self.path.split_once("annotations.") {
            return key;
        }
        let last = self.path.rsplit('.').next().unwrap_or(&self.path);
        last.rsplit_once('[').map_or(last, |(k, _)| k)
    }

    pub fn u32(&self) -> Res<u32> {
        self.int_in(0, i128::from(i32::MAX)).map(|v| v as u32)
    }

    pub fn i32(&self) -> Res<i32> {
        self.int_in(i128::from(i32::MIN), i128::from(i32::MAX))
            .map(|v| v as i32)
    }

    /// A float (integers accepted).
    pub fn f64(&self) -> Res<f64> {
        match &self.node.value {
            Value::Float(f) if f.is_finite() => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            _ => Err(self.type_err("a number", "write a number such as 0.5")),
        }
    }

    /// The text of a scalar that may be written as a number or a string (`1`, `"1"`, `0.5`).
    fn number_text(&self, fix: &str) -> Res<String> {
        match &self.node.value {
            Value::Str(s) => Ok(s.clone()),
            Value::Int(i) => Ok(i.to_string()),
            Value::Float(f) if f.is_finite() => Ok(f.to_string()),
            _ => Err(self.type_err("a number or a string", fix)),
        }
    }

    /// A Go-style duration (`90s`, `1.5h`; see [`parse_duration_ms`]), in milliseconds, at
    /// most [`MAX_DURATION_MS`].
    pub fn duration_ms(&self) -> Res<u64> {
        self.duration_ms_within(MAX_DURATION_MS)
    }

    /// A duration of at most `max` ms: beyond it, an error naming the value and the bound
    /// (`horizon 584942417y is beyond the limit of 10 years`).
    pub fn duration_ms_within(&self, max: u64) -> Res<u64> {
        let text = self.number_text("write a duration such as 90s, 20m, 1.5h or 2d")?;
        let ms = parse_duration_ms(&text)
            .map_err(|m| self.err(m, "write a duration such as 300ms, 90s, 20m, 1.5h or 2d"))?;
        if ms > max {
            return Err(self.err(
                format!(
                    "{} {} is beyond the limit of {}",
                    self.key(),
                    describe_ms(ms),
                    describe_limit(max)
                ),
                format!("write a duration of at most {}", describe_limit(max)),
            ));
        }
        Ok(ms)
    }

    /// A Kubernetes quantity of `resource`, in canonical units.
    pub fn quantity(&self, resource: &str) -> Res<i64> {
        let text = self.number_text("write a quantity such as 500m, 8, 64Gi")?;
        parse_quantity(resource, &text)
            .map_err(|m| self.err(m, "write a non-negative quantity such as 500m, 2, 1.5, 64Gi or 1e3"))
    }

    pub fn obj(&self) -> Res<Obj<'a>> {
        match &self.node.value {
            Value::Map(entries) => Ok(Obj {
                entries,
                path: self.path.clone(),
                pos: self.key_pos,
            }),
            Value::Null => Ok(Obj {
                entries: &[],
                path: self.path.clone(),
                pos: self.key_pos,
            }),
            _ => Err(self.type_err("a mapping (key: value lines)", "write a mapping here")),
        }
    }

    /// The items of a list (an empty value is an empty list).
    pub fn seq(&self) -> Res<Vec<F<'a>>> {
        match &self.node.value {
            Value::Seq(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, n)| F::new(n, format!("{}[{i}]", self.path)))
                .collect()),
            Value::Null => Ok(Vec::new()),
            _ => Err(self.type_err("a list", "write a list (lines starting with '- ', or [a, b])")),
        }
    }

    /// A map of string to string (labels, annotations, nodeSelector).
    pub fn string_map(&self) -> Res<BTreeMap<String, String>> {
        let obj = self.obj()?;
        let mut out = BTreeMap::new();
        for e in obj.entries {
            let f = F::new(&e.value, join(&self.path, &e.key));
            let v = match &e.value.value {
                Value::Null => String::new(),
                _ => f.string()?,
            };
            out.insert(e.key.clone(), v);
        }
        Ok(out)
    }

    /// A resource list (`{cpu: "8", memory: 64Gi}`) in canonical units.
    pub fn resource_list(&self) -> Res<BTreeMap<String, i64>> {
        let obj = self.obj()?;
        let mut out = BTreeMap::new();
        for e in obj.entries {
            let f = F::new(&e.value, join(&self.path, &e.key));
            if e.key.trim().is_empty() {
                return Err(err_at(
                    e.key_pos,
                    &f.path,
                    "empty resource name",
                    "name the resource (cpu, memory, nvidia.com/gpu, ...)",
                ));
            }
            out.insert(e.key.clone(), f.quantity(&e.key)?);
        }
        Ok(out)
    }
}

/// A mapping being read field by field.
pub(crate) struct Obj<'a> {
    pub entries: &'a [Entry],
    pub path: String,
    /// Where the mapping starts (blamed for a missing field).
    pub pos: Pos,
}

impl<'a> Obj<'a> {
    /// The value of `key`, if present and not null.
    pub fn get(&self, key: &str) -> Option<F<'a>> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .filter(|e| e.value.value != Value::Null)
            .map(|e| F {
                node: &e.value,
                path: join(&self.path, key),
                key_pos: e.key_pos,
            })
    }

    /// Whether `key` is written (even with an empty value).
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }

    /// The value of a required `key`.
    pub fn req(&self, key: &str, fix: &str) -> Res<F<'a>> {
        self.get(key).ok_or_else(|| self.missing(key, fix))
    }

    /// The error for a missing required `key`, at the mapping's position.
    pub fn missing(&self, key: &str, fix: &str) -> Error {
        let field = join(&self.path, key);
        let within = if self.path.is_empty() {
            "the document".to_string()
        } else {
            format!("`{}`", self.path)
        };
        err_at(
            self.pos,
            &field,
            format!("missing required field `{key}` in {within}"),
            fix,
        )
    }

    /// Rejects keys not in `allowed` (the typo guard), suggesting the closest allowed key.
    pub fn deny_unknown(&self, allowed: &[&str], what: &str) -> Res<()> {
        for e in self.entries {
            if !allowed.contains(&e.key.as_str()) {
                let field = join(&self.path, &e.key);
                let hint = match closest(&e.key, allowed) {
                    Some(c) => format!("did you mean `{c}`? "),
                    None => String::new(),
                };
                return Err(err_at(
                    e.key_pos,
                    &field,
                    format!("unknown field `{}` in {what}", cut(&e.key)),
                    format!("{hint}The fields allowed here are: {}.", allowed.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

/// The allowed name closest to `key` by edit distance, if close enough to be a typo.
fn closest<'s>(key: &str, allowed: &[&'s str]) -> Option<&'s str> {
    let key_l = key.to_ascii_lowercase();
    allowed
        .iter()
        .map(|a| (crate::text::edit_distance(&key_l, &a.to_ascii_lowercase()), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_typos_only() {
        let allowed = ["backoffLimit", "completions", "parallelism"];
        assert_eq!(closest("backofLimit", &allowed), Some("backoffLimit"));
        assert_eq!(closest("paralelism", &allowed), Some("parallelism"));
        assert_eq!(closest("image", &allowed), None);
    }
}
