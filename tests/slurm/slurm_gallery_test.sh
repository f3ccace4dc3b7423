#!/usr/bin/env bash
# A gallery made by a real Slurm job array equals the one a single machine makes: starts a
# single-node Slurm (slurmctld and slurmd on this host, a minimal config of its own, no munge),
# submits packaging/slurm/submit-gallery.sh with 3 shards over the bundled pack, waits, and
# compares the merged gallery with a single run item for item and image for image.
# Usage: slurm_gallery_test.sh DGNAM_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
dgnam=$1 source_dir=$2 work=$3
if [[ $(id -u) != 0 ]]; then
    echo "skipped: slurmd runs jobs as their users only when started as root"
    exit 77
fi
rm -rf "$work"
mkdir -p "$work"/{state,spool,log}
work=$(cd "$work" && pwd)
host=$(hostname)
export SLURM_CONF=$work/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=dgnamtest
SlurmctldHost=$host
SlurmctldPort=26817
SlurmdPort=26818
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
stop() {
    local pids=()
    for daemon in slurmd slurmctld; do
        [[ -f $work/$daemon.pid ]] && pids+=("$(cat "$work/$daemon.pid")")
    done
    ((${#pids[@]})) || return 0
    kill "${pids[@]}" 2>/dev/null || true
    # Gone before the next run needs the ports.
    for _ in $(seq 1 50); do
        kill -0 "${pids[@]}" 2>/dev/null || return 0
        sleep 0.2
    done
}
trap stop EXIT
slurmctld -c
slurmd
for _ in $(seq 1 60); do
    sinfo -h -o %t 2>/dev/null | grep -q idle && break
    sleep 1
done
sinfo -h -o %t | grep -q idle || { echo "the test's Slurm node did not come up"; cat "$work"/log/*; exit 1; }

run=(--units 0-5 --iterations 12 --judge none)
DGNAM=$dgnam "$source_dir/packaging/slurm/submit-gallery.sh" 3 "$work/out" "${run[@]}"
for _ in $(seq 1 300); do
    [[ -z $(squeue -h) ]] && break
    sleep 1
done
[[ -z $(squeue -h) ]] || { echo "jobs still queued after 300 s"; squeue; exit 1; }
[[ -f $work/out/merged/gallery.json ]] || { echo "no merged gallery"; cat "$work"/out/*.log; exit 1; }

"$dgnam" synthesize "${run[@]}" --out "$work/single" > /dev/null
python3 - "$work/single/gallery.json" "$work/out/merged/gallery.json" <<'PY'
import json, sys
single, merged = (json.load(open(p)) for p in sys.argv[1:])
assert merged["model"] == single["model"], "models differ"
for key in set(single["params"]) | set(merged["params"]):
    assert key == "device" or single["params"].get(key) == merged["params"].get(key), key
assert [i["unit"] for i in merged["items"]] == [i["unit"] for i in single["items"]]
for a, b in zip(single["items"], merged["items"]):
    assert a["file"] == b["file"] and a["activation"] == b["activation"], (a, b)
print(len(merged["items"]), "items equal")
PY
for png in "$work"/single/images/*.png; do
    cmp "$png" "$work/out/merged/images/$(basename "$png")"
done
echo "slurm gallery: 3-task array merged equals the single run"
