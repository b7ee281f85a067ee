#!/usr/bin/env bash
# Starts a real OpenStack (Debian 12 / Zed packages) on 127.0.0.1 for the os-nova integration tests:
# Keystone, Glance, Placement, Nova (api, conductor, scheduler, two nova-compute with the fake virt driver,
# hosts compute-az1 / compute-az2 in availability zones az1 / az2), Neutron (ML2, no agents) and Octavia (API +
# worker with the no-op amphora/compute/network drivers: load balancers go ACTIVE, no amphora ever boots), with
# MariaDB and RabbitMQ. Nothing listens on any address but 127.0.0.1. No VM ever runs: the fake driver only
# keeps server state in memory, so servers go ACTIVE in seconds.
#
# Usage: tests/infra/openstack/up.sh [--clean]     (as root; stop with tests/infra/openstack/down.sh)
#   --clean   also delete servers and floating IPs left in the test project by earlier runs, members left in the
#             bootstrap pool, and reset its quotas
#
# State dir: $OS_INFRA_STATE_DIR, default /var/tmp/nomad-autoscaler-openstack (outside git, survives CI steps).
# Files the tests use (all in the state dir):
#   openrc          member user autoscaler-member of project autoscaler in domain pco (password auth):
#                   OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_USER_DOMAIN_NAME, OS_PROJECT_NAME, OS_PROJECT_ID,
#                   OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, OS_INTERFACE, OS_IDENTITY_API_VERSION
#   appcred-openrc  same user's application credential: OS_APPLICATION_CREDENTIAL_ID / _SECRET (+ URL, region)
#   admin-openrc    cloud admin (project admin, domain Default), e.g. to lower quotas in tests
#   clouds.yaml     clouds pco-member, pco-admin, pco-appcred (JSON syntax, which is valid YAML)
#   ids.env         no secrets: OS_TEST_PROJECT_ID, OS_TEST_IMAGE_ID/_NAME, OS_TEST_NETWORK_ID/_NAME,
#                   OS_TEST_SUBNET_ID, OS_TEST_FLAVOR_NAME (2C-2GB-20GB)/_ID, OS_TEST_AVAILABILITY_ZONES (az1,az2),
#                   OS_TEST_EXTERNAL_NETWORK_NAME/_ID (for floating IPs), OS_TEST_SECURITY_GROUP, OS_TEST_DOMAIN_NAME,
#                   and from lib/octavia.py: OS_TEST_LB_URL, OS_TEST_LB_ID, OS_TEST_LB_LISTENER_ID, OS_TEST_LB_POOL_ID,
#                   OS_TEST_LB_SUBNET_ID (load balancer autoscaler-lb, HTTP listener :80, pool on autoscaler-subnet)
#   log/            one log per service;  run/pids/  "<pid> <starttime>" of every process group up.sh started
# Internal files: secrets.env, appcred.json, bootstrap.done / cloud.done / octavia.done (fingerprints), etc/
# (rendered templates; etc/octavia/ca.pem + ca.key: throw-away CA the amphora flows sign with), bin/ (launchers),
# data/, paste/, run/.
# Endpoints: keystone http://127.0.0.1:5000/v3, nova :8774/v2.1, glance :9292, placement :8778, neutron :9696,
# octavia (load-balancer) :9876.
#
# Modes: all services alive + bootstrap current -> only verify (seconds); bootstrap current but services
# down -> restart them on the kept data; otherwise (first run, or templates / BOOTSTRAP_VERSION / package versions changed)
# -> wipe data and bootstrap from scratch. Octavia has its own fingerprint (its templates and package plus the
# core one) and is added to, or rebuilt on, a running cloud without stopping the core services.
# Every run ends with a verification (token, app credential, catalog, one server booted in az1 and one in az2
# until ACTIVE, then deleted; one member added to the bootstrap pool until ACTIVE, then removed) and
# "OPENSTACK UP OK", or exits non-zero.
set -euo pipefail
set +m

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$HERE/lib/common.sh"
STATE="$OS_INFRA_STATE"
# Bump when the bootstrap steps in this file change in a way that needs fresh data.
BOOTSTRAP_VERSION=1
OCTAVIA_PACKAGES=(python3-octavia openssl)
PACKAGES=(python3-keystone python3-glance python3-placement python3-nova python3-neutron rabbitmq-server
  mariadb-server uwsgi-core uwsgi-plugin-python3 sqlite3 curl procps util-linux)
COMPUTE_HOSTS=(compute-az1 compute-az2)
CLEAN=0
for arg in "$@"; do
  case "$arg" in
    --clean) CLEAN=1 ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) die "unknown argument '$arg' (expected --clean)" ;;
  esac
done

[[ $(id -u) == 0 ]] || die "run as root (installs packages, runs MariaDB/RabbitMQ as root)"
# Keystoneauth/requests honour proxy variables even for 127.0.0.1.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export OS_INFRA_STATE_DIR="$STATE"

STARTED=()
ETC="$STATE/etc" LOG="$STATE/log" RUN="$STATE/run" DATA="$STATE/data" BIN="$STATE/bin"
mkdir -p "$STATE" "$LOG" "$PIDS_DIR"
chmod 700 "$STATE"

T_START=$(date +%s.%N)
T_PHASE=$T_START
PHASE_NAME=""
TIMINGS=()
elapsed() { awk -v a="$1" -v b="${2:-$(date +%s.%N)}" 'BEGIN { printf "%.1f", b - a }'; }
phase() { # name: closes the previous phase and prints its duration
  local now
  now=$(date +%s.%N)
  if [[ -n $PHASE_NAME ]]; then
    TIMINGS+=("$(printf '  %-18s %6s s' "$PHASE_NAME" "$(elapsed "$T_PHASE" "$now")")")
    log "phase '$PHASE_NAME' took $(elapsed "$T_PHASE" "$now") s"
  fi
  PHASE_NAME=$1
  T_PHASE=$now
  [[ -n $1 ]] && log "phase '$1' ..."
  return 0
}

tail_log() { # file: last lines of a log, to explain a failure
  [[ -f $1 ]] && { echo "---- last lines of $1:" >&2; tail -n 25 "$1" >&2; echo "----" >&2; }
  return 0
}

# Only one up.sh at a time; fd 9 is closed for the daemons so they never inherit the lock.
exec 9>"$STATE/up.lock"
flock -w 1800 9 || die "another up.sh holds $STATE/up.lock"

# ------------------------------------------------------------------------------------------------ packages
phase packages
missing=()
for p in "${PACKAGES[@]}" "${OCTAVIA_PACKAGES[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${#missing[@]} missing package(s): ${missing[*]}"
  # No daemon may be started by apt; we run our own instances on our own data.
  created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -o DPkg::Lock::Timeout=900 >"$LOG/apt-update.log" 2>&1 || { tail_log "$LOG/apt-update.log"; die "apt-get update failed"; }
  if ! apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=900 "${missing[@]}" >"$LOG/apt-install.log" 2>&1; then
    tail_log "$LOG/apt-install.log"
    ((created_policy)) && rm -f /usr/sbin/policy-rc.d
    die "apt-get install failed (see $LOG/apt-install.log)"
  fi
  ((created_policy)) && rm -f /usr/sbin/policy-rc.d
fi

# Upstream paste pipelines ship only in the *-common packages, whose postinst scripts we avoid.
if [[ ! -s $STATE/paste/nova-api-paste.ini || ! -s $STATE/paste/neutron-api-paste.ini || ! -s $STATE/paste/glance-api-paste.ini ]]; then
  tmp=$(mktemp -d)
  download_paste_debs() { (cd "$tmp" && apt-get download nova-common neutron-common glance-common >>"$LOG/apt-download.log" 2>&1); }
  # Stale or missing package lists are the usual reason for a failed download.
  download_paste_debs || { apt-get update -o DPkg::Lock::Timeout=900 >>"$LOG/apt-download.log" 2>&1 && download_paste_debs; } ||
    { tail_log "$LOG/apt-download.log"; rm -rf "$tmp"; die "apt-get download of the *-common packages (paste files) failed"; }
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
  mkdir -p "$STATE/paste"
  cp "$tmp/x/usr/share/nova-common/api-paste.ini" "$STATE/paste/nova-api-paste.ini"
  cp "$tmp/x/usr/share/neutron-common/api-paste.ini" "$STATE/paste/neutron-api-paste.ini"
  cp "$tmp/x/usr/share/glance-common/glance-api-paste.ini" "$STATE/paste/glance-api-paste.ini"
  rm -rf "$tmp"
fi

# ------------------------------------------------------------------------------------------------ helpers
render() { # template output [KEY=VALUE...]: ${VAR} substitution; a missing variable is an error
  local template=$1 out=$2
  shift 2
  env "$@" STATE="$STATE" SERVICE_PASSWORD="$OS_INFRA_SERVICE_PASSWORD" DB_PASSWORD="$OS_INFRA_DB_PASSWORD" \
    "$PY" -c 'import os, string, sys
text = open(sys.argv[1]).read()
try:
    rendered = string.Template(text).substitute(os.environ)
except KeyError as err:
    sys.exit(f"{sys.argv[1]}: no value for ${{{err.args[0]}}}")
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, rendered.encode())' "$HERE/templates/$template" "$out"
}

# Launchers: Debian's python3-* library packages ship no /usr/bin scripts.
launcher() { # name module
  printf '#!/usr/bin/python3\nimport sys\nfrom %s import main\nsys.exit(main())\n' "$2" >"$BIN/$1"
  chmod 755 "$BIN/$1"
}

start_svc() { # name command...: own session, so the PID is also the process-group id of all its workers
  local name=$1 pid start
  shift
  setsid "$@" >>"$LOG/$name.out" 2>&1 </dev/null 9>&- &
  pid=$!
  start=$(proc_starttime "$pid") || { tail_log "$LOG/$name.out"; die "$name exited immediately"; }
  echo "$pid $start" >"$PIDS_DIR/$name"
  STARTED+=("$name")
}

check_started_alive() { # context: every service this run started must still be running
  local s
  for s in "${STARTED[@]}"; do
    if ! svc_alive "$s"; then
      tail_log "$LOG/$s.out"
      tail_log "$LOG/$s.log"
      die "$s died $1"
    fi
  done
}

wait_until() { # description timeout-seconds service-to-watch command...: poll a condition, fail fast if the service died
  local what=$1 timeout=$2 svc=$3 deadline
  shift 3
  deadline=$(($(date +%s) + timeout))
  until "$@" >/dev/null 2>&1; do
    check_started_alive "while waiting for $what"
    (($(date +%s) < deadline)) || { [[ -n $svc ]] && tail_log "$LOG/$svc.log"; die "timed out after ${timeout}s waiting for $what"; }
    sleep 0.5
  done
}

http_answers() { # url [expected codes regex]: any HTTP answer (also 401) counts unless a regex is given
  local code
  code=$(curl --noproxy '*' -s -o /dev/null -m 5 -w '%{http_code}' "$1") || true
  [[ $code != 000 && $code =~ ${2:-.} ]]
}

port_listens() { ss -Hltn "sport = :$1" | grep -q .; }

MYSQL=(mariadb --defaults-file="$ETC/mysql/my.cnf")

# ------------------------------------------------------------------------------------------------ octavia
# Octavia (API + worker, no-op amphora/compute/network drivers) has its own fingerprint and is (re)started on
# its own, after the core services: adding it to or changing it on a running cloud never stops Keystone, Nova
# or Neutron, which other test runs may be using. Its data is rebuilt whenever the core data is.
octavia_fingerprint() {
  { cat "$STATE/bootstrap.done"; cat "$HERE"/templates/octavia*; dpkg-query -W "${OCTAVIA_PACKAGES[@]}"; } |
    sha256sum | cut -d' ' -f1
}

octavia_up() {
  local fp
  fp=$(octavia_fingerprint)
  phase octavia
  if [[ -f $STATE/octavia.done && $(cat "$STATE/octavia.done") == "$fp" ]] && svc_alive octavia-api && svc_alive octavia-worker; then
    "$PY" "$HERE/lib/octavia.py" setup || die "octavia setup failed on the running cloud (logs: $LOG/octavia-*)"
    return 0
  fi
  stop_services "${OCTAVIA_SERVICES[@]}"
  ! port_listens 9876 || die "TCP port 9876 is already in use by a process up.sh did not start: $(ss -Hltnp 'sport = :9876' | head -1)"
  mkdir -p "$ETC/octavia" "$RUN/lock/octavia" "$BIN"
  if ! grep -q '^OS_INFRA_OCTAVIA_CERT_PASSPHRASE=' "$STATE/secrets.env"; then
    # Octavia wants exactly 32 URL-safe base64 characters.
    (umask 077 && echo "OS_INFRA_OCTAVIA_CERT_PASSPHRASE=$(head -c 64 /dev/urandom | base64 -w0 | tr -d '/+=' | head -c 32)" >>"$STATE/secrets.env")
    load_secrets
  fi
  render octavia.conf "$ETC/octavia/octavia.conf" CERT_PASSPHRASE="$OS_INFRA_OCTAVIA_CERT_PASSPHRASE"
  render octavia-uwsgi.ini "$ETC/octavia/uwsgi.ini"
  launcher octavia-db-manage octavia.db.migration.cli
  launcher octavia-worker octavia.cmd.octavia_worker
  printf 'from octavia.api.app import setup_app
application = setup_app(argv=["octavia-api", "--config-file", "%s", "--log-file", "%s"])
' \
    "$ETC/octavia/octavia.conf" "$LOG/octavia-api.log" >"$BIN/octavia-wsgi.py"
  if [[ ! -f $STATE/octavia.done || $(cat "$STATE/octavia.done") != "$fp" ]]; then
    rm -f "$STATE/octavia.done"
    # The amphora flows sign a (never used) amphora certificate even with the no-op drivers.
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=nomad-autoscaler test octavia CA' \
      -keyout "$ETC/octavia/ca.key" -out "$ETC/octavia/ca.pem" >"$LOG/octavia-ca.log" 2>&1 ||
      { tail_log "$LOG/octavia-ca.log"; die "openssl could not create the octavia CA"; }
    "${MYSQL[@]}" -e 'DROP DATABASE IF EXISTS octavia; CREATE DATABASE octavia'
    "$BIN/octavia-db-manage" --config-file "$ETC/octavia/octavia.conf" upgrade head >"$LOG/schema-octavia.log" 2>&1 ||
      { tail_log "$LOG/schema-octavia.log"; die "octavia-db-manage upgrade head failed"; }
  fi
  local since
  since=$(date +%s)
  start_svc octavia-worker "$BIN/octavia-worker" --config-file "$ETC/octavia/octavia.conf" --log-file "$LOG/octavia-worker.log"
  start_svc octavia-api uwsgi --ini "$ETC/octavia/uwsgi.ini"
  wait_until "octavia-api on :9876" 180 octavia-api http_answers http://127.0.0.1:9876/ '^200$'
  wait_until "octavia-worker to consume its queue" 180 octavia-worker "$PY" "$HERE/lib/octavia.py" worker-consuming
  "$PY" "$HERE/lib/octavia.py" setup || { check_started_alive "(found after 'octavia.py setup' failed)"; die "octavia setup failed (logs: $LOG/octavia-*)"; }
  echo "$fp" >"$STATE/octavia.done"
  log "octavia up in $(elapsed "$T_PHASE") s"
}

# ------------------------------------------------------------------------------------------------ mode
# Data is rebuilt from scratch when the configs, the bootstrap steps or the packages change. The REST part
# (osctl.py) is idempotent, so a change there only re-runs the cheap cloud-setup step.
fingerprint=$( {
  echo "bootstrap=$BOOTSTRAP_VERSION"
  # Octavia's templates and packages have their own fingerprint (octavia_fingerprint).
  for t in "$HERE"/templates/*; do [[ ${t##*/} == octavia* ]] || cat "$t"; done
  dpkg-query -W "${PACKAGES[@]}"
} | sha256sum | cut -d' ' -f1)
cloud_fingerprint=$(sha256sum <"$HERE/lib/osctl.py" | cut -d' ' -f1)

all_alive() {
  local s
  for s in "${CORE_SERVICES[@]}"; do svc_alive "$s" || return 1; done
}
bootstrap_current() { [[ -f $STATE/bootstrap.done && $(cat "$STATE/bootstrap.done") == "$fingerprint" ]]; }

run_osctl() { # on failure, name any service that died: that is usually the real cause
  "$PY" "$HERE/lib/osctl.py" "$@" && return 0
  [[ ${#STARTED[@]} -gt 0 ]] && check_started_alive "(found after 'osctl.py $1' failed)"
  return 1
}

load_secrets() {
  set -a
  # shellcheck disable=SC1091
  source "$STATE/secrets.env"
  set +a
}

if bootstrap_current && all_alive; then
  load_secrets
  if [[ ! -f $STATE/cloud.done || $(cat "$STATE/cloud.done") != "$cloud_fingerprint" ]]; then
    phase "cloud objects"
    run_osctl cloud-setup || die "cloud setup failed"
    echo "$cloud_fingerprint" >"$STATE/cloud.done"
  fi
  octavia_up
  phase verify
  if ((CLEAN)); then
    run_osctl cleanup || die "cleanup of leftover servers failed"
    "$PY" "$HERE/lib/octavia.py" cleanup || die "cleanup of leftover load balancer members failed"
  fi
  run_osctl verify || die "verification failed on the running cloud (logs: $LOG); try down.sh then up.sh"
  "$PY" "$HERE/lib/octavia.py" verify || die "octavia verification failed on the running cloud (logs: $LOG/octavia-*)"
  all_alive && svc_alive octavia-api && svc_alive octavia-worker ||
    die "a service died during verification (logs: $LOG); try down.sh then up.sh"
  phase ""
  printf '%s\n' "${TIMINGS[@]}"
  log "OPENSTACK UP OK (already running; $(elapsed "$T_START") s). source $STATE/openrc; ids in $STATE/ids.env"
  exit 0
fi

if bootstrap_current; then
  MODE=restart
else
  MODE=cold
fi
log "mode: $MODE"
phase prepare
stop_all_services

for port in 3306 4369 5000 5672 8774 8778 9292 9696 25672; do
  if ss -Hltn "sport = :$port" | grep -q .; then
    die "TCP port $port is already in use by a process up.sh did not start: $(ss -Hltnp "sport = :$port" | head -1)"
  fi
done

if [[ $MODE == cold ]]; then
  rm -rf "$DATA" "$ETC" "$BIN" "$RUN/lock" "$STATE/bootstrap.done" "$STATE/cloud.done" "$STATE/octavia.done" "$STATE/secrets.env" "$STATE/appcred.json" \
    "$STATE"/openrc "$STATE"/admin-openrc "$STATE"/appcred-openrc "$STATE"/clouds.yaml "$STATE"/ids.env
  find "$LOG" -type f ! -name 'apt-*' -delete
  gen() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }
  umask 077
  cat >"$STATE/secrets.env" <<EOF
OS_INFRA_ADMIN_PASSWORD=$(gen)
OS_INFRA_MEMBER_PASSWORD=$(gen)
OS_INFRA_SERVICE_PASSWORD=$(gen)
OS_INFRA_DB_PASSWORD=$(gen)
EOF
  umask 022
fi
load_secrets

# ------------------------------------------------------------------------------------------------ configs
phase configs
mkdir -p "$ETC"/{keystone,placement,glance,nova,neutron,mysql} "$BIN" "$RUN"/lock/{glance,nova,neutron} \
  "$DATA"/{glance-images,nova,neutron}
for h in "${COMPUTE_HOSTS[@]}"; do mkdir -p "$RUN/lock/nova-$h" "$DATA/nova-$h/instances"; done

render keystone.conf "$ETC/keystone/keystone.conf"
render keystone-uwsgi.ini "$ETC/keystone/uwsgi.ini"
render placement.conf "$ETC/placement/placement.conf"
render placement-uwsgi.ini "$ETC/placement/uwsgi.ini"
render glance-api.conf "$ETC/glance/glance-api.conf"
render nova.conf "$ETC/nova/nova.conf"
render nova-db.conf "$ETC/nova/nova-db.conf"
for h in "${COMPUTE_HOSTS[@]}"; do render nova-compute-host.conf "$ETC/nova/nova-compute-$h.conf" COMPUTE_HOST="$h"; done
render neutron.conf "$ETC/neutron/neutron.conf"
render ml2_conf.ini "$ETC/neutron/ml2_conf.ini"
render my.cnf "$ETC/mysql/my.cnf"

launcher keystone-manage keystone.cmd.manage
launcher glance-manage glance.cmd.manage
launcher glance-api glance.cmd.api
launcher placement-manage placement.cmd.manage
launcher nova-manage nova.cmd.manage
launcher nova-api nova.cmd.api
launcher nova-conductor nova.cmd.conductor
launcher nova-scheduler nova.cmd.scheduler
launcher nova-compute nova.cmd.compute
launcher neutron-db-manage neutron.db.migration.cli
launcher neutron-server neutron.cmd.eventlet.server
printf 'from keystone.server.wsgi import initialize_public_application\napplication = initialize_public_application()\n' >"$BIN/keystone-wsgi.py"
printf 'from placement.wsgi import init_application\napplication = init_application()\n' >"$BIN/placement-wsgi.py"

NOVA_DB_ARGS=(--config-file "$ETC/nova/nova.conf" --config-file "$ETC/nova/nova-db.conf")
NEUTRON_ARGS=(--config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/ml2_conf.ini")

# ------------------------------------------------------------------------------------------------ rabbitmq + mariadb
phase "rabbitmq+mariadb"
start_rabbit() {
  # A fresh mnesia dir on every start: queues are transient anyway, and the node name never changes.
  rm -rf "$RUN/rabbitmq"
  mkdir -p "$RUN/rabbitmq/mnesia" "$RUN/rabbitmq/home" "$LOG/rabbitmq"
  echo '[].' >"$RUN/rabbitmq/enabled_plugins"
  : >"$RUN/rabbitmq/rabbitmq-env.conf"
  start_svc epmd epmd -address 127.0.0.1 -port 4369
  wait_until "epmd on 127.0.0.1:4369" 20 epmd port_listens 4369
  start_svc rabbitmq env HOME="$RUN/rabbitmq/home" RABBITMQ_NODENAME=rabbit@localhost \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=4369 RABBITMQ_MNESIA_BASE="$RUN/rabbitmq/mnesia" \
    RABBITMQ_LOG_BASE="$LOG/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$RUN/rabbitmq/enabled_plugins" \
    RABBITMQ_CONF_ENV_FILE="$RUN/rabbitmq/rabbitmq-env.conf" RABBITMQ_CONFIG_FILE="$RUN/rabbitmq/rabbitmq" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$RUN/rabbitmq/advanced.config" \
    RABBITMQ_PID_FILE="$RUN/rabbitmq/rabbit.pid" \
    /usr/lib/rabbitmq/bin/rabbitmq-server
}
start_rabbit

if [[ ! -d $DATA/mysql/mysql ]]; then
  rm -rf "$DATA/mysql"
  mariadb-install-db --defaults-file="$ETC/mysql/my.cnf" --auth-root-authentication-method=socket \
    --skip-test-db >"$LOG/mariadb-install.log" 2>&1 || { tail_log "$LOG/mariadb-install.log"; die "mariadb-install-db failed"; }
fi
start_svc mariadb mariadbd --defaults-file="$ETC/mysql/my.cnf"
wait_until "MariaDB socket" 60 mariadb "${MYSQL[@]}" -e 'SELECT 1'

if [[ $MODE == cold ]]; then
  "${MYSQL[@]}" <<EOF
CREATE DATABASE IF NOT EXISTS nova_api; CREATE DATABASE IF NOT EXISTS nova; CREATE DATABASE IF NOT EXISTS nova_cell0;
CREATE DATABASE IF NOT EXISTS neutron;
CREATE USER IF NOT EXISTS 'openstack'@'127.0.0.1' IDENTIFIED BY '$OS_INFRA_DB_PASSWORD';
ALTER USER 'openstack'@'127.0.0.1' IDENTIFIED BY '$OS_INFRA_DB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'127.0.0.1';
FLUSH PRIVILEGES;
EOF
fi

start_keystone() { start_svc keystone env OS_KEYSTONE_CONFIG_DIR="$ETC/keystone" uwsgi --ini "$ETC/keystone/uwsgi.ini"; }
start_placement() { start_svc placement env OS_PLACEMENT_CONFIG_DIR="$ETC/placement" uwsgi --ini "$ETC/placement/uwsgi.ini"; }
start_glance() { start_svc glance "$BIN/glance-api" --config-file "$ETC/glance/glance-api.conf"; }
start_neutron() { start_svc neutron "$BIN/neutron-server" "${NEUTRON_ARGS[@]}" --log-file "$LOG/neutron.log"; }
start_nova_api() { start_svc nova-api "$BIN/nova-api" "${NOVA_DB_ARGS[@]}" --log-file "$LOG/nova-api.log"; }
start_conductor() { start_svc nova-conductor "$BIN/nova-conductor" "${NOVA_DB_ARGS[@]}" --log-file "$LOG/nova-conductor.log"; }
start_scheduler() { start_svc nova-scheduler "$BIN/nova-scheduler" "${NOVA_DB_ARGS[@]}" --log-file "$LOG/nova-scheduler.log"; }
start_computes() {
  local h
  for h in "${COMPUTE_HOSTS[@]}"; do
    start_svc "nova-$h" "$BIN/nova-compute" --config-file "$ETC/nova/nova.conf" \
      --config-file "$ETC/nova/nova-compute-$h.conf" --log-file "$LOG/nova-$h.log"
  done
}
wait_apis() {
  wait_until "keystone on :5000" 180 keystone http_answers http://127.0.0.1:5000/v3 '^200$'
  wait_until "placement on :8778" 180 placement http_answers http://127.0.0.1:8778/
  wait_until "glance on :9292" 180 glance http_answers http://127.0.0.1:9292/
  wait_until "neutron on :9696" 180 neutron http_answers http://127.0.0.1:9696/
  wait_until "nova-api on :8774" 180 nova-api http_answers http://127.0.0.1:8774/
}

if [[ $MODE == cold ]]; then
  # ---------------------------------------------------------------------------------------------- schemas
  phase schemas
  schema_keystone() {
    "$BIN/keystone-manage" --config-file "$ETC/keystone/keystone.conf" db_sync &&
      "$PY" -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode=WAL')" "$DATA/keystone.sqlite" &&
      "$BIN/keystone-manage" --config-file "$ETC/keystone/keystone.conf" fernet_setup --keystone-user root --keystone-group root &&
      "$BIN/keystone-manage" --config-file "$ETC/keystone/keystone.conf" credential_setup --keystone-user root --keystone-group root &&
      OS_BOOTSTRAP_PASSWORD="$OS_INFRA_ADMIN_PASSWORD" "$BIN/keystone-manage" --config-file "$ETC/keystone/keystone.conf" \
        bootstrap --bootstrap-region-id RegionOne --bootstrap-admin-url http://127.0.0.1:5000/v3 \
        --bootstrap-internal-url http://127.0.0.1:5000/v3 --bootstrap-public-url http://127.0.0.1:5000/v3
  }
  schema_glance() {
    "$BIN/glance-manage" --config-file "$ETC/glance/glance-api.conf" db_sync &&
      "$PY" -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode=WAL')" "$DATA/glance.sqlite"
  }
  schema_placement() {
    "$BIN/placement-manage" --config-file "$ETC/placement/placement.conf" db sync &&
      "$PY" -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode=WAL')" "$DATA/placement.sqlite"
  }
  schema_neutron() {
    # neutron-db-manage upgrade runs ~200 migrations; creating the head schema and stamping it is what
    # neutron's own functional tests do and takes seconds.
    "$PY" -c "import sys, sqlalchemy
from neutron.db.migration.models import head
head.get_metadata().create_all(sqlalchemy.create_engine(sys.argv[1]))" \
      "mysql+pymysql://openstack:$OS_INFRA_DB_PASSWORD@127.0.0.1:3306/neutron?charset=utf8" &&
      "$BIN/neutron-db-manage" "${NEUTRON_ARGS[@]}" stamp heads || return 1
    # No L2 agent runs, and no in-tree mechanism driver binds a port without one: one fake OVS agent row per
    # compute host, heartbeat far in the future so the liveness check always passes.
    local h conf='{"bridge_mappings": {"physnet1": "br-physnet1", "extnet": "br-ex"}, "integration_bridge": "br-int", "datapath_type": "system", "ovs_hybrid_plug": false, "tunnel_types": [], "tunneling_ip": null, "l2_population": false, "enable_distributed_routing": false, "devices": 0, "ovs_capabilities": {"datapath_types": ["system"], "iface_types": []}, "extensions": []}'
    for h in "${COMPUTE_HOSTS[@]}"; do
      "${MYSQL[@]}" neutron -e "INSERT INTO agents (id, agent_type, \`binary\`, topic, host, admin_state_up,
        created_at, started_at, heartbeat_timestamp, description, configurations, \`load\`, resources_synced)
        VALUES (UUID(), 'Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A', '$h', 1, UTC_TIMESTAMP(),
        UTC_TIMESTAMP(), '2099-01-01 00:00:00', 'placeholder written by up.sh; no agent process runs', '$conf', 0, 1)" || return 1
    done
  }
  schema_nova() {
    "$BIN/nova-manage" "${NOVA_DB_ARGS[@]}" api_db sync &&
      "$BIN/nova-manage" "${NOVA_DB_ARGS[@]}" cell_v2 map_cell0 --database_connection \
        "mysql+pymysql://openstack:$OS_INFRA_DB_PASSWORD@127.0.0.1:3306/nova_cell0?charset=utf8" &&
      "$BIN/nova-manage" "${NOVA_DB_ARGS[@]}" cell_v2 create_cell --name cell1 &&
      "$BIN/nova-manage" "${NOVA_DB_ARGS[@]}" db sync
  }
  declare -A schema_pids=()
  for s in keystone glance placement neutron nova; do
    "schema_$s" >"$LOG/schema-$s.log" 2>&1 9>&- &
    schema_pids[$s]=$!
  done
  failed=()
  for s in "${!schema_pids[@]}"; do
    wait "${schema_pids[$s]}" || failed+=("$s")
  done
  for s in "${failed[@]}"; do tail_log "$LOG/schema-$s.log"; done
  ((${#failed[@]} == 0)) || die "schema setup failed for: ${failed[*]} (logs: $LOG/schema-*.log)"

  # ---------------------------------------------------------------------------------------------- control plane
  phase "control plane"
  start_keystone
  start_placement
  start_glance
  start_neutron
  start_nova_api
  wait_until "keystone on :5000" 180 keystone http_answers http://127.0.0.1:5000/v3 '^200$'
  phase "identity"
  run_osctl identity-setup || die "identity setup failed"
  wait_apis
  # The scheduler exits at start with EndpointNotFound unless the catalog already has placement.
  phase "nova services"
  start_conductor
  start_scheduler
  wait_until "rabbitmq on :5672" 120 rabbitmq port_listens 5672
  # A compute whose first ping precedes the conductor's queue loses it and waits out a 10 s RPC timeout.
  wait_until "nova-conductor to start consuming" 180 nova-conductor grep -q 'Starting conductor node' "$LOG/nova-conductor.log"
  compute_since=$(date +%s)
  start_computes
  run_osctl wait-computes "$compute_since" 240 || die "compute services did not come up (logs: $LOG/nova-compute-az*.log)"
  "$BIN/nova-manage" "${NOVA_DB_ARGS[@]}" cell_v2 discover_hosts >"$LOG/discover-hosts.log" 2>&1 ||
    { tail_log "$LOG/discover-hosts.log"; die "nova-manage cell_v2 discover_hosts failed"; }
  run_osctl wait-providers 120 || die "resource providers missing"
else
  # ---------------------------------------------------------------------------------------------- restart on kept data
  phase "services"
  # Logs of the previous run are kept one generation back; readiness checks below grep the fresh ones.
  rm -rf "$LOG/previous"
  mkdir -p "$LOG/previous"
  find "$LOG" -maxdepth 1 -type f \( -name '*.log' -o -name '*.out' \) ! -name 'mariadb*' ! -name 'rabbitmq*' \
    ! -name 'epmd*' -exec mv -t "$LOG/previous" {} +
  # A quick restart can leave last_seen_up fresh enough for /os-services to say "up" while the scheduler
  # already considers the host dead; age it so waiting for "up" really waits for the new process.
  "${MYSQL[@]}" nova -e "UPDATE services SET last_seen_up='2000-01-01 00:00:00', updated_at='2000-01-01 00:00:00' WHERE \`binary\`='nova-compute'"
  compute_since=$(date +%s)
  start_keystone
  start_placement
  start_glance
  start_neutron
  start_nova_api
  start_conductor
  # nova-scheduler exits at start when keystone or placement do not answer yet.
  wait_until "keystone on :5000" 180 keystone http_answers http://127.0.0.1:5000/v3 '^200$'
  wait_until "placement on :8778" 180 placement http_answers http://127.0.0.1:8778/ '^200$'
  start_scheduler
  wait_until "rabbitmq on :5672" 120 rabbitmq port_listens 5672
  wait_until "nova-conductor to start consuming" 180 nova-conductor grep -q 'Starting conductor node' "$LOG/nova-conductor.log"
  start_computes
  wait_apis
  run_osctl wait-computes "$compute_since" 240 || die "compute services did not come up (logs: $LOG/nova-compute-az*.log)"
  run_osctl wait-providers 120 || die "resource providers missing"
  # The fake driver lost its in-memory servers with the old processes: whatever the DB still lists is a zombie.
  CLEAN=1
fi

# ------------------------------------------------------------------------------------------------ cloud objects
phase "cloud objects"
run_osctl cloud-setup || die "cloud setup failed"
if ((CLEAN)); then run_osctl cleanup || die "cleanup of leftover servers failed"; fi
echo "$fingerprint" >"$STATE/bootstrap.done"
echo "$cloud_fingerprint" >"$STATE/cloud.done"
octavia_up
if ((CLEAN)); then "$PY" "$HERE/lib/octavia.py" cleanup || die "cleanup of leftover load balancer members failed"; fi

phase verify
check_started_alive "during start-up"
run_osctl verify || die "verification failed (logs: $LOG)"
"$PY" "$HERE/lib/octavia.py" verify || die "octavia verification failed (logs: $LOG/octavia-*)"
check_started_alive "during verification"
phase ""
printf '%s\n' "${TIMINGS[@]}"
log "OPENSTACK UP OK ($MODE start, $(elapsed "$T_START") s). source $STATE/openrc; ids in $STATE/ids.env"
