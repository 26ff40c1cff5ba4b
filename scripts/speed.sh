#!/usr/bin/env bash
# The speed table of the README (Speed), through the binary with outputs: each case is run
# REPEAT times (default 3) and its minimum wall time and maximum peak RSS printed. Give two or
# more binaries to measure them in turns, case by case (before and after a change, on the same
# machine in the same minutes). Usage:
#
#   scripts/speed.sh BIN [BIN...]           # every case
#   CASES="poisson overload" scripts/speed.sh BIN   # some groups: poisson trace overload swf threads
#
# Needs /usr/bin/time. The 1,000,000-job trace is generated from the Philly excerpt in traces/;
# the SWF case from the NASA iPSC excerpt in traces/swf, resampled to 100,000 jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/speed.sh BIN [BIN...]" >&2; exit 2; }
bins=("$@")
repeat=${REPEAT:-3}
cases=${CASES:-poisson trace overload swf threads}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# min wall (s) and max RSS (MB) of `REPEAT` runs of: BIN ARGS... (OUT is replaced by a folder)
measure() {
    local label=$1 bin=$2
    shift 2
    local best="" rss=0 i
    for ((i = 0; i < repeat; i++)); do
        rm -rf "$work/out"
        local args=()
        for a in "$@"; do args+=("${a//OUT/$work/out}"); done
        /usr/bin/time -f "%e %M" -o "$work/time" "$bin" "${args[@]}" >/dev/null 2>"$work/err" || {
            echo "$label: $bin failed: $(tail -n 2 "$work/err")"
            return
        }
        read -r wall kb <"$work/time"
        if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; fi
        if [ "$kb" -gt "$rss" ]; then rss=$kb; fi
    done
    printf '%-58s %-28s %7.2f s %6d MB\n' "$label" "$(basename "$(dirname "$bin")")/$(basename "$bin")" "$best" $((rss / 1024))
}

each() {
    local label=$1
    shift
    for b in "${bins[@]}"; do measure "$label" "$b" "$@"; done
}

nodes() { # NodePool of $1 nodes of 8 GPUs
    printf 'apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: gpu}\nspec:\n  count: %s\n  template:\n    apiVersion: v1\n    kind: Node\n    metadata: {name: gpu}\n    status: {allocatable: {cpu: "96", memory: 1Ti, nvidia.com/gpu: "8", pods: "110"}}\n' "$1"
}

poisson_yaml() {
    # benches/scheduler.rs's case (input::synth::poisson_single_pod): 100,000 single-pod Jobs of
    # 1/2/4/8 GPUs (50/25/15/10 %), exponential run times of mean 1 h, Poisson arrivals at 90%
    # offered load on 1,000 nodes x 8 GPUs.
    {
        printf 'apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: poisson}\nspec: {seed: 1}\n---\n'
        nodes 1000
        for gi in "1 50000 2400" "2 25000 4800" "4 15000 8000" "8 10000 12000"; do
            read -r g n iv <<<"$gi"
            printf -- '---\napiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: gpu%s}\nspec:\n  count: %s\n  poisson: {meanInterval: %sms}\n  duration: {exponential: {mean: 1h}}\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata: {name: gpu%s}\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: main, image: x, resources: {limits: {cpu: "%s", memory: %sGi, nvidia.com/gpu: "%s"}}}]\n' \
                "$g" "$n" "$iv" "$g" $((8 * g)) $((64 * g)) "$g"
        done
    } >"$work/poisson.yaml"
}

if [[ " $cases " == *" poisson "* ]]; then
    poisson_yaml
    for p in kube-default kube-binpack coscheduling volcano volcano-preempt kueue; do
        each "100k Jobs, 1000x8 GPUs, 90% load: $p" run "$work/poisson.yaml" --policy "$p" --out OUT
    done
fi

if [[ " $cases " == *" trace "* ]]; then
    "${bins[0]}" trace import --format philly traces/philly/philly_multigpu_pass_jobs_subset.excerpt.json \
        -o "$work/philly.csv" >/dev/null
    "${bins[0]}" trace generate --from "$work/philly.csv" --jobs 1000000 --load 0.8 --gpus 10000 --seed 7 \
        -o "$work/big.csv" >/dev/null
    {
        printf 'apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: big}\nspec: {seed: 1}\n---\n'
        nodes 1250
        printf -- '---\napiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {name: big}\nspec: {path: big.csv, format: kubesim}\n'
    } >"$work/big.yaml"
    for p in kube-default volcano kueue; do
        each "1M-job trace, 10k GPUs: $p" run "$work/big.yaml" --policy "$p" --out OUT
    done
fi

if [[ " $cases " == *" overload "* ]]; then
    for jobs in 10000 100000; do
        for load in 2 4 8; do
            scripts/overload.sh "$jobs" "$load" >"$work/ov-$jobs-$load.yaml"
            for p in volcano kueue; do
                each "overload $jobs Jobs at ${load}x: $p" run "$work/ov-$jobs-$load.yaml" --policy "$p" --out OUT
            done
        done
    done
fi

if [[ " $cases " == *" swf "* ]]; then
    # HPC jobs as gangs of 1-CPU pods: the NASA iPSC/860 excerpt resampled to 100,000 jobs at
    # 8 an hour (the full log's rate) on its 128 one-CPU nodes, Kueue StrictFIFO on one ClusterQueue of 128 CPUs.
    # Client limits off: the schedule a simulator without an API server computes (the peer's
    # comparison); with them on, a 128-pod gang takes 5 s to create and the run about 30% longer.
    "${bins[0]}" trace import --format swf traces/swf/NASA-iPSC-1993-3.1-cln.excerpt.swf -o "$work/nasa.csv" >/dev/null
    "${bins[0]}" trace generate --from "$work/nasa.csv" --jobs 100000 --rate 8 --seed 3 -o "$work/swf.csv" >/dev/null
    cat >"$work/swf.yaml" <<'YAML'
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: swf}
spec: {seed: 1, clientRateLimits: {enabled: false}}
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: cpu}
spec:
  count: 128
  template:
    apiVersion: v1
    kind: Node
    metadata: {name: cpu}
    status: {allocatable: {cpu: "1", memory: 8Gi, pods: "110"}}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ResourceFlavor
metadata: {name: cpu}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata: {name: hpc}
spec:
  namespaceSelector: {}
  queueingStrategy: StrictFIFO
  resourceGroups:
  - coveredResources: [cpu, memory]
    flavors:
    - name: cpu
      resources:
      - {name: cpu, nominalQuota: 128}
      - {name: memory, nominalQuota: 1Ti}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata: {name: hpc, namespace: default}
spec: {clusterQueue: hpc}
---
apiVersion: kubesim.io/v1alpha1
kind: Trace
metadata: {name: swf}
spec:
  path: swf.csv
  format: kubesim
  template:
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: swf
      labels: {kueue.x-k8s.io/queue-name: hpc}
    spec:
      backoffLimit: 0
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: x}]
YAML
    [ -n "${KEEP_SWF:-}" ] && cp "$work/swf.yaml" "$work/swf.csv" "$KEEP_SWF"
    each "SWF 100k HPC jobs, gangs of 1-CPU pods: kueue StrictFIFO" run "$work/swf.yaml" --policy kueue --out OUT
fi

if [[ " $cases " == *" threads "* ]]; then
    [ -f "$work/poisson.yaml" ] || poisson_yaml
    for t in 1 2; do
        each "100k Jobs, --seeds 1..4, $t thread(s)" --threads "$t" run "$work/poisson.yaml" --policy kube-default --seeds 1..4 --out OUT
    done
    for t in 1 2; do
        each "demo compare --seeds 1..400, $t thread(s)" --threads "$t" compare scenarios/gang-contention.yaml --seeds 1..400 --out OUT
    done
fi
