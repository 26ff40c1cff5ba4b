#!/usr/bin/env bash
# Writes scenarios/kueue-perf-baseline.yaml: Kueue's own scheduler performance test, baseline
# configuration (kubernetes-sigs/kueue test/performance/scheduler/configs/baseline/generator.yaml
# at ff69552e), as kubesim objects. 5 cohorts x 6 ClusterQueues (cpu: nominal 20, borrowingLimit
# 100; reclaimWithinCohort Any, withinClusterQueue LowerPriority), each with its namespace and
# LocalQueue named after it, and per ClusterQueue three sets of bare Workloads created one after
# another (the generator waits creationIntervalMs before each): 350 small (1 cpu, 200 ms,
# priority 50) every 100 ms, 100 medium (5 cpu, 500 ms, priority 100) every 500 ms, 50 large
# (20 cpu, 1000 ms, priority 200) every 1200 ms. Names follow the generator's
# (runner/generator/generator.go). Kueue's client is limited as the test's minimal Kueue's
# (50 QPS, burst 100: test/performance/scheduler/minimalkueue/main.go). Usage:
#
#   scripts/kueue-perf-baseline.sh > scenarios/kueue-perf-baseline.yaml
set -euo pipefail
cat <<'HEAD'
# Kueue's scheduler performance test, baseline configuration, as a kubesim scenario.
# Written by scripts/kueue-perf-baseline.sh; see docs/kueue-perf.md for kubesim's figures
# against those Kueue records for it.
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: kueue-perf-baseline}
spec:
  policies: [kueue]
  # The test's minimal Kueue sets its client to 50 QPS, burst 100, without a shared limiter:
  # controller-runtime gives each kind its own bucket (perKind).
  clientRateLimits: {kueue: {qps: 50, burst: 100, perKind: true}}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata: {name: rf}
HEAD
# class, set index, count, interval ms, runtime ms, priority, cpu
sets="small 0 350 100 200 50 1
medium 1 100 500 500 100 5
large 2 50 1200 1000 200 20"
for c in 0 1 2 3 4; do
    for q in 0 1 2 3 4 5; do
        cq="cq-0-$q-cohort-$c"
        cat <<CQ
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata:
  name: $cq
  labels: {kueue.x-k8s.io/performance-scheduler-class: cq}
spec:
  cohortName: cohort-$c
  namespaceSelector: {}
  preemption: {reclaimWithinCohort: Any, withinClusterQueue: LowerPriority}
  resourceGroups:
  - coveredResources: [cpu]
    flavors:
    - name: rf
      resources: [{name: cpu, nominalQuota: 20, borrowingLimit: 100}]
---
apiVersion: v1
kind: Namespace
metadata: {name: $cq}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata: {name: $cq, namespace: $cq}
spec: {clusterQueue: $cq}
CQ
        while read -r class idx count every run prio cpu; do
            cat <<WL
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: $cq-$class}
spec:
  count: $count
  start: ${every}ms
  every: ${every}ms
  template:
    apiVersion: kueue.x-k8s.io/v1beta2
    kind: Workload
    metadata:
      name: $class-$idx
      namespace: $cq
      labels:
        kueue.x-k8s.io/performance-scheduler-running-ms: "$run"
        kueue.x-k8s.io/performance-scheduler-class: $class
    spec:
      queueName: $cq
      priority: $prio
      podSets:
      - name: main
        count: 1
        template:
          spec:
            containers:
            - name: c
              resources: {requests: {cpu: "$cpu"}}
WL
        done <<<"$sets"
    done
done
