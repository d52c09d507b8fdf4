# Sourced by the Slurm tests with $work (a fresh folder to use) and $here (this folder) set:
# skips (77) without root, or without slurm-wlm/munge (fails then under CI=true); otherwise
# starts the one-node cluster of slurm_cluster.sh in $work/cluster, stops it when the test exits,
# and puts its environment (SLURM_CONF, PATH) into the test's shell. $work becomes absolute.
skip() {
    if [ "${CI:-}" = true ]; then echo "FAILED (CI=true, so no skipping): $1"; exit 1; fi
    echo "SKIP: $1"; exit 77
}
# not being root is the machine, not a missing dependency: a skip even under CI
[ "$(id -u)" -eq 0 ] || { echo "SKIP: not root (slurmd runs as root)"; exit 77; }
command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 || skip "slurm-wlm or munge not installed"
rm -rf "$work" && mkdir -p "$work" || exit 1
work=$(cd "$work" && pwd)
trap 'sh "$here/slurm_cluster.sh" stop "$work/cluster"' EXIT INT TERM
sh "$here/slurm_cluster.sh" start "$work/cluster" || exit 1
. "$work/cluster/env"
