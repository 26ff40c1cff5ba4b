//! What is an error and what is not (contract.md section 2): bad input exits 2 with a message
//! naming file, line and field and a fix, and writes nothing; the event bound names its cause;
//! policy flags are checked. An unschedulable pod or a missing PriorityClass is an outcome that
//! ends the run normally.

use super::*;

/// One bad-input case.
struct BadInput {
    name: &'static str,
    /// Files written into the test folder (name, text).
    files: &'static [(&'static str, &'static str)],
    /// Scenario paths given to `run`, relative to the test folder (they may not exist).
    paths: &'static [&'static str],
    flags: &'static [&'static str],
    /// The file stderr must name (its full path).
    file: Option<&'static str>,
    /// A text on the line stderr must name (as `<path>:<line>:`), in `file`.
    line_with: Option<&'static str>,
    /// Texts stderr must contain besides: the field or flag, the bad value, hints.
    mentions: &'static [&'static str],
    /// `kubesim validate` on the same paths fails the same way (file-only errors).
    validate_too: bool,
}

const JOB_5_MINUTES: &str = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: slow
  annotations:
    kubesim.io/duration: \"5 minutes\"
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"1\"}}
";

const MAX_EVENTS_10: &str = "\
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: bounded}
spec:
  maxEvents: 10
---
apiVersion: v1
kind: Node
metadata: {name: n0}
status:
  allocatable: {cpu: \"32\", memory: 256Gi, nvidia.com/gpu: \"8\", pods: \"110\"}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: many
  annotations:
    kubesim.io/duration: \"60s\"
spec:
  completions: 10
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"1\"}}
";

const BAD_INPUTS: &[BadInput] = &[
    BadInput {
        name: "kueue perKind not a boolean",
        files: &[(
            "perkind.yaml",
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  clientRateLimits:\n    kueue: {qps: 50, burst: 100, perKind: \"yes\"}\n",
        )],
        paths: &["perkind.yaml"],
        flags: &[],
        file: Some("perkind.yaml"),
        line_with: Some("perKind"),
        mentions: &["perKind", "boolean"],
        validate_too: true,
    },
    BadInput {
        name: "perKind on a client other than Kueue",
        files: &[(
            "perkind2.yaml",
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  clientRateLimits:\n    kube-scheduler: {qps: 50, burst: 100, perKind: true}\n",
        )],
        paths: &["perkind2.yaml"],
        flags: &[],
        file: Some("perkind2.yaml"),
        line_with: Some("perKind"),
        mentions: &["perKind"],
        validate_too: true,
    },
    BadInput {
        name: "yaml syntax error",
        files: &[(
            "syntax.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a: b\nspec: {}\n",
        )],
        paths: &["syntax.yaml"],
        flags: &[],
        file: Some("syntax.yaml"),
        line_with: Some("name: a: b"),
        mentions: &["invalid YAML"],
        validate_too: true,
    },
    BadInput {
        name: "yaml tab indentation",
        files: &[(
            "tab.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n\tname: a\nspec: {}\n",
        )],
        paths: &["tab.yaml"],
        flags: &[],
        file: Some("tab.yaml"),
        line_with: Some("\tname: a"),
        mentions: &["invalid YAML"],
        validate_too: true,
    },
    BadInput {
        name: "unknown kind",
        files: &[(
            "daemonset.yaml",
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: web}\nspec: {}\n",
        )],
        paths: &["daemonset.yaml"],
        flags: &[],
        file: Some("daemonset.yaml"),
        line_with: Some("kind: DaemonSet"),
        // The kind, and the supported kinds listed.
        mentions: &[
            "kind",
            "apps/v1 DaemonSet",
            "batch/v1 Job",
            "v1 Node",
            "v1 Pod",
            "kubesim.io/v1alpha1 Simulation",
        ],
        validate_too: true,
    },
    BadInput {
        name: "job without spec.template",
        files: &[(
            "notemplate.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\nspec:\n  completions: 1\n",
        )],
        paths: &["notemplate.yaml"],
        flags: &[],
        file: Some("notemplate.yaml"),
        line_with: Some("spec:"),
        mentions: &["spec.template"],
        validate_too: true,
    },
    BadInput {
        name: "malformed duration",
        files: &[("slow.yaml", JOB_5_MINUTES)],
        paths: &["slow.yaml"],
        flags: &[],
        file: Some("slow.yaml"),
        line_with: Some("kubesim.io/duration"),
        mentions: &["kubesim.io/duration", "5 minutes"],
        validate_too: true,
    },
    BadInput {
        name: "negative horizon",
        files: &[(
            "horizon.yaml",
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  horizon: -5m\n",
        )],
        paths: &["horizon.yaml"],
        flags: &[],
        file: Some("horizon.yaml"),
        line_with: Some("horizon: -5m"),
        mentions: &["spec.horizon", "-5m"],
        validate_too: true,
    },
    BadInput {
        name: "two simulations in two files",
        files: &[
            (
                "sim1.yaml",
                "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: one}\nspec: {seed: 1}\n",
            ),
            (
                "sim2.yaml",
                "# the second one\napiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: two}\n\
                 spec: {seed: 2}\n",
            ),
        ],
        paths: &["sim1.yaml", "sim2.yaml"],
        flags: &[],
        file: Some("sim2.yaml"),
        line_with: Some("kind: Simulation"),
        // It also says where the first one is.
        mentions: &["second Simulation", "sim1.yaml:1"],
        validate_too: true,
    },
    BadInput {
        name: "unknown policy in the Simulation",
        files: &[(
            "policies.yaml",
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  policies: \
             [kube-default, nope]\n",
        )],
        paths: &["policies.yaml"],
        flags: &[],
        file: Some("policies.yaml"),
        line_with: Some("policies:"),
        mentions: &["spec.policies[1]", "nope", "kube-default"],
        validate_too: true,
    },
    BadInput {
        name: "bad --seeds range",
        files: &[("tiny.yaml", TINY)],
        paths: &["tiny.yaml"],
        flags: &["--seeds", "5..1"],
        file: None,
        line_with: None,
        mentions: &["--seeds", "5..1"],
        validate_too: false,
    },
    BadInput {
        name: "maxEvents exceeded",
        files: &[("bounded.yaml", MAX_EVENTS_10)],
        paths: &["bounded.yaml"],
        flags: &[],
        // Where the bound is (file and line) is not named: see
        // max_events_error_names_the_file_and_line.
        file: None,
        line_with: None,
        mentions: &["maxEvents"],
        validate_too: false,
    },
    BadInput {
        name: "nonexistent scenario path",
        files: &[],
        paths: &["missing.yaml"],
        flags: &[],
        file: Some("missing.yaml"),
        line_with: None,
        mentions: &[],
        validate_too: true,
    },
    BadInput {
        name: "unknown --policy",
        files: &[("tiny.yaml", TINY)],
        paths: &["tiny.yaml"],
        flags: &["--policy", "nope"],
        file: None,
        line_with: None,
        // The flag itself is not named: see unknown_policy_flag_error_names_the_flag.
        mentions: &["nope", "kube-default"],
        validate_too: false,
    },
];

#[test]
fn bad_input_exits_2_with_a_located_message_and_writes_nothing() {
    let dir = TestDir::new("bad_input");
    for case in BAD_INPUTS {
        // A fresh subfolder per case.
        let case_dir = dir.join(&case.name.replace([' ', '-'], "_"));
        fs::create_dir_all(&case_dir).expect("case dir");
        let mut texts = Vec::new();
        for (name, text) in case.files {
            fs::write(case_dir.join(name), text).expect("write scenario");
            texts.push((*name, *text));
        }
        let out_dir = case_dir.join("out");
        let paths: Vec<PathBuf> = case.paths.iter().map(|p| case_dir.join(p)).collect();

        let mut expected: Vec<String> = case.mentions.iter().map(|m| m.to_string()).collect();
        if let Some(file) = case.file {
            let path = case_dir.join(file);
            let shown = path.display().to_string();
            match case.line_with {
                Some(marker) => {
                    let text = texts.iter().find(|(n, _)| *n == file).expect("file of the case").1;
                    expected.push(format!("{shown}:{}:", line_of(text, marker)));
                }
                None => expected.push(shown),
            }
        }

        let mut args: Vec<&OsStr> = vec![OsStr::new("run")];
        args.extend(paths.iter().map(|p| p.as_os_str()));
        args.extend(case.flags.iter().map(OsStr::new));
        args.extend([OsStr::new("--out"), out_dir.as_os_str()]);
        let out = kubesim(&args, Some(&case_dir), &[]);
        assert_input_error(case.name, &out, &expected);
        assert!(
            !out.stdout.contains("wrote"),
            "{}: stdout says it wrote files:\n{}",
            case.name,
            out.stdout
        );
        assert_eq!(
            files_in(&out_dir),
            Vec::<String>::new(),
            "{}: files written into --out",
            case.name
        );
        assert!(
            !case_dir.join("reports").exists(),
            "{}: reports/ written in the current folder",
            case.name
        );

        if case.validate_too {
            let mut args: Vec<&OsStr> = vec![OsStr::new("validate")];
            args.extend(paths.iter().map(|p| p.as_os_str()));
            let v = kubesim(&args, Some(&case_dir), &[]);
            assert_input_error(&format!("{} (validate)", case.name), &v, &expected);
            assert_eq!(
                v.stderr, out.stderr,
                "{}: validate and run report differently",
                case.name
            );
        }
    }
}

// The maxEvents error names the file and line of the bound (contract.md section 2).
#[test]
fn max_events_error_names_the_file_and_line() {
    let dir = TestDir::new("max_events_location");
    let f = dir.write("bounded.yaml", MAX_EVENTS_10);
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--out"),
            dir.join("out").as_os_str(),
        ],
        None,
        &[],
    );
    let at = format!("{}:{}:", f.display(), line_of(MAX_EVENTS_10, "maxEvents"));
    assert_input_error("maxEvents", &out, &[at, "spec.maxEvents".into()]);
    assert!(files_in(&dir.join("out")).is_empty());
}

// A run that would never end stops at the event bound with its cause and fix: a bare Pod that
// restarts forever, a Job that replaces failing pods forever; a run that is merely large is told
// to raise the bound. Each stops at 20,000 events here (the default bound is 200,000,000).
#[test]
fn runaway_runs_stop_at_the_event_bound_naming_the_cause() {
    let sim =
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: runaway}\nspec: {maxEvents: 20000}\n---\n";
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "restarting pod",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: forever, annotations: {kubesim.io/duration: 1s}}\n\
             spec:\n  containers: [{name: c, image: x}]\n",
            &[
                "default/forever restarted its containers",
                "restartPolicy Always",
                "spec.horizon",
                "restartPolicy: Never",
            ],
        ),
        (
            "replacing job",
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: flaky, annotations: {kubesim.io/duration: 1s, kubesim.io/failures: \"100000000\"}}\n\
             spec:\n  backoffLimit: 100000000\n  podFailurePolicy:\n    rules: [{action: Ignore, onExitCodes: {operator: In, values: [1]}}]\n  \
             template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x}]\n",
            &["default/flaky created", "pods keep failing", "backoffLimit"],
        ),
        (
            "large scenario",
            "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: many}\nspec:\n  count: 100000\n  every: 1s\n  \
             template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata: {name: j, annotations: {kubesim.io/duration: 10s}}\n    \
             spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x}]\n",
            &[
                "the scenario is larger than the bound",
                "raise Simulation spec.maxEvents",
            ],
        ),
    ];
    for (name, workload, mentions) in cases {
        let dir = TestDir::new(&format!("runaway_{}", name.replace(' ', "_")));
        let text = format!("{sim}{NODE}---\n{workload}");
        let f = dir.write("runaway.yaml", &text);
        let out = kubesim(
            [
                OsStr::new("run"),
                f.as_os_str(),
                OsStr::new("--out"),
                dir.join("out").as_os_str(),
            ],
            None,
            &[],
        );
        let mut expected: Vec<String> = mentions.iter().map(|m| m.to_string()).collect();
        expected.push("reached the event bound of 20000 events".into());
        assert_input_error(name, &out, &expected);
        assert!(!dir.join("out").exists(), "{name}: nothing written");
    }
}

// An unknown `--policy` value is reported against the flag the user typed.
#[test]
fn unknown_policy_flag_error_names_the_flag() {
    let dir = TestDir::new("policy_flag");
    let f = dir.write("tiny.yaml", TINY);
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--policy"),
            OsStr::new("nope"),
            OsStr::new("--out"),
            dir.join("out").as_os_str(),
        ],
        None,
        &[],
    );
    assert_input_error("--policy nope", &out, &["--policy".into(), "nope".into()]);
}

// Every built-in policy runs: a Simulation naming `kueue` and `volcano-preempt` (with no Kueue
// objects, so every Job runs unmanaged) writes one summary row per policy.
#[test]
fn every_built_in_policy_named_in_the_simulation_runs() {
    let dir = TestDir::new("all_policies");
    let text = TINY.replace(
        "  horizon: 200s",
        "  horizon: 200s\n  policies: [kube-default, kube-binpack, kube-gang, coscheduling, volcano, volcano-preempt, kueue]",
    );
    let f = dir.write("sim.yaml", &text);
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).expect("summary.csv");
    let policies: Vec<&str> = summary
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    assert_eq!(
        policies,
        [
            "kube-default",
            "kube-binpack",
            "kube-gang",
            "coscheduling",
            "volcano",
            "volcano-preempt",
            "kueue"
        ]
    );
}

// `--policy kube-default --policy kube-default` is rejected (one row per (policy, seed)).
#[test]
fn repeated_policy_flag_does_not_duplicate_rows() {
    let dir = TestDir::new("repeated_policy");
    let f = dir.write("tiny.yaml", TINY);
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--policy"),
            OsStr::new("kube-default"),
            OsStr::new("--policy"),
            OsStr::new("kube-default"),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--policy"), "{}", out.stderr);
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty());
}

/// `validate` lists scheduling.k8s.io Workloads and PodGroups; a bad PodGroup exits 2 with the
/// API server's message at its file, line and field; `run` warns that the gangs need kube-gang
/// under a policy that places them pod by pod.
#[test]
fn kubernetes_pod_groups_are_listed_checked_and_warned_about() {
    let dir = TestDir::new("kube_gang_objects");
    let groups = "apiVersion: scheduling.k8s.io/v1beta1\nkind: Workload\nmetadata: {name: w}\nspec:\n  podGroupTemplates:\n  - {name: workers, schedulingPolicy: {gang: {minCount: 2}}}\n---\napiVersion: scheduling.k8s.io/v1beta1\nkind: PodGroup\nmetadata: {name: w-0}\nspec:\n  workloadRef: {workloadName: w, templateName: workers}\n  schedulingPolicy: {gang: {minCount: 2}}\n";
    let f = dir.write("tiny.yaml", TINY);
    let g = dir.write("groups.yaml", groups);
    let out = kubesim([OsStr::new("validate"), f.as_os_str(), g.as_os_str()], None, &[]);
    out.assert_ok();
    assert!(
        out.stdout
            .contains("    scheduling.k8s.io/v1beta1 Workload default/w: workers gang minCount 2 (")
            && out
                .stdout
                .contains("    scheduling.k8s.io/v1beta1 PodGroup default/w-0 gang minCount 2 ("),
        "{}",
        out.stdout
    );
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            g.as_os_str(),
            OsStr::new("--policy"),
            OsStr::new("kube-default"),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    out.assert_ok();
    assert!(
        out.stderr.contains(
            "need kube-scheduler's gang scheduling, which only the kube-gang policy runs: under kube-default"
        ),
        "{}",
        out.stderr
    );
    let bad = dir.write(
        "bad.yaml",
        &groups.replace("{gang: {minCount: 2}}\n", "{gang: {minCount: 0}}\n"),
    );
    let out = kubesim([OsStr::new("validate"), bad.as_os_str()], None, &[]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("bad.yaml:13:")
            && out
                .stderr
                .contains("spec.schedulingPolicy.gang.minCount: Invalid value: 0: must be greater than or equal to 1"),
        "{}",
        out.stderr
    );
}

// -------------------------------------------------------------------------------------------------
// Not errors: an unschedulable pod and a missing PriorityClass end the run normally.

struct Outcome {
    name: &'static str,
    scenario: &'static str,
    job: &'static str,
    state: &'static str,
    reason_contains: &'static str,
}

const OUTCOMES: &[Outcome] = &[
    Outcome {
        name: "pod no node can ever fit",
        scenario: "\
apiVersion: batch/v1
kind: Job
metadata:
  name: huge
  annotations:
    kubesim.io/duration: \"60s\"
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"64\"}}
",
        job: "huge",
        state: "Pending",
        reason_contains: "Unschedulable",
    },
    Outcome {
        name: "missing PriorityClass",
        scenario: "\
apiVersion: batch/v1
kind: Job
metadata:
  name: orphan
  annotations:
    kubesim.io/duration: \"60s\"
spec:
  template:
    spec:
      priorityClassName: does-not-exist
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"1\"}}
",
        job: "orphan",
        state: "Rejected",
        reason_contains: "does-not-exist",
    },
];

#[test]
fn unschedulable_and_rejected_jobs_are_outcomes_not_errors() {
    let dir = TestDir::new("outcomes");
    for (i, case) in OUTCOMES.iter().enumerate() {
        // No Simulation and no horizon: the run must end on its own (kubesim() kills it after
        // 60 s and fails).
        let nodes = dir.write(&format!("nodes-{i}.yaml"), NODE);
        let f = dir.write(&format!("case-{i}.yaml"), case.scenario);
        let out_dir = dir.join(&format!("out-{i}"));
        kubesim(
            [
                OsStr::new("run"),
                nodes.as_os_str(),
                f.as_os_str(),
                OsStr::new("--events"),
                OsStr::new("--out"),
                out_dir.as_os_str(),
            ],
            None,
            &[],
        )
        .assert_ok();
        assert_eq!(check_outputs(&out_dir, true), 1, "{}", case.name);
        let jobs = Csv::read(&out_dir.join("jobs.csv"));
        let row = jobs.row_named(case.job);
        assert_eq!(jobs.get(row, "state"), case.state, "{}: {row:?}", case.name);
        assert!(
            jobs.get(row, "reason").contains(case.reason_contains),
            "{}: reason {:?} should mention {:?}",
            case.name,
            jobs.get(row, "reason"),
            case.reason_contains
        );
        assert_eq!(jobs.get(row, "start_s"), "", "{}", case.name);
        assert_eq!(jobs.get(row, "finish_s"), "", "{}", case.name);
        let summary = Csv::read(&out_dir.join("summary.csv"));
        let s = &summary.rows[0];
        assert_eq!(summary.get(s, "jobs_complete"), "0", "{}", case.name);
        let pending = if case.state == "Pending" { "1" } else { "0" };
        assert_eq!(summary.get(s, "jobs_pending"), pending, "{}", case.name);
    }
}
