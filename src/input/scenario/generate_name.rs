//! `metadata.generateName`: an object with a `generateName` and no `name` gets a name as the API
//! server gives it (apiserver `names.SimpleNameGenerator`: the prefix, cut to 58 characters, and
//! 5 characters from `utilrand`'s alphabet `bcdfghjklmnpqrstvwxz2456789`). The API server draws
//! the 5 characters at random; kubesim draws them from a stable hash of the prefix and how many
//! objects with that prefix came before, in file order, so the same files give the same names
//! under every seed (a scenario's objects do not depend on the run's seed). A drawn name already
//! given to an earlier object of the prefix is drawn again, as a client retries on AlreadyExists.

use std::collections::{BTreeMap, BTreeSet};

use super::yaml::{Entry, Node, Value};
use crate::engine::stable_hash;

/// `maxGeneratedNameLength`: 63 minus the 5 random characters.
const MAX_PREFIX: usize = 58;
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Names handed out so far, per prefix.
#[derive(Default)]
pub(super) struct Names {
    given: BTreeMap<String, BTreeSet<String>>,
}

impl Names {
    /// Gives `doc` (or each item of a `kind: List`) a `metadata.name` drawn from its
    /// `generateName` when it has none. Anything malformed is left for the loader to report.
    pub(super) fn fill(&mut self, doc: &mut Node) {
        let Value::Map(entries) = &mut doc.value else {
            return;
        };
        let is_list = entries
            .iter()
            .any(|e| e.key == "kind" && matches!(&e.value.value, Value::Str(s) if s == "List"));
        if is_list {
            for e in entries.iter_mut().filter(|e| e.key == "items") {
                if let Value::Seq(items) = &mut e.value.value {
                    items.iter_mut().for_each(|item| self.fill(item));
                }
            }
            return;
        }
        let Some(meta) = entries.iter_mut().find(|e| e.key == "metadata") else {
            return;
        };
        let Value::Map(fields) = &mut meta.value.value else {
            return;
        };
        if fields.iter().any(|e| e.key == "name") {
            return;
        }
        let Some(generate) = fields.iter().find(|e| e.key == "generateName") else {
            return;
        };
        let Value::Str(prefix) = &generate.value.value else {
            return;
        };
        let name = self.draw(prefix);
        let entry = Entry {
            key: "name".to_string(),
            key_pos: generate.key_pos,
            value: Node {
                pos: generate.value.pos,
                value: Value::Str(name),
            },
        };
        fields.push(entry);
    }

    /// The next name for `prefix`: the prefix cut to 58 characters (on a character boundary)
    /// and 5 characters of the alphabet.
    fn draw(&mut self, prefix: &str) -> String {
        let cut: String = prefix.chars().take(MAX_PREFIX).collect();
        let given = self.given.entry(prefix.to_string()).or_default();
        let mut attempt = given.len() as u64;
        loop {
            let mut h = stable_hash(&format!("{prefix}\u{0}{attempt}"));
            let mut name = cut.clone();
            for _ in 0..5 {
                name.push(ALPHABET[(h % ALPHABET.len() as u64) as usize] as char);
                h /= ALPHABET.len() as u64;
            }
            if given.insert(name.clone()) {
                return name;
            }
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_prefix_and_five_characters_of_the_alphabet_and_repeat_across_loads() {
        let mut a = Names::default();
        let first = a.draw("sample-job-");
        let second = a.draw("sample-job-");
        assert_ne!(first, second);
        for n in [&first, &second] {
            assert_eq!(n.len(), "sample-job-".len() + 5);
            assert!(n.starts_with("sample-job-"));
            assert!(n["sample-job-".len()..].bytes().all(|b| ALPHABET.contains(&b)), "{n}");
        }
        let mut b = Names::default();
        assert_eq!((b.draw("sample-job-"), b.draw("sample-job-")), (first, second));
        let long = "x".repeat(80);
        assert_eq!(b.draw(&long).len(), MAX_PREFIX + 5);
    }
}
