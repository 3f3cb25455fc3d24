#!/usr/bin/env bash
# A real one-node SLURM (munged, slurmctld, slurmd) for the tests, in the folder $1.
# Needs root and Debian's slurm-wlm + munge packages. The config is linked at /etc/slurm/
# (the executor plugin drops SLURM_* variables, so jobs read the default path); an existing
# /etc/slurm/slurm.conf that is not such a link is never touched: the script stops instead.
# Stop it with tests/slurm/stop_slurm.sh $1 (daemons by their PID files, links removed).
set -euo pipefail
dir=$(realpath "$1")
mkdir -p "$dir"/{state,spool,munge,run}
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))

# Two fake GPUs: character devices are enough for the GRES plugin (a Count-only line
# puts the node in INVAL).
for i in 0 1; do [ -e "$dir/fakegpu$i" ] || mknod "$dir/fakegpu$i" c 1 3; done

cat > "$dir/slurm.conf" <<CONF
ClusterName=reefclr
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=3600
DefMemPerCPU=1000
GresTypes=gpu
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem_mb Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
cat > "$dir/gres.conf" <<CONF
NodeName=$host Name=gpu File=$dir/fakegpu[0-1]
CONF

mkdir -p /etc/slurm
for f in slurm.conf gres.conf; do
  if [ -e "/etc/slurm/$f" ] && [ ! -L "/etc/slurm/$f" ]; then
    echo "/etc/slurm/$f exists and is not a test link: not starting a test cluster here" >&2
    exit 1
  fi
  ln -sfn "$dir/$f" "/etc/slurm/$f"
done
export SLURM_CONF=/etc/slurm/slurm.conf
[ -f /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
chmod 400 /etc/munge/munge.key
munged --force --socket="$dir/munge/munge.socket" --pid-file="$dir/run/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qx idle; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi
  sleep 0.5
done
echo "SLURM did not come up; logs in $dir" >&2
sinfo -N -l >&2 || true
exit 1
