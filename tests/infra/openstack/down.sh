#!/usr/bin/env bash
# Stops the OpenStack started by up.sh: only the process groups whose "<pid> <starttime>" up.sh recorded in
# $OS_INFRA_STATE_DIR/run/pids (default /var/tmp/nomad-autoscaler-openstack), in reverse start order.
# Data is kept, so the next up.sh restarts on it; pass --purge to also delete the whole state dir.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$HERE/lib/common.sh"

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,4p' "$0"; exit 0 ;;
    *) die "unknown argument '$arg' (expected --purge)" ;;
  esac
done

started=$(date +%s.%N)
if [[ -d $PIDS_DIR ]]; then
  # Serialise with a running up.sh so it does not record a PID after we looked.
  exec 9>"$OS_INFRA_STATE/up.lock"
  flock -w 600 9 || die "up.sh still holds $OS_INFRA_STATE/up.lock"
  stopped=0
  for name in "${ALL_SERVICES[@]}"; do svc_alive "$name" && stopped=$((stopped + 1)); done
  stop_all_services
  log "stopped $stopped service group(s) in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
else
  log "nothing to stop: $PIDS_DIR does not exist"
fi
if ((PURGE)); then
  rm -rf "$OS_INFRA_STATE"
  log "removed $OS_INFRA_STATE"
fi
