//! Issue 12: an error never prints back a file that is not what kubesim expected. Files of
//! "secret" lines (an API token, a passwd line, a connection string, JSON with a password) are
//! fed to every trace format, every node inventory format, `run`/`validate` as a scenario, a
//! Trace object's `path`, and `merge` as a shard's plan; the error text (as printed) must
//! contain none of the lines and no piece of one longer than the prefix an error may quote
//! ([`QUOTE_MAX_CHARS`]).

use std::path::{Path, PathBuf};

use kubesim::error::{InputError, QUOTE_MAX_CHARS};
use kubesim::input::trace::{IMPORTERS, Options, read_all, read_nodes};

/// Secret-looking files, each a different first line (what most readers look at first).
const SECRETS: &[(&str, &str)] = &[
    (
        "token first",
        "API_TOKEN=s3cr3t-0123456789abcdef-FAKE-token-value\n\
         root:x:0:0:root:/root:/bin/bash\n\
         export DATABASE_URL=postgres://admin:hunter2@db.internal:5432/prod?sslmode=require\n",
    ),
    (
        "passwd",
        "root:x:0:0:root:/root:/bin/bash\n\
         daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
         alice:x:1000:1000:Alice Secretname,,,:/home/alice:/bin/zsh\n",
    ),
    (
        "csv-like with commas",
        "aws_access_key_id,aws_secret_access_key,region\n\
         AKIAFAKEFAKEFAKE0001,wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY01,eu-west-1\n",
    ),
    (
        "json",
        "[{\"jobid\": \"db-password: correct horse battery staple\", \"num_gpus\": \"s3cr3t-in-a-json-string\"}]\n",
    ),
    (
        "one long line",
        "SSH_PRIVATE_KEY=MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7FAKEFAKEFAKEFAKEFAKE0123456789\n",
    ),
    (
        "yaml mapping of secrets",
        "apiVersion: s3cr3t-0123456789abcdef-FAKE-token-value-that-is-long\n\
         kind: Credentials-with-a-very-long-kind-name-that-leaks\n\
         password: correct horse battery staple\n",
    ),
];

/// Fails if the printed error shows a line of `secret`, or any piece of a line longer than an
/// error may quote.
fn assert_no_leak(case: &str, secret: &str, e: &InputError) {
    let shown = e.to_string();
    for line in secret.lines().filter(|l| l.len() >= 8) {
        assert!(!shown.contains(line), "{case}: the error shows a whole line:\n{shown}");
        let chars: Vec<char> = line.chars().collect();
        for w in chars.windows(QUOTE_MAX_CHARS + 1) {
            let piece: String = w.iter().collect();
            assert!(
                !shown.contains(&piece),
                "{case}: the error shows {piece:?}, more than {QUOTE_MAX_CHARS} characters of a line:\n{shown}"
            );
        }
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kubesim-no-leaks-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write temp file");
    p
}

/// A name usable in file names for a case.
fn slug(s: &str) -> String {
    s.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
}

#[test]
fn trace_imports_do_not_print_the_file() {
    let dir = temp_dir("import");
    for (name, secret) in SECRETS {
        let path = write(&dir, &format!("{}.txt", slug(name)), secret);
        for format in IMPORTERS {
            let fname = format.name();
            // PAI joins a task table: let it be the same file, so its reader sees it too.
            let opts = Options {
                pai_task_table: Some(path.clone()),
                ..Options::default()
            };
            let case = format!("{fname} on {name}");
            match read_all(*format, &path, &opts) {
                Err(e) => assert_no_leak(&case, secret, &e),
                // A file some format reads without complaint is fine, as long as it is not
                // one of these.
                Ok(_) => panic!("{case}: read without an error"),
            }
        }
    }
}

#[test]
fn node_inventories_do_not_print_the_file() {
    let dir = temp_dir("nodes");
    for (name, secret) in SECRETS {
        let path = write(&dir, &format!("{}.txt", slug(name)), secret);
        for format in IMPORTERS.iter().filter(|f| f.inventory().is_some()) {
            let case = format!("{} nodes on {name}", format.name());
            match read_nodes(*format, &path) {
                Err(e) => assert_no_leak(&case, secret, &e),
                Ok(nodes) => panic!("{case}: read {} nodes without an error", nodes.len()),
            }
        }
    }
}

#[test]
fn scenarios_do_not_print_the_file() {
    let dir = temp_dir("scenario");
    for (name, secret) in SECRETS {
        let path = write(&dir, &format!("{}.yaml", slug(name)), secret);
        let e = kubesim::input::scenario::load(&[path]).expect_err(name);
        assert_no_leak(&format!("scenario {name}"), secret, &e);
    }
}

#[test]
fn a_trace_path_does_not_print_the_file() {
    let dir = temp_dir("trace-path");
    for (name, secret) in SECRETS {
        let secret_path = write(&dir, &format!("{}.txt", slug(name)), secret);
        for fname in IMPORTERS.iter().map(|f| f.name()) {
            let yaml = format!(
                "apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: t}}\nspec:\n  path: {}\n  format: {fname}\n  taskTable: {}\n",
                secret_path.display(),
                secret_path.display()
            );
            let scenario = write(&dir, &format!("{}-{fname}.yaml", slug(name)), &yaml);
            let case = format!("Trace {fname} on {name}");
            let e = kubesim::input::scenario::load(&[scenario]).expect_err(&case);
            assert_eq!(e.file.as_deref(), Some(secret_path.as_path()), "{case}: {e}");
            assert_no_leak(&case, secret, &e);
        }
    }
}

#[test]
fn merge_does_not_print_a_shard_plan() {
    for (name, secret) in SECRETS {
        let dir = temp_dir(&format!("merge-{}", slug(name)));
        // With a valid shard line first, the reader gets as far as the secret lines.
        for (k, text) in [secret.to_string(), format!("shard\t0/1\n{secret}")].iter().enumerate() {
            write(&dir, kubesim::experiment::output::SHARD_FILE, text);
            let case = format!("merge {name} ({k})");
            let e = kubesim::experiment::output::merge(std::slice::from_ref(&dir)).expect_err(&case);
            assert_no_leak(&case, secret, &e);
        }
    }
}
