# Shared by up.sh and down.sh. The PID record is "<pid> <starttime>" (field 22 of /proc/PID/stat) so a recycled
# PID is never mistaken for ours: down.sh must never signal a process it did not start.

STATE="${PROMETHEUS_STATE_DIR:-/var/tmp/nomad-autoscaler-prometheus}"
PID_FILE="$STATE/prometheus.pid"

log() { printf '[prometheus-infra %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[prometheus-infra %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

proc_starttime() { # pid -> starttime, or failure when the process is gone
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # The command name (field 2) may contain spaces; everything after the last ')' is space separated.
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

proc_alive() { # pid starttime
  local now
  now=$(proc_starttime "$1") || return 1
  [[ $now == "$2" ]]
}

recorded_pid() { # -> pid of the process we started, if it is still that process
  local pid start
  [[ -f $PID_FILE ]] || return 1
  read -r pid start <"$PID_FILE" || return 1
  [[ -n ${pid:-} && -n ${start:-} ]] || return 1
  proc_alive "$pid" "$start" || return 1
  echo "$pid"
}

stop_recorded() { # TERM the recorded process, wait up to 20 s, then KILL; removes the record
  local pid start i
  if [[ -f $PID_FILE ]] && read -r pid start <"$PID_FILE" && [[ -n ${pid:-} ]] && proc_alive "$pid" "$start"; then
    log "stopping prometheus (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      proc_alive "$pid" "$start" || break
      sleep 0.2
    done
    if proc_alive "$pid" "$start"; then
      log "prometheus (pid $pid) ignored TERM for 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PID_FILE"
}
