#!/usr/bin/env bash
# A kubesim sweep split over a Slurm job array: task i runs shard i/N of the replications and
# writes results/shard-i; a merge job, started when every task has succeeded, combines them into
# results/merged (exactly the files one run would write, report.html included).
#
#   sbatch deploy/slurm/sweep-array.sh
#
#SBATCH --job-name=kubesim-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=02:00:00
#SBATCH --output=results/slurm-%A_%a.out
set -euo pipefail

SHARDS=8 # keep equal to the size of --array above
KUBESIM=${KUBESIM:-kubesim}
SCENARIO=${SCENARIO:-scenarios/gang-contention.yaml}
mkdir -p results

"$KUBESIM" sweep "$SCENARIO" \
  --set NodePool/gpu:spec.count=8..32:4 \
  --seeds 1..20 \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --out "results/shard-${SLURM_ARRAY_TASK_ID}"

# The first task submits the merge, to run after every task of this array succeeded.
if [ "${SLURM_ARRAY_TASK_ID}" = "0" ]; then
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=kubesim-merge \
    --output=results/slurm-merge-%j.out \
    --wrap="\"$KUBESIM\" merge results/shard-* --out results/merged"
fi
