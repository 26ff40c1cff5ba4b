//! Objects exported from clusters (the fixtures in tests/exports: Kueue and Volcano objects with
//! every schema field, a `kind: List` of Nodes, Jobs and Pods with status and managedFields, a
//! Simulation with default run times): `validate` lists what loads without effect, `run`
//! replays the recorded run times exactly, and a typo is still refused (exit 2) with the fix.

use super::*;

fn exports_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exports")
}

#[test]
fn validate_lists_the_fields_loaded_but_not_simulated_and_warns_of_lower_bounds() {
    let out = kubesim([OsStr::new("validate"), exports_dir().as_os_str()], None, &[]);
    out.assert_ok();
    assert!(
        out.stdout
            .contains("  loaded, not simulated (fields without effect on a run):\n"),
        "{}",
        out.stdout
    );
    let cq = out
        .stdout
        .lines()
        .find(|l| l.contains("ClusterQueue /team-a"))
        .unwrap_or_else(|| panic!("no ClusterQueue line:\n{}", out.stdout));
    assert!(
        cq.starts_with("    kueue.x-k8s.io/v1beta2 ClusterQueue /team-a (")
            && cq.ends_with(
                "10-kueue.yaml:85): spec.admissionChecksStrategy, spec.admissionScope, \
                 spec.concurrentAdmissionPolicy, spec.fairSharing, spec.flavorFungibility.preference, \
                 spec.stopPolicy, status"
            ),
        "{cq}"
    );
    assert!(out.stdout.contains("    Cohort /research ("), "{}", out.stdout);
    assert!(
        out.stderr.contains(
            "was still running in the export: its run time 3600s (from 2026-03-02T09:00:00Z to \
             2026-03-02T10:00:00Z, the latest time in the files) is a lower bound"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("note: 42 fields of 7 objects are loaded but not simulated"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_run_replays_recorded_times_and_default_durations_exactly() {
    let dir = TestDir::new("exports-run");
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            exports_dir().as_os_str(),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    out.assert_ok();
    assert!(out.stderr.contains("is a lower bound"), "{}", out.stderr);
    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    // (name, start_s, finish_s): every workload fits at t = 0 on the two exported nodes.
    let expect = [
        // 08:00:05 to 08:25:30 recorded, plus the Job controller's 1 s sync before Complete.
        ("finished", "0.000", "1526.000"),
        // Running at the export: 09:00:00 to the latest time in the files, 10:00:00.
        ("still-running", "0.000", "3601.000"),
        // The last container attempt: 08:35:12 to 08:50:12.
        ("notebook-fwn7c", "0.000", "900.000"),
        // defaultDuration by namespace (20m), then by Volcano queue (10m).
        ("nightly-pls2x", "0.000", "1201.000"),
        ("queued", "0.000", "600.000"),
        // The annotation of the Volcano Job (45m).
        ("mpi-train", "0.000", "2700.000"),
    ];
    for (name, start, finish) in expect {
        let row = jobs.row_named(name);
        assert_eq!(
            (
                jobs.get(row, "start_s"),
                jobs.get(row, "finish_s"),
                jobs.get(row, "state")
            ),
            (start, finish, "Complete"),
            "{name}"
        );
    }
    // The label rule draws from uniform 1h..2h, the catch-all from exponential.
    let lab = ms(jobs.get(jobs.row_named("lab"), "finish_s"), "lab");
    assert!((3_600_000..=7_200_000).contains(&lab), "{lab}");
    assert_ne!(jobs.get(jobs.row_named("misc"), "finish_s"), "");
}

#[test]
fn a_typo_in_an_exported_object_is_refused_with_the_fix() {
    let dir = TestDir::new("exports-typo");
    let text = fs::read_to_string(exports_dir().join("10-kueue.yaml"))
        .expect("fixture")
        .replace("  concurrentAdmissionPolicy:", "  concurentAdmissionPolicy:");
    let f = dir.write("kueue.yaml", &text);
    let out = kubesim([OsStr::new("validate"), f.as_os_str()], None, &[]);
    let line = line_of(&text, "concurentAdmissionPolicy");
    assert_input_error(
        "typo",
        &out,
        &[
            format!("kueue.yaml:{line}:3: spec.concurentAdmissionPolicy: unknown field `concurentAdmissionPolicy`"),
            "fix: did you mean `concurrentAdmissionPolicy`?".to_string(),
        ],
    );
}
