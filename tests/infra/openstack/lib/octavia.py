#!/usr/bin/python3
"""Octavia side of tests/infra/openstack/up.sh: Keystone registration, the bootstrap load balancer with one
listener and one pool, cleanup of leftover members, and verification.

Kept apart from osctl.py (whose hash decides when the cheap cloud-setup re-runs) so that adding Octavia to a
running cloud touches nothing of Nova, Neutron or Keystone's existing objects. Uses osctl's HTTP helpers.
"""

import os
import sys
import time

import osctl
from osctl import ApiError, KEYSTONE, REGION, call, find_one, get_or_create, grant, wait_for

OCTAVIA = "http://127.0.0.1:9876"
LBAAS = f"{OCTAVIA}/v2/lbaas"
LB_NAME = "autoscaler-lb"
LISTENER_NAME = "autoscaler-listener"
POOL_NAME = "autoscaler-pool"
# Octavia's default (legacy) policy: writes need load-balancer_member, reads load-balancer_observer or member.
MEMBER_ROLES = ("load-balancer_member", "load-balancer_observer")
# Verification member address: the no-op network driver never looks it up in Neutron, and the member is
# deleted again before verify returns.
VERIFY_ADDRESS = "192.0.2.254"
# No-op drivers finish a flow in well under a second; the bound only matters on a saturated machine.
STATUS_TIMEOUT = 120


def read_ids(state):
    ids = {}
    with open(os.path.join(state, "ids.env")) as f:
        for line in f:
            if line.startswith("export "):
                key, _, value = line[len("export "):].strip().partition("=")
                ids[key] = value.strip("'")
    return ids


def write_ids(state, values):
    """Replaces the OS_TEST_LB_* lines of ids.env (written by osctl.py cloud-setup) atomically."""
    path = os.path.join(state, "ids.env")
    with open(path) as f:
        kept = [line for line in f if not line.startswith("export OS_TEST_LB_")]
    kept += [f"export {k}={osctl.sh_quote(v)}\n" for k, v in values.items()]
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(kept)
    os.replace(tmp, path)


def identity_setup(admin):
    roles = {r["name"]: r["id"] for r in call("GET", f"{KEYSTONE}/roles", admin)[2]["roles"]}
    for name in MEMBER_ROLES:
        if name not in roles:
            roles[name] = get_or_create(admin, "roles", "role", name, {"name": name})["id"]
    service_project = get_or_create(admin, "projects", "project", "service",
                                    {"name": "service", "domain_id": "default"}, "&domain_id=default")
    user = get_or_create(admin, "users", "user", "octavia", {"name": "octavia", "domain_id": "default",
                                                            "password": osctl.env("OS_INFRA_SERVICE_PASSWORD")},
                         "&domain_id=default")
    # A kept user from an earlier run may carry an older service password.
    call("PATCH", f"{KEYSTONE}/users/{user['id']}", admin,
         {"user": {"password": osctl.env("OS_INFRA_SERVICE_PASSWORD")}})
    grant(admin, service_project["id"], user["id"], roles["admin"])
    grant(admin, service_project["id"], user["id"], roles["service"])

    _, _, services = call("GET", f"{KEYSTONE}/services", admin)
    svc = find_one(services["services"], "octavia")
    if not svc:
        svc = call("POST", f"{KEYSTONE}/services", admin,
                   {"service": {"name": "octavia", "type": "load-balancer", "enabled": True}},
                   expect=(201,))[2]["service"]
    _, _, endpoints = call("GET", f"{KEYSTONE}/endpoints?service_id={svc['id']}", admin)
    have = {e["interface"] for e in endpoints["endpoints"]}
    for interface in ("public", "internal", "admin"):
        if interface not in have:
            call("POST", f"{KEYSTONE}/endpoints", admin, {"endpoint": {
                "service_id": svc["id"], "interface": interface, "url": OCTAVIA, "region_id": REGION,
                "enabled": True}}, expect=(201,))

    _, info = osctl.member_token()
    for name in MEMBER_ROLES:
        grant(admin, info["project"]["id"], info["user"]["id"], roles[name])


def lb_status(token, lb_id):
    status, _, body = call("GET", f"{LBAAS}/loadbalancers/{lb_id}", token, expect=(200, 404))
    return None if status == 404 else body["loadbalancer"]


def wait_lb_active(token, lb_id, what):
    """Every write to a load balancer's tree puts it into PENDING_*; the next write is refused (409) until the
    worker has put it back to ACTIVE. ERROR is final."""
    def probe():
        lb = lb_status(token, lb_id)
        if lb is None:
            raise SystemExit(f"octavia: load balancer {lb_id} disappeared while waiting for {what}")
        if lb["provisioning_status"] == "ERROR":
            raise SystemExit(f"octavia: load balancer {lb_id} went to ERROR while waiting for {what} "
                             f"(see log/octavia-worker.log)")
        return lb["provisioning_status"] == "ACTIVE"

    wait_for(f"load balancer {LB_NAME} to be ACTIVE after {what}", probe, STATUS_TIMEOUT, 0.3)


def ensure_lb(token, subnet_id):
    _, _, lbs = call("GET", f"{LBAAS}/loadbalancers?name={LB_NAME}", token)
    lb = lbs["loadbalancers"][0] if lbs["loadbalancers"] else None
    if lb and (lb["provisioning_status"] == "ERROR" or lb["vip_subnet_id"] != subnet_id):
        # A broken or stale bootstrap object is cheaper to rebuild than to repair.
        call("DELETE", f"{LBAAS}/loadbalancers/{lb['id']}?cascade=true", token, expect=(204, 404))
        wait_for(f"load balancer {lb['id']} to be deleted", lambda: lb_status(token, lb["id"]) is None,
                 STATUS_TIMEOUT, 0.3)
        lb = None
    if not lb:
        lb = call("POST", f"{LBAAS}/loadbalancers", token, {"loadbalancer": {
            "name": LB_NAME, "vip_subnet_id": subnet_id, "admin_state_up": True}}, expect=(201,))[2]["loadbalancer"]
    wait_lb_active(token, lb["id"], "creating it")

    _, _, listeners = call("GET", f"{LBAAS}/listeners?name={LISTENER_NAME}&loadbalancer_id={lb['id']}", token)
    listener = listeners["listeners"][0] if listeners["listeners"] else None
    if not listener:
        listener = call("POST", f"{LBAAS}/listeners", token, {"listener": {
            "name": LISTENER_NAME, "protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": lb["id"]}},
            expect=(201,))[2]["listener"]
        wait_lb_active(token, lb["id"], "creating its listener")

    _, _, pools = call("GET", f"{LBAAS}/pools?name={POOL_NAME}&loadbalancer_id={lb['id']}", token)
    pool = pools["pools"][0] if pools["pools"] else None
    if not pool:
        pool = call("POST", f"{LBAAS}/pools", token, {"pool": {
            "name": POOL_NAME, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": listener["id"]}},
            expect=(201,))[2]["pool"]
        wait_lb_active(token, lb["id"], "creating its pool")
    return lb, listener, pool


def setup(state):
    admin = osctl.admin_token()
    identity_setup(admin)
    token, _ = osctl.member_token()
    subnet_id = read_ids(state)["OS_TEST_SUBNET_ID"]
    lb, listener, pool = ensure_lb(token, subnet_id)
    write_ids(state, {
        "OS_TEST_LB_URL": OCTAVIA,
        "OS_TEST_LB_ID": lb["id"],
        "OS_TEST_LB_LISTENER_ID": listener["id"],
        "OS_TEST_LB_POOL_ID": pool["id"],
        "OS_TEST_LB_SUBNET_ID": subnet_id,
    })
    print(f"octavia ready: load balancer {lb['id']}, listener {listener['id']}, pool {pool['id']}")


def cleanup(state):
    """Removes members left in the bootstrap pool (e.g. by an interrupted test run)."""
    token, _ = osctl.member_token()
    ids = read_ids(state)
    _, _, members = call("GET", f"{LBAAS}/pools/{ids['OS_TEST_LB_POOL_ID']}/members", token)
    for member in members["members"]:
        wait_lb_active(token, ids["OS_TEST_LB_ID"], "the previous member change")
        call("DELETE", f"{LBAAS}/pools/{ids['OS_TEST_LB_POOL_ID']}/members/{member['id']}", token,
             expect=(204, 404))
    wait_lb_active(token, ids["OS_TEST_LB_ID"], "removing leftover members")
    print(f"octavia cleanup: removed {len(members['members'])} leftover member(s)")


def verify(state):
    started = time.monotonic()
    token, info = osctl.member_token()
    urls = [e["url"] for entry in info.get("catalog", []) if entry["type"] == "load-balancer"
            for e in entry["endpoints"] if e["interface"] == "public"]
    if urls != [OCTAVIA]:
        raise ApiError(f"service catalog has load-balancer endpoints {urls}, want [{OCTAVIA}]")
    ids = read_ids(state)
    lb_id, pool_id = ids["OS_TEST_LB_ID"], ids["OS_TEST_LB_POOL_ID"]
    wait_lb_active(token, lb_id, "earlier changes")
    member = call("POST", f"{LBAAS}/pools/{pool_id}/members", token, {"member": {
        "name": "up-verify", "address": VERIFY_ADDRESS, "protocol_port": 80,
        "subnet_id": ids["OS_TEST_LB_SUBNET_ID"]}}, expect=(201,))[2]["member"]
    try:
        wait_lb_active(token, lb_id, "adding the verification member")
        _, _, body = call("GET", f"{LBAAS}/pools/{pool_id}/members/{member['id']}", token)
        if body["member"]["provisioning_status"] != "ACTIVE":
            raise ApiError(f"verification member is {body['member']['provisioning_status']}, want ACTIVE")
    finally:
        call("DELETE", f"{LBAAS}/pools/{pool_id}/members/{member['id']}", token, expect=(204, 404))
    wait_for("the verification member to be deleted", lambda: call(
        "GET", f"{LBAAS}/pools/{pool_id}/members/{member['id']}", token, expect=(200, 404))[0] == 404,
        STATUS_TIMEOUT, 0.3)
    wait_lb_active(token, lb_id, "removing the verification member")
    print(f"octavia verify: catalog, member add+remove on pool {pool_id} ok ({time.monotonic() - started:.1f} s)")


def worker_consuming(_state):
    """Exits 0 when octavia-worker consumes its RPC queue. The API casts every create/update to that queue; a
    cast sent before the queue exists is dropped, and one sent to a queue without consumer waits for ever, so
    the worker's own "Starting V2 consumer" log line (written before it subscribes) is not enough."""
    import kombu  # python3-kombu comes with oslo.messaging; imported here so the other commands never need it
    with kombu.Connection("amqp://guest:guest@127.0.0.1:5672//", connect_timeout=5) as conn:
        try:
            _, _, consumers = conn.default_channel.queue_declare(queue="octavia_provisioning_v2", passive=True)
        except Exception:  # noqa: BLE001 - a missing queue closes the channel with a ChannelError subclass
            raise SystemExit(1) from None
    if consumers < 1:
        raise SystemExit(1)


def main():
    commands = {"setup": setup, "cleanup": cleanup, "verify": verify, "worker-consuming": worker_consuming}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit("usage: octavia.py " + "|".join(commands))
    state = os.environ.get("OS_INFRA_STATE_DIR", "/var/tmp/nomad-autoscaler-openstack")
    try:
        commands[sys.argv[1]](state)
    except ApiError as err:
        raise SystemExit(f"octavia {sys.argv[1]}: {err}") from None


if __name__ == "__main__":
    main()
