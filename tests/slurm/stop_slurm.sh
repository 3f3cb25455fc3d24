#!/usr/bin/env bash
# Stop the daemons that start_slurm.sh started in the folder $1 (by PID file) and remove its links.
dir=$(realpath "$1")
for name in slurmd slurmctld munged; do
  pidfile="$dir/run/$name.pid"
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
done
for f in slurm.conf gres.conf; do
  [ "$(readlink "/etc/slurm/$f")" = "$dir/$f" ] && rm -f "/etc/slurm/$f"
done
exit 0
