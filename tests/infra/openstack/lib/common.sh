# Shared by up.sh and down.sh (sourced, not executed).
# Every service runs in its own session (setsid), so its recorded PID is also the process-group id of all its
# workers. A record is "<pid> <starttime>" (field 22 of /proc/PID/stat) so a recycled PID is never mistaken
# for ours: down.sh must never signal a process it did not start.

OS_INFRA_STATE="${OS_INFRA_STATE_DIR:-/var/tmp/nomad-autoscaler-openstack}"
PIDS_DIR="$OS_INFRA_STATE/run/pids"
PY=/usr/bin/python3

# Start order; down.sh stops in reverse. Octavia is started after the rest and separately, so adding it to a
# running cloud never restarts the core services.
CORE_SERVICES=(epmd rabbitmq mariadb keystone placement glance neutron nova-api nova-conductor nova-scheduler
  nova-compute-az1 nova-compute-az2)
OCTAVIA_SERVICES=(octavia-worker octavia-api)
ALL_SERVICES=("${CORE_SERVICES[@]}" "${OCTAVIA_SERVICES[@]}")

log() { printf '[openstack-infra %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[openstack-infra %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

proc_starttime() { # pid -> starttime, or nothing when the process is gone
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # The command name (field 2) may contain spaces; everything after the last ')' is space separated.
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

svc_pid() { # name -> pid if the recorded process is still the one we started
  local file="$PIDS_DIR/$1" pid start now
  [[ -f $file ]] || return 1
  read -r pid start <"$file" || return 1
  now=$(proc_starttime "$pid") || return 1
  [[ $now == "$start" ]] || return 1
  echo "$pid"
}

svc_alive() { svc_pid "$1" >/dev/null; }

group_has_members() { # pgid
  pgrep -g "$1" >/dev/null 2>&1
}

stop_services() { # names...: TERM their process groups together, wait up to 30 s, then KILL what is left
  local name pid i pending
  local -a pids=()
  for name in "$@"; do
    if pid=$(svc_pid "$name"); then
      kill -TERM -- "-$pid" 2>/dev/null || true
      pids+=("$name:$pid")
    fi
  done
  for ((i = 0; i < 300; i++)); do
    pending=0
    for entry in "${pids[@]}"; do group_has_members "${entry#*:}" && pending=1 && break; done
    ((pending)) || break
    sleep 0.1
  done
  for entry in "${pids[@]}"; do
    if group_has_members "${entry#*:}"; then
      log "${entry%%:*} (pgid ${entry#*:}) ignored SIGTERM for 30 s, sending SIGKILL"
      kill -KILL -- "-${entry#*:}" 2>/dev/null || true
    fi
  done
  for ((i = 0; i < 50; i++)); do
    pending=0
    for entry in "${pids[@]}"; do group_has_members "${entry#*:}" && pending=1 && break; done
    ((pending)) || break
    sleep 0.1
  done
  for name in "$@"; do rm -f "$PIDS_DIR/$name"; done
}

stop_all_services() {
  # OpenStack services first, while the database and the message bus they talk to while exiting still exist.
  stop_services octavia-api octavia-worker
  stop_services nova-compute-az1 nova-compute-az2 nova-scheduler nova-conductor nova-api neutron glance placement keystone
  stop_services rabbitmq mariadb
  stop_services epmd
}
