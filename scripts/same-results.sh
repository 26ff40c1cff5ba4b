#!/usr/bin/env bash
# Same inputs, same bytes: runs a reference build of kubesim (a git revision) and the work tree's
# build on the same cases and compares every output file with cmp. For refactors, which must not
# change a result. Usage:
#
#   scripts/same-results.sh BASE_REV [quick|big]
#
# Cases: every scenario in scenarios/ under every built-in policy (seeds 1..3, with events.csv);
# a 100,000-job overloaded run (120% offered load) under every policy; and, unless `quick`, a
# 1,000,000-job trace (Philly shapes, 80% load on 10,000 GPUs) under every policy (`big`: that
# trace alone). The reference
# is built in a temporary worktree with its own target folder (target/same-results-base), so the
# work tree's build is untouched; KUBESIM_BASE_BIN=path uses an already built reference binary
# instead (BASE_REV is then only a label). LIMITS=off runs every case with the API clients'
# rate limits off (`clientRateLimits: {enabled: false}`): how a change that models a new client
# shows that, turned off, it changes nothing. Exit status 0 when every file is identical, 1
# otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
base_rev=${1:?usage: scripts/same-results.sh BASE_REV [quick|big]}
mode=${2:-full}
root=$PWD
work=$(mktemp -d)
base_tree="$work/base-tree"
cleanup() {
    git -C "$root" worktree remove --force "$base_tree" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

target=${CARGO_TARGET_DIR:-$root/target}
if [ -n "${KUBESIM_BASE_BIN:-}" ]; then
    echo "== reference: $KUBESIM_BASE_BIN ($base_rev); building the work tree (release)"
    base=$KUBESIM_BASE_BIN
else
    echo "== building $base_rev and the work tree (release)"
    git worktree add --detach "$base_tree" "$base_rev" >/dev/null
    (cd "$base_tree" && CARGO_TARGET_DIR="$target/same-results-base" cargo build --release --quiet)
    base="$target/same-results-base/release/kubesim"
fi
cargo build --release --quiet
new="$target/release/kubesim"
policies="kube-default kube-binpack coscheduling volcano volcano-preempt kueue"

failed=0
# Run one case with both binaries (arguments after the case name; OUT is replaced by the folder)
# and compare the folders file by file.
compare() {
    local name=$1
    shift
    local args_base=() args_new=()
    for a in "$@"; do
        args_base+=("${a//OUT/$work/base/$name}")
        args_new+=("${a//OUT/$work/new/$name}")
    done
    "$base" "${args_base[@]}" >"$work/base-$name.stdout" 2>&1 || echo "exit status $?" >>"$work/base-$name.stdout"
    "$new" "${args_new[@]}" >"$work/new-$name.stdout" 2>&1 || echo "exit status $?" >>"$work/new-$name.stdout"
    local differ=0 f rel
    # stdout names the output folder, which differs by construction.
    if ! diff <(sed "s#$work/base/#OUT/#g" "$work/base-$name.stdout") \
              <(sed "s#$work/new/#OUT/#g" "$work/new-$name.stdout") >"$work/stdout.diff"; then
        echo "   stdout differs:"
        head -n 10 "$work/stdout.diff" | sed 's/^/     /'
        differ=1
    fi
    while IFS= read -r -d '' f; do
        rel=${f#"$work/base/$name/"}
        case "$rel" in .kubesim-outputs | .kubesim.lock) continue ;; esac
        if ! cmp -s "$f" "$work/new/$name/$rel"; then
            echo "   $rel differs"
            differ=1
        fi
    done < <(find "$work/base/$name" -type f -print0 2>/dev/null)
    local nb nn
    nb=$( (find "$work/base/$name" -type f 2>/dev/null || true) | wc -l)
    nn=$( (find "$work/new/$name" -type f 2>/dev/null || true) | wc -l)
    if [ "$nb" != "$nn" ]; then
        echo "   $nb files against $nn"
        differ=1
    fi
    if [ "$nb" = 0 ]; then
        echo "   no output: $(tail -n 2 "$work/base-$name.stdout" | tr '\n' ' ')"
        differ=1
    fi
    if [ $differ = 0 ]; then
        echo "same  $name ($nb files)"
    else
        echo "DIFF  $name"
        failed=1
    fi
}

if [ -n "${ONLY:-}" ]; then policies=$ONLY; fi
# LIMITS=off: every scenario with `clientRateLimits: {enabled: false}` in its Simulation spec
# (copies in the work folder, beside copies of the files they read), for a change that models
# a new API client: with its limits off the results must not move.
scenario_files=${SCENARIOS:-scenarios/*.yaml}
limits_off() { # the spec line of a one-line Simulation spec, limits off
    sed 's/^spec: {seed: 1}$/spec: {seed: 1, clientRateLimits: {enabled: false}}/'
}
if [ "${LIMITS:-on}" = off ]; then
    mkdir -p "$work/scenarios"
    cp -r scenarios/. "$work/scenarios/"
    for f in $scenario_files; do
        awk 'BEGIN { done = 0 } /kind: Simulation/ { sim = 1 } { print }
             sim && /^spec:$/ && !done { print "  clientRateLimits: {enabled: false}"; done = 1 }' \
            "$f" | grep -v '^  clientRateLimits: {.*50.*}$' >"$work/scenarios/$(basename "$f")"
    done
    scenario_files=$(for f in $scenario_files; do echo "$work/scenarios/$(basename "$f")"; done)
else
    limits_off() { cat; }
fi
if [ "$mode" != big ]; then
echo "== scenarios/ under every policy"
for f in $scenario_files; do
    s=$(basename "$f" .yaml)
    for p in $policies; do
        compare "$s-$p" run "$f" --policy "$p" --seeds 1..3 --events --out OUT
    done
done
fi

if [ -n "${SCENARIOS:-}" ]; then mode=scenarios-only; fi
if [ "$mode" != scenarios-only ] && [ "$mode" != big ]; then
echo "== 100,000 jobs at 120% offered load"
limits_off >"$work/overload.yaml" <<'EOF'
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: overload}
spec: {seed: 1}
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: gpu}
spec:
  count: 1000
  template:
    apiVersion: v1
    kind: Node
    metadata: {name: gpu}
    status: {allocatable: {cpu: "96", memory: 1Ti, nvidia.com/gpu: "8", pods: "110"}}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: jobs}
spec:
  count: 100000
  poisson: {meanInterval: 125ms}
  duration: {lognormal: {median: 20m, sigma: 1}}
  template:
    apiVersion: batch/v1
    kind: Job
    metadata: {name: j}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]
EOF
for p in $policies; do
    compare "overload-$p" run "$work/overload.yaml" --policy "$p" --out OUT
done
fi

if [ "$mode" = full ] || [ "$mode" = big ]; then
    echo "== 1,000,000-job trace"
    "$base" trace import --format philly traces/philly/philly_multigpu_pass_jobs_subset.excerpt.json \
        -o "$work/philly.csv" >/dev/null
    "$base" trace generate --from "$work/philly.csv" --jobs 1000000 --load 0.8 --gpus 10000 --seed 7 \
        -o "$work/big.csv" >/dev/null
    limits_off >"$work/big.yaml" <<'EOF'
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: big}
spec: {seed: 1}
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: gpu}
spec:
  count: 1250
  template:
    apiVersion: v1
    kind: Node
    metadata: {name: gpu}
    status: {allocatable: {cpu: "96", memory: 1Ti, nvidia.com/gpu: "8", pods: "110"}}
---
apiVersion: kubesim.io/v1alpha1
kind: Trace
metadata: {name: big}
spec: {path: big.csv, format: kubesim}
EOF
    for p in $policies; do
        compare "trace1m-$p" run "$work/big.yaml" --policy "$p" --out OUT
    done
fi

if [ $failed = 0 ]; then
    echo "all outputs identical"
else
    echo "outputs differ (folders kept: set KEEP=1 and rerun to inspect)"
    if [ "${KEEP:-0}" = 1 ]; then
        trap - EXIT
        git -C "$root" worktree remove --force "$base_tree" >/dev/null 2>&1 || true
        echo "kept $work"
    fi
fi
exit $failed
