#!/bin/sh
# Starts a one-node Slurm cluster (slurm_cluster.sh), runs a job array of 3 tasks with
# `sbatch --wait --array=0-2` and a job that depends on it (afterok), checks what they wrote,
# and stops the daemons. Skips (77) without root, or without slurm-wlm/munge (then fails under CI=true).
#   test_slurm.sh WORK_DIR
set -u
work=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cluster_up.sh"
mkdir -p "$work/out" || exit 1

printf '#!/bin/sh\necho "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT" >"%s/out/part-$SLURM_ARRAY_TASK_ID"\n' \
    "$work" >"$work/task.sh"
printf '#!/bin/sh\ncat "%s/out/part-0" "%s/out/part-1" "%s/out/part-2" >"%s/out/merged"\n' \
    "$work" "$work" "$work" "$work" >"$work/merge.sh"
fail=0
array=$(timeout 120 sbatch --parsable --wait --array=0-2 -o "$work/out/slurm-%A_%a.log" "$work/task.sh")
rc=$?
array=${array%%;*}
[ "$rc" -eq 0 ] && [ -n "$array" ] || { echo "FAILED: sbatch --wait --array=0-2 (exit $rc)"; fail=1; }
timeout 120 sbatch --parsable --wait --dependency=afterok:"$array" -o "$work/out/merge.log" "$work/merge.sh" >/dev/null \
    || { echo "FAILED: the dependent job"; fail=1; }
printf 'task 0 of 3\ntask 1 of 3\ntask 2 of 3\n' >"$work/want"
cmp -s "$work/want" "$work/out/merged" || { echo "FAILED: merged output differs:"; cat "$work/out/merged" 2>&1; fail=1; }
[ "$fail" -eq 0 ] && echo "slurm: array job $array (3 tasks) and its dependent job ran on a one-node cluster"
exit $fail
