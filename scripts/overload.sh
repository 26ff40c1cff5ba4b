#!/usr/bin/env bash
# Prints the overload scenario of the speed benchmarks (README, Speed): two teams share 1,000
# GPUs (125 nodes x 8) and each submits one-GPU Jobs of exactly one hour, Poisson arrivals, so
# that together they offer LOAD times the capacity. The teams are Volcano queues of equal
# weight and Kueue ClusterQueues of 500 GPUs each in one cohort with reclaimWithinCohort Any,
# so the same file runs under every policy. Usage:
#
#   scripts/overload.sh JOBS LOAD > overload.yaml     # e.g. 100000 2 (JOBS in total)
set -euo pipefail
jobs=${1:?usage: scripts/overload.sh JOBS LOAD}
load=${2:?usage: scripts/overload.sh JOBS LOAD}
case "$jobs$load" in *[!0-9]*) echo "JOBS and LOAD are whole numbers" >&2; exit 2 ;; esac
[ "$jobs" -ge 2 ] && [ "$load" -ge 1 ] || { echo "JOBS >= 2 and LOAD >= 1" >&2; exit 2; }
per_team=$((jobs / 2))
# Each team offers LOAD x 500 GPU-hours per hour: one 1-hour job every 3,600,000 / (LOAD x 500) ms.
interval=$((3600000 / (load * 500)))
cat <<YAML
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: overload-${jobs}-${load}x}
spec: {seed: 1}
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: gpu}
spec:
  count: 125
  template:
    apiVersion: v1
    kind: Node
    metadata: {name: gpu}
    status: {allocatable: {cpu: "96", memory: 1Ti, nvidia.com/gpu: "8", pods: "110"}}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ResourceFlavor
metadata: {name: gpu}
YAML
for t in a b; do
cat <<YAML
---
apiVersion: scheduling.volcano.sh/v1beta1
kind: Queue
metadata: {name: team-$t}
spec: {weight: 1, reclaimable: true}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata: {name: team-$t}
spec:
  cohort: all
  namespaceSelector: {}
  preemption: {reclaimWithinCohort: Any}
  resourceGroups:
  - coveredResources: [nvidia.com/gpu]
    flavors:
    - name: gpu
      resources:
      - {name: nvidia.com/gpu, nominalQuota: 500}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata: {name: team-$t, namespace: default}
spec: {clusterQueue: team-$t}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: team-$t}
spec:
  count: $per_team
  poisson: {meanInterval: ${interval}ms}
  duration: {fixed: 1h}
  template:
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: team-$t
      labels: {kueue.x-k8s.io/queue-name: team-$t}
      annotations: {scheduling.volcano.sh/queue-name: team-$t}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]
YAML
done
