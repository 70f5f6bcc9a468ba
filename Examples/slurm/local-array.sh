#!/bin/bash
# Runs campaign.sbatch's shards one after another without Slurm (same variables), to try the
# job-array workflow on one machine:  N=4 Examples/slurm/local-array.sh
set -euo pipefail
here=$(dirname "$0")
N=${N:-4}
for K in $(seq 1 "$N"); do
    SLURM_ARRAY_TASK_COUNT=$N SLURM_ARRAY_TASK_ID=$K bash "$here/campaign.sbatch"
done
bash "$here/merge.sbatch"
