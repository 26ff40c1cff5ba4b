#!/usr/bin/env bash
# Kueue's scheduler performance test, baseline, through kubesim: runs
# scenarios/kueue-perf-baseline.yaml with events and prints the figures Kueue's checker reads
# (test/performance/scheduler/checker/checker_test.go, from runner/recorder/recorder.go):
#   - the time to get through the workload (kubesim: the last Workload's finish; Kueue: the
#     minimal Kueue's wall time, which also covers its start-up);
#   - ClusterQueue usage: the cpu quota held by admitted Workloads, integrated over time and
#     summed over the 30 ClusterQueues, over their nominal quota (30 x 20 cpu) times the time
#     from the first to the last change (Kueue: from each ClusterQueue's first to last status
#     update);
#   - per class, the mean time to admission (the last admission's time minus creation, as the
#     recorder takes the Admitted condition's transition time) and the evictions.
# Usage: [SCENARIO=file.yaml] scripts/kueue-perf.sh [KUBESIM_BIN] [extra kubesim run arguments...]
# (SCENARIO: a variant of the baseline scenario, such as one with client limits off)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/kubesim}
shift || true
[ -x "$bin" ] || { echo "no kubesim binary at $bin: build it with cargo build --release" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" run "${SCENARIO:-scenarios/kueue-perf-baseline.yaml}" --events --out "$work/out" -q "$@" >/dev/null
awk -F, '
function cpu(name) { return name ~ /^small/ ? 1 : name ~ /^medium/ ? 5 : 20 }
function class(name) { sub(/-.*/, "", name); return name }
FNR == 1 { next }
{
    t = $3 + 0; split($4, o, "/"); wl = $4; name = o[2]; c = class(name)
    if (t > last) { used += held * (t - last); last = t }
    if ($5 == "WorkloadCreated") { created[wl] = t; n[c]++ }
    else if ($5 == "QuotaReserved") { held += cpu(name); admitted[wl] = t }
    else if ($5 == "QuotaReleased" || $5 == "WorkloadFinished") { held -= cpu(name) }
    else if ($5 == "WorkloadEvicted") { ev[c]++ }
    else if ($5 == "ClusterQueueStatus") {
        # As the recorder of the test reads the ClusterQueue statuses (recordCQEvent): each
        # status holds its cpu until the next status of that ClusterQueue.
        v = 0; if (match($6, /cpu=[0-9]+/)) v = substr($6, RSTART + 4, RLENGTH - 4) / 1000
        if (cq_t[wl] != "") cq_used += cq_v[wl] * (t - cq_t[wl])
        cq_t[wl] = t; cq_v[wl] = v; if (t > cq_last) cq_last = t
    }
}
END {
    for (wl in admitted) { split(wl, o, "/"); c = class(o[2]); wait[c] += admitted[wl] - created[wl] }
    printf "time to get through the workload: %.1f s\n", last
    printf "ClusterQueue usage (of nominal quota): %.1f%%\n", 100 * used / (30 * 20 * last)
    if (cq_last > 0)
        printf "ClusterQueue usage from the ClusterQueue status writes, as the checker reads them: %.1f%%\n", 100 * cq_used / (30 * 20 * cq_last)
    split("large medium small", cs, " ")
    for (i = 1; i <= 3; i++) {
        c = cs[i]
        printf "%-6s %5d workloads, mean time to admission %8.1f s, evictions %d\n", c, n[c], wait[c] / n[c], ev[c]
    }
}' "$work/out/events.csv"
