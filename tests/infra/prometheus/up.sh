#!/usr/bin/env bash
# Starts a real Prometheus (Debian's `prometheus` package) on 127.0.0.1 for the prometheus APM plugin's
# integration tests. It is our own process with our own config and data: the package's service is never used
# (and never allowed to take port 9090).
#
# Usage: tests/infra/prometheus/up.sh          (stop with tests/infra/prometheus/down.sh)
#
# Environment:
#   PROMETHEUS_PORT        listen port on 127.0.0.1 (default 19090)
#   PROMETHEUS_STATE_DIR   state dir (default /var/tmp/nomad-autoscaler-prometheus; outside git, survives CI steps)
#
# Files in the state dir:
#   prometheus.env   PROMETHEUS_ADDR=http://127.0.0.1:<port>, PROMETHEUS_FILE_SD_DIR=<dir>, PROMETHEUS_STATE_DIR=<dir>
#   file_sd/         scrape targets: tests write <unique>.json (file_sd target groups) here; re-read within ~1 s
#   prometheus.yml   rendered from prometheus.yml.in (1 s scrape interval, scrape path /v1/metrics?format=prometheus)
#   prometheus.pid   "<pid> <starttime>" of the process this script started (down.sh stops only that process)
#   prometheus.log   its output;  data/  its TSDB (kept across restarts; retention 2h)
#
# Idempotent: when the recorded process is alive, serves the current config on the expected port and is ready,
# the script only verifies (well under a second). Otherwise it installs the package if needed, (re)starts
# Prometheus and waits for /-/ready. Ends with "PROMETHEUS UP OK <addr>" or exits non-zero.
set -euo pipefail
set +m

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

PORT="${PROMETHEUS_PORT:-19090}"
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || die "PROMETHEUS_PORT '$PORT' is not a TCP port"
LISTEN="127.0.0.1:$PORT"
ADDR="http://$LISTEN"
FILE_SD_DIR="$STATE/file_sd"
CONFIG="$STATE/prometheus.yml"
ENV_FILE="$STATE/prometheus.env"
LOG_FILE="$STATE/prometheus.log"
DATA="$STATE/data"
T_START=$(date +%s.%N)
elapsed() { awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# curl and Prometheus's own HTTP client honour proxy variables even for loopback.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

mkdir -p "$STATE" "$FILE_SD_DIR" "$DATA"
# Serialise concurrent up.sh / down.sh runs (parallel CI steps, several test projects).
exec 9>"$STATE/up.lock"
flock -w 900 9 || die "another up.sh/down.sh holds $STATE/up.lock"

install_package() {
  command -v prometheus >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "prometheus is not installed and apt-get is not available"
  [[ $(id -u) == 0 ]] || die "prometheus is not installed; run once as root so up.sh can apt-get install it"
  # On a systemd host the package's postinst would enable and start prometheus.service on 0.0.0.0:9090.
  # A runtime mask (gone after reboot) stops that without touching the operator's persistent unit state.
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    if ! systemctl is-enabled prometheus.service >/dev/null 2>&1; then
      log "masking prometheus.service for this boot so the package does not start it on :9090"
      systemctl mask --runtime prometheus.service >/dev/null
    fi
  fi
  log "installing Debian package prometheus (no recommends: node-exporter would start a service too)"
  local apt=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=900 prometheus)
  if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >"$STATE/apt.log" 2>&1; then
    log "apt-get install failed; refreshing package lists and retrying"
    apt-get update -q -o DPkg::Lock::Timeout=900 >>"$STATE/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" >>"$STATE/apt.log" 2>&1 || { tail -n 30 "$STATE/apt.log" >&2; die "apt-get install prometheus failed (log: $STATE/apt.log)"; }
  fi
  command -v prometheus >/dev/null 2>&1 || die "package installed but no prometheus binary on PATH"
}

render_config() { # -> writes $CONFIG.new
  sed -e "s|@FILE_SD_DIR@|$FILE_SD_DIR|g" -e "s|@LISTEN@|$LISTEN|g" "$HERE/prometheus.yml.in" >"$CONFIG.new"
}

ready() { curl -fsS --max-time 2 "$ADDR/-/ready" >/dev/null 2>&1; }

# The process is ours, alive, and listening where we expect: /api/v1/status/flags names our config file.
serving_our_config() {
  local flags
  flags=$(curl -fsS --max-time 2 "$ADDR/api/v1/status/flags" 2>/dev/null) || return 1
  [[ $flags == *"\"config.file\":\"$CONFIG\""* ]]
}

write_env() {
  local tmp="$ENV_FILE.tmp"
  {
    echo "PROMETHEUS_ADDR=$ADDR"
    echo "PROMETHEUS_FILE_SD_DIR=$FILE_SD_DIR"
    echo "PROMETHEUS_STATE_DIR=$STATE"
  } >"$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

install_package
render_config

if pid=$(recorded_pid) && cmp -s "$CONFIG" "$CONFIG.new" && ready && serving_our_config; then
  rm -f "$CONFIG.new"
  write_env
  log "already running (pid $pid) with the current config; verified in $(elapsed) s"
  echo "PROMETHEUS UP OK $ADDR"
  exit 0
fi

# Anything we started before (stale config, other port, not ready) goes first.
stop_recorded

if curl -s --max-time 1 -o /dev/null "$ADDR/" 2>/dev/null; then
  die "something else already listens on $LISTEN; set PROMETHEUS_PORT to a free port"
fi

mv -f "$CONFIG.new" "$CONFIG"
prometheus --version 2>&1 | head -n 1 | sed 's/^/[prometheus-infra] /'
promtool_ok=1
if command -v promtool >/dev/null 2>&1; then
  promtool check config "$CONFIG" >"$STATE/promtool.log" 2>&1 || promtool_ok=0
fi
((promtool_ok)) || { cat "$STATE/promtool.log" >&2; die "rendered config $CONFIG is invalid"; }

log "starting prometheus on $LISTEN (config $CONFIG, data $DATA)"
# setsid: own session and process group, so the test runner's signals do not reach it and down.sh can stop it.
setsid prometheus \
  --config.file="$CONFIG" \
  --storage.tsdb.path="$DATA" \
  --storage.tsdb.retention.time=2h \
  --web.listen-address="$LISTEN" \
  --web.enable-lifecycle \
  --log.level=info \
  </dev/null >>"$LOG_FILE" 2>&1 9>&- &
pid=$!
start=$(proc_starttime "$pid") || { tail -n 30 "$LOG_FILE" >&2; die "prometheus exited at once (log: $LOG_FILE)"; }
echo "$pid $start" >"$PID_FILE"

deadline=$(($(date +%s) + 60))
until ready; do
  if ! proc_alive "$pid" "$start"; then
    tail -n 30 "$LOG_FILE" >&2
    die "prometheus (pid $pid) exited before it was ready (log: $LOG_FILE)"
  fi
  if (($(date +%s) > deadline)); then
    tail -n 30 "$LOG_FILE" >&2
    die "prometheus (pid $pid) not ready on $ADDR/-/ready within 60 s (log: $LOG_FILE)"
  fi
  sleep 0.2
done
serving_our_config || die "the server on $LISTEN is not the one started with $CONFIG"

write_env
log "ready (pid $pid) in $(elapsed) s"
echo "PROMETHEUS UP OK $ADDR"
