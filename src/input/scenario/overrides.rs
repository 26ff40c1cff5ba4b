//! Overrides: a value set at a path of one object before the loader reads it (`kubesim sweep
//! --set PATH=VALUES`, `--capacity PATH=LO..HI`). A path is `Kind/name:field.path`, e.g.
//! `NodePool/gpu-a100:spec.count`, `Queue/nlp:spec.weight`,
//! `Arrivals/experiments:spec.poisson.meanInterval`, `Job/team-a/train:spec.parallelism`
//! (`Kind/namespace/name` for namespaced objects in other namespaces than their default), with
//! `[i]` for list entries and `["key.with/dots"]` for keys such as annotations. The value is read
//! as a YAML scalar (`8`, `0.5`, `3m`, `true`), so the object's own checks then apply to it as if
//! it were written in the file. Missing mappings on the way are created; a missing list entry or
//! a path through a scalar is an error.

use super::yaml::{Entry, Node, Value, parse_stream};
use crate::error::InputError;

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A value to set at a path of one object.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub path: Vec<Seg>,
    /// The value as given.
    pub value: String,
    /// The path as given (for messages and reports).
    pub text: String,
}

const FIX: &str = "write Kind/name:field.path, e.g. NodePool/gpu:spec.count, Queue/nlp:spec.weight, \
                   Arrivals/exp:spec.poisson.meanInterval, Job/team-a/train:spec.parallelism; use [i] for \
                   list entries and [\"a.b/c\"] for keys with dots or slashes";

impl Override {
    /// Parse `path` (and the `value` to set there) from flag `flag`.
    pub fn parse(flag: &str, path: &str, value: &str) -> Result<Override, InputError> {
        let bad = |why: &str| InputError::new(flag, format!("`{path}`: {why}"), FIX);
        let (object, fields) = path
            .split_once(':')
            .ok_or_else(|| bad("no `:` between the object and the field"))?;
        let parts: Vec<&str> = object.split('/').collect();
        let (kind, namespace, name) = match parts.as_slice() {
            [k, n] => (*k, None, *n),
            [k, ns, n] => (*k, Some(ns.to_string()), *n),
            _ => return Err(bad("the object must be Kind/name or Kind/namespace/name")),
        };
        if kind.is_empty() || name.is_empty() {
            return Err(bad("the object must be Kind/name or Kind/namespace/name"));
        }
        let path_segs = parse_fields(fields).map_err(|why| bad(&why))?;
        if path_segs.is_empty() {
            return Err(bad("no field after `:`"));
        }
        Ok(Override {
            kind: kind.to_string(),
            namespace,
            name: name.to_string(),
            path: path_segs,
            value: value.to_string(),
            text: path.to_string(),
        })
    }

    /// Does this override address document `doc`?
    fn targets(&self, doc: &Node) -> bool {
        let get = |node: &Node, key: &str| -> Option<String> {
            match &node.value {
                Value::Map(es) => es.iter().find(|e| e.key == key).and_then(|e| match &e.value.value {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                }),
                _ => None,
            }
        };
        let meta = match &doc.value {
            Value::Map(es) => es.iter().find(|e| e.key == "metadata").map(|e| &e.value),
            _ => None,
        };
        let Some(meta) = meta else { return false };
        get(doc, "kind").as_deref() == Some(self.kind.as_str())
            && get(meta, "name").as_deref() == Some(self.name.as_str())
            && match &self.namespace {
                None => true,
                Some(ns) => get(meta, "namespace").as_deref().unwrap_or("default") == ns,
            }
    }

    /// Set the value in `doc` if it is the addressed object; Ok(true) when it was.
    pub(crate) fn apply(&self, doc: &mut Node) -> Result<bool, InputError> {
        if !self.targets(doc) {
            return Ok(false);
        }
        let value = scalar(&self.value).ok_or_else(|| {
            InputError::new(
                format!("{}={}", self.text, self.value),
                "the value is not a single YAML scalar",
                "give a number, a duration or quantity (3m, 16Gi), a word or true/false",
            )
        })?;
        let mut node = doc;
        for (i, seg) in self.path.iter().enumerate() {
            let pos = node.pos;
            let here = render(&self.path[..i]);
            node = match (seg, &mut node.value) {
                (Seg::Key(k), Value::Map(entries)) => {
                    let idx = match entries.iter().position(|e| &e.key == k) {
                        Some(idx) => idx,
                        None => {
                            entries.push(Entry {
                                key: k.clone(),
                                key_pos: pos,
                                value: Node {
                                    pos,
                                    value: Value::Map(vec![]),
                                },
                            });
                            entries.len() - 1
                        }
                    };
                    &mut entries[idx].value
                }
                (Seg::Key(k), v @ Value::Null) => {
                    *v = Value::Map(vec![Entry {
                        key: k.clone(),
                        key_pos: pos,
                        value: Node {
                            pos,
                            value: Value::Map(vec![]),
                        },
                    }]);
                    let Value::Map(entries) = v else { unreachable!() };
                    &mut entries[0].value
                }
                (Seg::Index(ix), Value::Seq(items)) => {
                    let len = items.len();
                    items.get_mut(*ix).ok_or_else(|| {
                        InputError::new(
                            self.text.clone(),
                            format!("`{here}` has {len} entries; there is no [{ix}]"),
                            "address an existing list entry (counting from 0)",
                        )
                        .at("", pos.line, Some(pos.column))
                    })?
                }
                (_, other) => {
                    return Err(InputError::new(
                        self.text.clone(),
                        format!("`{here}` is {}, so the path cannot go into it", other.describe()),
                        FIX,
                    )
                    .at("", pos.line, Some(pos.column)));
                }
            };
        }
        let pos = node.pos;
        *node = Node { pos, value };
        Ok(true)
    }
}

/// `a.b[0]["c.d"]` -> segments.
fn parse_fields(s: &str) -> Result<Vec<Seg>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut expect_key = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']').ok_or("an unclosed `[`")?;
            let inner = &r[..close];
            if let Some(q) = inner.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                out.push(Seg::Key(q.to_string()));
            } else {
                out.push(Seg::Index(
                    inner.parse().map_err(|_| format!("`[{inner}]` is not a list index"))?,
                ));
            }
            rest = &r[close + 1..];
            expect_key = false;
        } else if let Some(r) = rest.strip_prefix('.') {
            if expect_key {
                return Err("an empty field name".into());
            }
            rest = r;
            expect_key = true;
        } else {
            if !expect_key {
                return Err("a field name must follow `.`".into());
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(Seg::Key(rest[..end].to_string()));
            rest = &rest[end..];
            expect_key = false;
        }
    }
    if expect_key && !out.is_empty() {
        return Err("the path ends with `.`".into());
    }
    Ok(out)
}

fn render(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if k.contains(['.', '/', '[']) => s.push_str(&format!("[\"{k}\"]")),
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    if s.is_empty() { "the object".into() } else { s }
}

/// The value text as one YAML scalar.
fn scalar(text: &str) -> Option<Value> {
    let docs = parse_stream(text).ok()?;
    match docs.as_slice() {
        [] => Some(Value::Null),
        [one] => match &one.value {
            Value::Seq(_) | Value::Map(_) => None,
            v => Some(v.clone()),
        },
        _ => None,
    }
}

/// Apply every override to a document (and the items of a `kind: List`); marks those used.
pub(crate) fn apply_all(doc: &mut Node, overrides: &[Override], used: &mut [bool]) -> Result<(), InputError> {
    if let Value::Map(entries) = &mut doc.value {
        let is_list = entries
            .iter()
            .any(|e| e.key == "kind" && e.value.value == Value::Str("List".into()));
        if is_list {
            if let Some(items) = entries.iter_mut().find(|e| e.key == "items")
                && let Value::Seq(items) = &mut items.value.value
            {
                for item in items {
                    apply_all(item, overrides, used)?;
                }
            }
            return Ok(());
        }
    }
    for (o, u) in overrides.iter().zip(used.iter_mut()) {
        if o.apply(doc)? {
            *u = true;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        let o = Override::parse("--set", "NodePool/gpu:spec.count", "8").unwrap();
        assert_eq!((o.kind.as_str(), o.name.as_str()), ("NodePool", "gpu"));
        assert_eq!(o.path, vec![Seg::Key("spec".into()), Seg::Key("count".into())]);
        let o = Override::parse(
            "--set",
            "Job/team-a/train:spec.template.spec.containers[0].metadata[\"kubesim.io/x\"]",
            "1",
        )
        .unwrap();
        assert_eq!(o.namespace.as_deref(), Some("team-a"));
        assert_eq!(o.path[4], Seg::Index(0));
        assert_eq!(o.path[6], Seg::Key("kubesim.io/x".into()));
        for bad in [
            "NodePool/gpu",
            "NodePool:spec.count",
            "NodePool/gpu:",
            "NodePool/gpu:spec..count",
            "A/b:x[",
            "A/b:x[q]",
        ] {
            let e = Override::parse("--set", bad, "1").unwrap_err();
            assert_eq!(e.field, "--set", "{bad}");
        }
    }

    #[test]
    fn values_are_set_and_missing_maps_created() {
        let mut docs = parse_stream(
            "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {name: nlp}\nspec:\n  weight: 5\n",
        )
        .unwrap();
        let w = Override::parse("--set", "Queue/nlp:spec.weight", "2").unwrap();
        let c = Override::parse("--set", "Queue/nlp:spec.capability.cpu", "16").unwrap();
        let other = Override::parse("--set", "Queue/cv:spec.weight", "2").unwrap();
        let mut used = [false; 3];
        apply_all(&mut docs[0], &[w, c, other], &mut used).unwrap();
        assert_eq!(used, [true, true, false]);
        let text = format!("{:?}", docs[0]);
        assert!(text.contains("Int(2)") && text.contains("\"capability\"") && text.contains("Int(16)"));
        let into_scalar = Override::parse("--set", "Queue/nlp:spec.weight.x", "1").unwrap();
        assert!(into_scalar.apply(&mut docs[0]).is_err());
        let list = Override::parse("--set", "Queue/nlp:spec.weight", "[1, 2]").unwrap();
        assert!(list.apply(&mut docs[0]).is_err());
    }
}
