//! Output folders a user can trust (docs/cli.md, "Output folders"): a command removes its own
//! earlier outputs that it does not write again, never replaces or deletes a file it did not
//! write (exit 2 naming it, before simulating; `--overwrite` allows replacing), refuses a folder
//! another command holds, cleans the temporary files a killed command left, and the default
//! folders of different commands do not collide. `trace import` never writes over its input.

use super::experiments::{p, run_args};
use super::*;

fn run_tiny(dir: &TestDir, out: &Path, extra: &[&str]) -> Out {
    let f = dir.write("tiny.yaml", TINY);
    let mut args = vec!["run", p(&f), "--out", p(out)];
    args.extend(extra);
    run_args(&args)
}

#[test]
fn an_earlier_command_s_stale_outputs_go_and_user_files_stay() {
    let dir = TestDir::new("stale_outputs");
    let out = dir.join("out");
    run_tiny(&dir, &out, &["--events"]).assert_ok();
    assert!(out.join("events.csv").exists());
    fs::write(out.join("notes.md"), "my notes").expect("user file");
    run_tiny(&dir, &out, &[]).assert_ok();
    assert!(!out.join("events.csv").exists(), "the earlier run's events.csv is gone");
    assert_eq!(fs::read_to_string(out.join("notes.md")).expect("notes"), "my notes");
    fs::remove_file(out.join("notes.md")).expect("remove notes");
    assert_eq!(check_outputs(&out, false), 1, "exactly the new run's files");
}

#[test]
fn a_file_kubesim_did_not_write_is_refused_by_name_unless_overwrite() {
    let dir = TestDir::new("foreign_file");
    let out = dir.join("out");
    fs::create_dir_all(&out).expect("out");
    fs::write(out.join("summary.csv"), "the user's own table\n").expect("user file");
    let refused = run_tiny(&dir, &out, &[]);
    assert_input_error(
        "foreign summary.csv",
        &refused,
        &[
            format!(
                "{} exists and was not written by kubesim",
                out.join("summary.csv").display()
            ),
            "--overwrite".into(),
        ],
    );
    assert_eq!(
        fs::read_to_string(out.join("summary.csv")).expect("summary"),
        "the user's own table\n"
    );
    assert!(!out.join("jobs.csv").exists(), "nothing written beside it");
    // A file of kubesim's that the user changed is the user's now.
    run_tiny(&dir, &out, &["--overwrite"]).assert_ok();
    fs::write(out.join("jobs.csv"), "edited by hand\n").expect("edit");
    let refused = run_tiny(&dir, &out, &[]);
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("jobs.csv exists and was not written by kubesim"),
        "{}",
        refused.stderr
    );
}

#[test]
#[allow(
    clippy::disallowed_methods,
    reason = "the test holds the folder's lock as a running command would"
)]
fn a_folder_in_use_by_another_command_is_refused() {
    let dir = TestDir::new("locked");
    let out = dir.join("out");
    fs::create_dir_all(&out).expect("out");
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(".kubesim.lock"))
        .expect("lock file");
    lock.try_lock().expect("take the lock");
    let o = run_tiny(&dir, &out, &[]);
    assert_input_error(
        "locked folder",
        &o,
        &[format!("{} is in use by another kubesim command", out.display())],
    );
    assert!(!out.join("jobs.csv").exists());
    drop(lock);
    run_tiny(&dir, &out, &[]).assert_ok();
}

#[test]
fn temporary_files_of_a_killed_command_are_cleaned() {
    let dir = TestDir::new("killed");
    let out = dir.join("out");
    fs::create_dir_all(out.join("plots")).expect("out");
    for f in [
        ".jobs.csv.kubesim-tmp",
        ".events-0.csv.kubesim-tmp",
        "plots/.gpu_busy.svg.kubesim-tmp",
    ] {
        fs::write(out.join(f), "half written").expect("temp");
    }
    run_tiny(&dir, &out, &[]).assert_ok();
    assert_eq!(check_outputs(&out, false), 1, "no temporary file is left");
    assert!(files_in(&out.join("plots")).iter().all(|f| !f.starts_with('.')));
}

#[test]
fn default_folders_of_commands_and_sweeps_do_not_collide() {
    let dir = TestDir::new("default_folders");
    let f = dir.write("tiny.yaml", TINY);
    let f = p(&f);
    let runs: [&[&str]; 5] = [
        &["run", f],
        &["compare", f, "--policy", "kube-default", "--policy", "kube-binpack"],
        &["sweep", f, "--set", "Job/two:spec.parallelism=1,2"],
        &["sweep", f, "--set", "Job/two:spec.completions=2,3"],
        &[],
    ];
    for args in runs {
        kubesim(args.iter().map(OsStr::new), Some(&dir.path), &[]).assert_ok();
    }
    let mut folders = files_in(&dir.join("reports"));
    folders.sort();
    assert_eq!(
        folders,
        [
            "demo",
            "tiny",
            "tiny-compare",
            "tiny-sweep-job-two-spec-completions",
            "tiny-sweep-job-two-spec-parallelism"
        ]
    );
    assert!(dir.join("reports/tiny-compare/comparison.csv").exists());
    assert!(!dir.join("reports/tiny/comparison.csv").exists());
}

#[test]
fn trace_import_writes_beside_the_caller_and_never_over_a_file() {
    let dir = TestDir::new("import_out");
    let swf = dir.write("log.swf", "1 0 5 60 1 -1 -1 1 -1 -1 1 1 -1 -1 -1 -1 -1 -1\n");
    let work = dir.join("work");
    fs::create_dir_all(&work).expect("work");
    let import = |extra: &[&str]| {
        let mut args = vec!["trace", "import", "--format", "swf", p(&swf)];
        args.extend(extra);
        kubesim(args.iter().map(OsStr::new), Some(&work), &[])
    };
    import(&[]).assert_ok();
    let written = work.join("log.kubesim.csv");
    assert!(written.exists(), "written in the current folder");
    assert!(!dir.join("log.kubesim.csv").exists(), "not beside the input");
    let again = import(&[]);
    assert_input_error(
        "existing output",
        &again,
        &[
            format!("{} exists", Path::new("log.kubesim.csv").display()),
            "--overwrite".into(),
        ],
    );
    import(&["--overwrite"]).assert_ok();
    let onto_input = import(&["-o", p(&swf), "--overwrite"]);
    assert_input_error("output is the input", &onto_input, &["is the input file".into()]);
    assert!(
        fs::read_to_string(&swf).expect("input").starts_with("1 0 5 60"),
        "the input is intact"
    );
}
