#!/bin/sh
# A one-node Slurm cluster on this machine, for tests: munged, slurmctld and slurmd as root with
# a generated slurm.conf for the local host (ProctrackType=proctrack/linuxproc, TaskPlugin=
# task/none), everything (config, key, sockets, state, logs, pids) in one folder.
#   slurm_cluster.sh start DIR    starts the daemons, waits until the node is idle, writes DIR/env
#   slurm_cluster.sh stop DIR     stops exactly the daemons that start wrote pid files for
# Clients use the cluster with: . DIR/env  (sets SLURM_CONF). Needs Debian's slurm-wlm and munge.
set -eu
cmd=${1:-} dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop() {
    for p in slurmd slurmctld munged; do
        f=$dir/$p.pid
        [ -s "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$f"
    done
}

start() {
    for b in munged slurmctld slurmd sinfo; do
        command -v "$b" >/dev/null 2>&1 || { echo "slurm_cluster: $b not found (apt-get install slurm-wlm munge)" >&2; exit 3; }
    done
    [ "$(id -u)" -eq 0 ] || { echo "slurm_cluster: slurmd must run as root" >&2; exit 3; }
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    chmod 700 "$dir/munge"
    dir=$(cd "$dir" && pwd)
    host=$(hostname -s)
    # ports from the pid, so that two test runs do not collide
    base=$((20000 + ($$ % 5000) * 2))
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 400 "$dir/munge/munge.key"
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" \
        --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"
    cat >"$dir/slurm.conf" <<EOF
ClusterName=attnscope$$
SlurmctldHost=$host
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    echo "export SLURM_CONF=$dir/slurm.conf" >"$dir/env"
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF"
    for _ in $(seq 150); do
        state=$(sinfo -h -N -o %T 2>/dev/null | head -1)
        case "$state" in idle*) echo "slurm_cluster: node $host idle (conf $SLURM_CONF)"; return 0 ;; esac
        sleep 0.2
    done
    echo "slurm_cluster: the node did not come up (state '${state:-none}'); logs in $dir" >&2
    tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 2>/dev/null || true
    stop
    exit 1
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
