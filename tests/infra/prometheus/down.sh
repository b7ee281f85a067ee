#!/usr/bin/env bash
# Stops the Prometheus that up.sh started: only the process whose "<pid> <starttime>" up.sh recorded in
# $PROMETHEUS_STATE_DIR/prometheus.pid (default /var/tmp/nomad-autoscaler-prometheus). Data is kept;
# pass --purge to also delete the whole state dir.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
    *) die "unknown argument '$arg' (expected --purge)" ;;
  esac
done

if [[ ! -d $STATE ]]; then
  log "nothing to stop: $STATE does not exist"
  exit 0
fi
exec 9>"$STATE/up.lock"
flock -w 900 9 || die "up.sh still holds $STATE/up.lock"
if pid=$(recorded_pid); then
  stop_recorded
  log "stopped prometheus (pid $pid)"
else
  rm -f "$PID_FILE"
  log "nothing to stop: no recorded prometheus process is running"
fi
rm -f "$STATE/prometheus.env"
if ((PURGE)); then
  # Only a directory up.sh made: never rm -rf whatever PROMETHEUS_STATE_DIR happens to point at.
  [[ -f $STATE/prometheus.yml || -d $STATE/file_sd ]] || die "$STATE does not look like up.sh's state dir; not purging"
  rm -rf "$STATE"
  log "removed $STATE"
fi
