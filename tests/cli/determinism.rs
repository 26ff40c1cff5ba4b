//! Determinism: the same inputs give byte-identical outputs whatever the thread count.

use super::*;

#[test]
fn outputs_are_byte_identical_across_runs_and_thread_counts() {
    let dir = TestDir::new("determinism");
    let f = dir.write("mixed.yaml", MIXED);
    let variants: [(&str, &[(&str, &str)]); 4] = [
        ("first", &[]),
        ("again", &[]),
        ("one-thread", &[("RAYON_NUM_THREADS", "1")]),
        ("two-threads", &[("RAYON_NUM_THREADS", "2")]),
    ];
    let mut outputs = Vec::new();
    for (name, env) in variants {
        let out_dir = dir.join(name);
        kubesim(
            [
                OsStr::new("run"),
                f.as_os_str(),
                OsStr::new("--seeds"),
                OsStr::new("1..4"),
                OsStr::new("--policy"),
                OsStr::new("kube-default"),
                OsStr::new("--policy"),
                OsStr::new("kube-binpack"),
                OsStr::new("--events"),
                OsStr::new("--out"),
                out_dir.as_os_str(),
            ],
            None,
            env,
        )
        .assert_ok();
        outputs.push((name, out_dir));
    }
    // Every file: the tables, the time series, report.html and the plots (SVG and PNG).
    let (_, first_dir) = &outputs[0];
    for (_, dir) in &outputs[1..] {
        experiments::assert_same_tree(first_dir, dir);
    }

    // The contract's format holds on this bigger output too: 270 workloads x 8 runs.
    assert_eq!(check_outputs(first_dir, true), 270 * 8);
    let summary = Csv::read(&first_dir.join("summary.csv"));
    let runs: Vec<(String, String)> = summary.rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let expected: Vec<(String, String)> = ["kube-default", "kube-binpack"]
        .iter()
        .flat_map(|p| (1..=4).map(move |s| (p.to_string(), s.to_string())))
        .collect();
    assert_eq!(runs, expected, "one summary row per (policy, seed), in order");

    // Seeds matter: the rows of each seed (seed column aside) differ from every other seed's,
    // so byte-identical outputs above are not trivially identical.
    let jobs = Csv::read(&first_dir.join("jobs.csv"));
    let per_seed: Vec<Vec<Vec<String>>> = (1..=4)
        .map(|seed| {
            jobs.rows
                .iter()
                .filter(|r| r[0] == "kube-default" && r[1] == seed.to_string())
                .map(|r| r[2..].to_vec())
                .collect()
        })
        .collect();
    for a in 0..4 {
        assert_eq!(per_seed[a].len(), 270, "seed {}", a + 1);
        for b in a + 1..4 {
            assert_ne!(
                per_seed[a],
                per_seed[b],
                "seeds {} and {} give the same jobs.csv rows",
                a + 1,
                b + 1
            );
        }
    }
}
