//! Issue 12 through the command line: every input bound is refused at once with exit status 2
//! and a message naming the field (docs/contract-additions.md, "Limits"), and a file that is
//! not what kubesim expected is never printed back. Each case must fail fast: before the
//! bounds these aborted on memory or ran for hours.

use super::*;

const POOL: &str = "apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: gpu}
spec:
  count: 1
  template:
    apiVersion: v1
    kind: Node
    metadata: {name: gpu}
    status:
      allocatable: {cpu: \"96\", memory: 1Ti, nvidia.com/gpu: \"8\", pods: \"110\"}
";

/// A Job with `annotations` (a flow mapping's inside) and extra `spec` lines.
fn job(annotations: &str, spec: &str) -> String {
    format!(
        "apiVersion: batch/v1
kind: Job
metadata:
  name: j
  annotations: {{{annotations}}}
spec:
{spec}  template:
    spec:
      restartPolicy: Never
      containers: [{{name: m, image: x, resources: {{limits: {{nvidia.com/gpu: \"1\"}}}}}}]
"
    )
}

const NATIVE_HEAD: &str = "# kubesim-trace v1\nsubmit_s,id,namespace,queue,priority_class,pods,cpu,memory,gpu_milli,gang,duration_s,outcome,exit_code,recorded_wait_s\n";
const HELIOS_HEAD: &str =
    "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue\n";

struct Bound {
    name: &'static str,
    /// Files written into the case folder.
    files: Vec<(&'static str, String)>,
    /// The command line (file names are relative to the case folder).
    args: &'static [&'static str],
    /// Texts stderr must contain (the field, the value, the bound).
    mentions: &'static [&'static str],
}

/// Every bound, by kind.
fn bounds() -> Vec<Bound> {
    [size_bounds(), time_bounds(), input_bounds()]
        .into_iter()
        .flatten()
        .collect()
}

/// Sizes of workloads: a gang, completions, parallelism, pods created up front.
fn size_bounds() -> Vec<Bound> {
    vec![
        Bound {
            name: "gang size",
            files: vec![(
                "j.yaml",
                job(
                    "kubesim.io/gang-size: \"2147483647\"",
                    "  completions: 1000\n  parallelism: 1000\n",
                ),
            )],
            args: &["run", "pool.yaml", "j.yaml"],
            mentions: &["j.yaml:5:", "kubesim.io/gang-size", "\"2147483647\"", "100000"],
        },
        Bound {
            name: "completions",
            files: vec![("j.yaml", job("", "  completions: 1000000000\n"))],
            args: &["run", "pool.yaml", "j.yaml"],
            mentions: &[
                "j.yaml:7:",
                "spec.completions",
                "completions 1000000000 is beyond the limit of 100000",
            ],
        },
        Bound {
            name: "parallelism",
            files: vec![("j.yaml", job("", "  parallelism: 100001\n"))],
            args: &["validate", "pool.yaml", "j.yaml"],
            mentions: &["spec.parallelism", "100001", "100000"],
        },
        Bound {
            name: "pods created up front",
            files: vec![(
                "a.yaml",
                "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: a}\nspec:\n  count: 10000000\n  every: 1s\n  template: {apiVersion: batch/v1, kind: Job, spec: {completions: 6, template: {spec: {restartPolicy: Never, containers: [{name: c}]}}}}\n"
                    .to_string(),
            )],
            args: &["run", "pool.yaml", "a.yaml"],
            mentions: &["a.yaml:3:", "60000000 pods", "50000000"],
        },
    ]
}

/// Times: the horizon, a duration, CronJob fires, a run that would last past 1000 years.
fn time_bounds() -> Vec<Bound> {
    vec![
        Bound {
            name: "horizon",
            files: vec![(
                "s.yaml",
                "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  horizon: 18446744073709551615ms\n"
                    .to_string(),
            )],
            args: &["run", "pool.yaml", "s.yaml"],
            mentions: &[
                "s.yaml:5:",
                "spec.horizon",
                "horizon 584942417y is beyond the limit of 10 years",
            ],
        },
        Bound {
            name: "a duration",
            files: vec![("j.yaml", job("kubesim.io/submit-at: 36501d", ""))],
            args: &["validate", "pool.yaml", "j.yaml"],
            mentions: &["kubesim.io/submit-at", "100y is beyond the limit of 100 years"],
        },
        Bound {
            name: "CronJob fires",
            files: vec![(
                "c.yaml",
                "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: c}\nspec: {horizon: 365d}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: every-second}\nspec:\n  schedule: \"@every 1s\"\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c}]}}}}\n"
                    .to_string(),
            )],
            args: &["run", "pool.yaml", "c.yaml"],
            mentions: &["c.yaml:6:", "spec.schedule", "about 31535999 times", "5000000"],
        },
        Bound {
            name: "a run past 1000 years",
            files: vec![(
                "p.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {kubesim.io/duration: 36500d}\nspec:\n  containers: [{name: c, image: x}]\n"
                    .to_string(),
            )],
            args: &["run", "pool.yaml", "p.yaml"],
            mentions: &["spec.horizon", "1000 years"],
        },
    ]
}

/// Inputs: a trace row's pods, a Helios GPU count, endless files as a scenario and a trace.
fn input_bounds() -> Vec<Bound> {
    vec![
        Bound {
            name: "a trace row's pods",
            files: vec![
                (
                    "big.csv",
                    format!("{NATIVE_HEAD}0.000,j,default,,,2147483647,1,1Gi,1000,1,60.000,succeeded,0,\n"),
                ),
                (
                    "t.yaml",
                    "apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {name: t}\nspec: {path: big.csv, format: kubesim}\n"
                        .to_string(),
                ),
            ],
            args: &["run", "pool.yaml", "t.yaml"],
            mentions: &["big.csv:3:", "pods", "2147483647", "100000"],
        },
        Bound {
            name: "a Helios GPU count",
            files: vec![(
                "h.csv",
                format!(
                    "{HELIOS_HEAD}1,u,vc,9223372036854775807,1,1,COMPLETED,2020-04-01 00:00:00,2020-04-01 00:00:01,2020-04-01 00:01:01,60,1\n"
                ),
            )],
            args: &["trace", "import", "--format", "helios", "h.csv", "-o", "out.csv"],
            mentions: &["h.csv:2:", "gpu_num", "9223372036854775807"],
        },
        Bound {
            name: "an endless file as a scenario",
            files: vec![],
            args: &["validate", "/dev/zero"],
            mentions: &["/dev/zero", "longer than the limit of 268435456 bytes"],
        },
        Bound {
            name: "an endless file as a trace",
            files: vec![],
            args: &["trace", "import", "--format", "swf", "/dev/zero", "-o", "out.csv"],
            mentions: &["/dev/zero:1:", "line longer than 1048576 bytes"],
        },
    ]
}

#[test]
fn every_bound_is_refused_with_exit_2_naming_the_field() {
    let dir = TestDir::new("bounds");
    for case in bounds() {
        let case_dir = dir.join(&case.name.replace([' ', '\''], "_"));
        fs::create_dir_all(&case_dir).expect("case dir");
        fs::write(case_dir.join("pool.yaml"), POOL).expect("write pool");
        for (name, text) in &case.files {
            fs::write(case_dir.join(name), text).expect("write case file");
        }
        let mut args: Vec<&str> = case.args.to_vec();
        if args[0] == "run" {
            args.extend(["--out", "out"]);
        }
        let out = kubesim(&args, Some(&case_dir), &[]);
        let expected: Vec<String> = case.mentions.iter().map(|m| m.to_string()).collect();
        assert_input_error(case.name, &out, &expected);
        assert!(
            files_in(&case_dir.join("out")).is_empty(),
            "{}: outputs written",
            case.name
        );
    }
}

/// A secret-looking file given as a trace, a scenario or a Trace's path: refused with exit 2,
/// and nothing of it printed.
#[test]
fn a_file_that_is_not_input_is_not_printed_back() {
    const SECRET: &str = "API_TOKEN=s3cr3t-0123456789abcdef-FAKE\nroot:x:0:0:root:/root:/bin/bash\n";
    let dir = TestDir::new("no_leak");
    dir.write("secrets.env", SECRET);
    dir.write(
        "t.yaml",
        "apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {name: t}\nspec: {path: secrets.env, format: acme}\n",
    );
    let commands: &[(&str, &[&str])] = &[
        (
            "trace import helios",
            &["trace", "import", "--format", "helios", "secrets.env", "-o", "o.csv"],
        ),
        (
            "trace import kubesim",
            &["trace", "import", "--format", "kubesim", "secrets.env", "-o", "o.csv"],
        ),
        ("run", &["run", "secrets.env", "--out", "out"]),
        ("validate", &["validate", "secrets.env"]),
        ("a Trace path", &["validate", "t.yaml"]),
    ];
    for (name, args) in commands {
        let out = kubesim(*args, Some(&dir.path), &[]);
        assert_input_error(name, &out, &["secrets.env".to_string()]);
        for secret in ["s3cr3t", "root:x:0:0", "/bin/bash"] {
            assert!(
                !out.stderr.contains(secret),
                "{name}: {secret:?} printed:\n{}",
                out.stderr
            );
        }
    }
}
