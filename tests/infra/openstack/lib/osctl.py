#!/usr/bin/python3
"""REST side of tests/infra/openstack/up.sh: identity and cloud bootstrap, waits, cleanup, verification.

Plain urllib so it runs with Debian's /usr/bin/python3 and nothing else. Proxies are disabled explicitly:
every endpoint is on 127.0.0.1. Passwords and secrets come from the environment (up.sh sources
$STATE/secrets.env) and are never printed.
"""

import calendar
import json
import os
import sys
import time
import urllib.error
import urllib.request

KEYSTONE = "http://127.0.0.1:5000/v3"
REGION = "RegionOne"
ENDPOINTS = {
    # service name -> (type, url)
    "glance": ("image", "http://127.0.0.1:9292"),
    "placement": ("placement", "http://127.0.0.1:8778"),
    "nova": ("compute", "http://127.0.0.1:8774/v2.1"),
    "neutron": ("network", "http://127.0.0.1:9696"),
}
SERVICE_USERS = ["glance", "placement", "nova", "neutron"]

DOMAIN = "pco"
PROJECT = "autoscaler"
MEMBER_USER = "autoscaler-member"
APP_CRED_NAME = "nomad-autoscaler-tests"
FLAVOR = ("2C-2GB-20GB", 2, 2048, 20)
IMAGE_NAME = "autoscaler-test-image"
NETWORK_NAME = "autoscaler-net"
SUBNET_NAME = "autoscaler-subnet"
SUBNET_CIDR = "192.0.2.0/24"
EXT_NETWORK_NAME = "ext-net"
EXT_SUBNET_CIDR = "198.51.100.0/24"
ROUTER_NAME = "autoscaler-router"
# host -> availability zone; one fake nova-compute per host.
COMPUTE_HOSTS = {"compute-az1": "az1", "compute-az2": "az2"}
COMPUTE_MICROVERSION = "2.79"
PROJECT_QUOTA = {"instances": 50, "cores": 200, "ram": 50 * 2048, "key_pairs": 100, "server_groups": 50,
                 "server_group_members": 50}
NETWORK_QUOTA = {"port": 200, "floatingip": 60, "network": 20, "subnet": 20, "router": 10,
                 "security_group": 50, "security_group_rule": 500}

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ApiError(Exception):
    pass


def env(name):
    value = os.environ.get(name)
    if not value:
        raise ApiError(f"environment variable {name} is not set (up.sh exports it from secrets.env)")
    return value


def call(method, url, token=None, body=None, headers=None, expect=(200, 201, 202, 204), raw=None, timeout=60):
    hdrs = {"Accept": "application/json"}
    data = None
    if raw is not None:
        data = raw
        hdrs["Content-Type"] = "application/octet-stream"
    elif body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if token:
        hdrs["X-Auth-Token"] = token
    if "/v2.1" in url or ":8774" in url:
        hdrs["OpenStack-API-Version"] = f"compute {COMPUTE_MICROVERSION}"
    if ":8778" in url:
        hdrs["OpenStack-API-Version"] = "placement 1.36"
    hdrs.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    # Reads are retried on connection-level failures (a worker being recycled, a busy listen backlog);
    # writes are not, because a lost reply would make a retry create a duplicate.
    attempts = 3 if method == "GET" else 1
    for attempt in range(attempts):
        try:
            with _opener.open(req, timeout=timeout) as resp:
                status, rhdrs, payload = resp.status, resp.headers, resp.read()
            break
        except urllib.error.HTTPError as err:
            status, rhdrs, payload = err.code, err.headers, err.read()
            break
        except (urllib.error.URLError, OSError) as err:
            if attempt + 1 == attempts:
                raise ApiError(f"{method} {url}: {err}") from None
            time.sleep(1.0)
    if expect is not None and status not in expect:
        text = payload.decode(errors="replace")[:600]
        raise ApiError(f"{method} {url} -> HTTP {status}: {text}")
    parsed = None
    if payload:
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = None
    return status, rhdrs, parsed


def password_token(user, password, user_domain, project=None, project_domain=None, domain_scope=None):
    auth = {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": user_domain}, "password": password}}}}
    if project:
        auth["scope"] = {"project": {"name": project, "domain": {"name": project_domain}}}
    elif domain_scope:
        auth["scope"] = {"domain": {"name": domain_scope}}
    _, hdrs, body = call("POST", f"{KEYSTONE}/auth/tokens", body={"auth": auth}, expect=(201,))
    return hdrs["X-Subject-Token"], body["token"]


def admin_token():
    return password_token("admin", env("OS_INFRA_ADMIN_PASSWORD"), "Default", "admin", "Default")[0]


def member_token():
    return password_token(MEMBER_USER, env("OS_INFRA_MEMBER_PASSWORD"), DOMAIN, PROJECT, DOMAIN)


def wait_for(what, probe, timeout, interval=1.0):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            result = probe()
            if result:
                return result
        except ApiError as err:
            last = err
        if time.monotonic() > deadline:
            raise ApiError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last})" if last else ""))
        time.sleep(interval)


def find_one(items, name):
    matches = [i for i in items if i.get("name") == name]
    return matches[0] if matches else None


# ---------------------------------------------------------------- identity

def get_or_create(token, collection, key, name, body, query=""):
    _, _, listing = call("GET", f"{KEYSTONE}/{collection}?name={name}{query}", token)
    found = find_one(listing[collection], name)
    if found:
        return found
    _, _, created = call("POST", f"{KEYSTONE}/{collection}", token, {key: body}, expect=(201,))
    return created[key]


def grant(token, project_id, user_id, role_id):
    call("PUT", f"{KEYSTONE}/projects/{project_id}/users/{user_id}/roles/{role_id}", token, expect=(204, 201))


def identity_setup():
    token = admin_token()
    roles = {r["name"]: r["id"] for r in call("GET", f"{KEYSTONE}/roles", token)[2]["roles"]}
    if "service" not in roles:
        roles["service"] = get_or_create(token, "roles", "role", "service", {"name": "service"})["id"]
    for needed in ("admin", "member", "reader"):
        if needed not in roles:
            raise ApiError(f"keystone bootstrap did not create role {needed}")

    service_project = get_or_create(token, "projects", "project", "service",
                                    {"name": "service", "domain_id": "default"}, "&domain_id=default")
    for user in SERVICE_USERS:
        u = get_or_create(token, "users", "user", user, {"name": user, "domain_id": "default",
                                                          "password": env("OS_INFRA_SERVICE_PASSWORD")},
                          "&domain_id=default")
        grant(token, service_project["id"], u["id"], roles["admin"])
        grant(token, service_project["id"], u["id"], roles["service"])

    _, _, services = call("GET", f"{KEYSTONE}/services", token)
    _, _, endpoints = call("GET", f"{KEYSTONE}/endpoints", token)
    for name, (stype, url) in ENDPOINTS.items():
        svc = find_one(services["services"], name)
        if not svc:
            svc = call("POST", f"{KEYSTONE}/services", token,
                       {"service": {"name": name, "type": stype, "enabled": True}}, expect=(201,))[2]["service"]
        have = {e["interface"] for e in endpoints["endpoints"] if e["service_id"] == svc["id"]}
        for interface in ("public", "internal", "admin"):
            if interface not in have:
                call("POST", f"{KEYSTONE}/endpoints", token, {"endpoint": {
                    "service_id": svc["id"], "interface": interface, "url": url, "region_id": REGION,
                    "enabled": True}}, expect=(201,))

    domain = get_or_create(token, "domains", "domain", DOMAIN, {"name": DOMAIN, "enabled": True})
    project = get_or_create(token, "projects", "project", PROJECT,
                            {"name": PROJECT, "domain_id": domain["id"], "enabled": True},
                            f"&domain_id={domain['id']}")
    member = get_or_create(token, "users", "user", MEMBER_USER,
                           {"name": MEMBER_USER, "domain_id": domain["id"],
                            "password": env("OS_INFRA_MEMBER_PASSWORD"), "enabled": True},
                           f"&domain_id={domain['id']}")
    grant(token, project["id"], member["id"], roles["member"])
    grant(token, project["id"], member["id"], roles["reader"])
    print(f"identity ready: domain {DOMAIN}, project {PROJECT} ({project['id']}), user {MEMBER_USER}")


# ---------------------------------------------------------------- compute hosts

def parse_utc(stamp):
    # Nova returns naive UTC like 2024-05-01T10:00:00.000000 (sometimes without fraction).
    stamp = stamp.split(".")[0].replace("Z", "")
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S"))


def wait_computes(since_epoch, timeout):
    token = admin_token()

    def probe():
        _, _, body = call("GET", "http://127.0.0.1:8774/v2.1/os-services?binary=nova-compute", token)
        ready = set()
        for svc in body["services"]:
            fresh = svc.get("updated_at") and parse_utc(svc["updated_at"]) >= since_epoch - 2
            if svc["host"] in COMPUTE_HOSTS and svc["state"] == "up" and svc["status"] == "enabled" and fresh:
                ready.add(svc["host"])
        return ready == set(COMPUTE_HOSTS)

    wait_for("both nova-compute services to report up", probe, timeout, 1.0)
    print("compute services up: " + ", ".join(sorted(COMPUTE_HOSTS)))


def wait_providers(timeout):
    token = admin_token()

    def probe():
        for host in COMPUTE_HOSTS:
            _, _, rps = call("GET", f"http://127.0.0.1:8778/resource_providers?name={host}", token)
            if not rps["resource_providers"]:
                return False
            uuid = rps["resource_providers"][0]["uuid"]
            _, _, inv = call("GET", f"http://127.0.0.1:8778/resource_providers/{uuid}/inventories", token)
            if not {"VCPU", "MEMORY_MB", "DISK_GB"} <= set(inv["inventories"]):
                return False
        _, _, hyps = call("GET", "http://127.0.0.1:8774/v2.1/os-hypervisors", token)
        names = {h["hypervisor_hostname"] for h in hyps["hypervisors"]}
        return set(COMPUTE_HOSTS) <= names

    wait_for("placement resource providers and hypervisors of both compute hosts", probe, timeout, 1.0)
    print("resource providers ready")


# ---------------------------------------------------------------- cloud objects

def neutron_get_or_create(token, resource, plural, name, body, query=""):
    _, _, listing = call("GET", f"http://127.0.0.1:9696/v2.0/{plural}?name={name}{query}", token)
    if listing[plural]:
        return listing[plural][0]
    return call("POST", f"http://127.0.0.1:9696/v2.0/{plural}", token, {resource: {"name": name, **body}},
                expect=(201,))[2][resource]


def ensure_flavor(token):
    name, vcpus, ram, disk = FLAVOR
    _, _, flavors = call("GET", "http://127.0.0.1:8774/v2.1/flavors/detail?is_public=None", token)
    found = find_one(flavors["flavors"], name)
    if found:
        if (found["vcpus"], found["ram"], found["disk"]) != (vcpus, ram, disk):
            raise ApiError(f"flavor {name} exists with different sizes: {found}")
        return found
    return call("POST", "http://127.0.0.1:8774/v2.1/flavors", token, {"flavor": {
        "name": name, "vcpus": vcpus, "ram": ram, "disk": disk, "os-flavor-access:is_public": True}})[2]["flavor"]


def ensure_aggregates(token):
    _, _, aggs = call("GET", "http://127.0.0.1:8774/v2.1/os-aggregates", token)
    for host, zone in COMPUTE_HOSTS.items():
        name = f"agg-{zone}"
        agg = find_one(aggs["aggregates"], name)
        if not agg:
            agg = call("POST", "http://127.0.0.1:8774/v2.1/os-aggregates", token,
                       {"aggregate": {"name": name, "availability_zone": zone}})[2]["aggregate"]
        if host not in (agg.get("hosts") or []):
            call("POST", f"http://127.0.0.1:8774/v2.1/os-aggregates/{agg['id']}/action", token,
                 {"add_host": {"host": host}})


def ensure_image(token):
    _, _, images = call("GET", f"http://127.0.0.1:9292/v2/images?name={IMAGE_NAME}", token)
    active = [i for i in images["images"] if i["status"] == "active"]
    if active:
        return active[0]
    for broken in images["images"]:
        call("DELETE", f"http://127.0.0.1:9292/v2/images/{broken['id']}", token)
    image = call("POST", "http://127.0.0.1:9292/v2/images", token, {
        "name": IMAGE_NAME, "disk_format": "raw", "container_format": "bare", "visibility": "public",
        "min_disk": 0, "min_ram": 0}, expect=(201,))[2]
    # The fake virt driver never reads the image; a few KB of zeros is a valid raw disk for the API.
    call("PUT", f"http://127.0.0.1:9292/v2/images/{image['id']}/file", token, raw=b"\0" * 4096, expect=(204,))

    def probe():
        _, _, img = call("GET", f"http://127.0.0.1:9292/v2/images/{image['id']}", token)
        return img if img["status"] == "active" else None

    return wait_for(f"image {IMAGE_NAME} to become active", probe, 60, 0.5)


def ensure_networks(admin, member, project_id):
    ext = neutron_get_or_create(admin, "network", "networks", EXT_NETWORK_NAME, {
        "router:external": True, "provider:network_type": "flat", "provider:physical_network": "extnet",
        "shared": False})
    ext_subnet = neutron_get_or_create(admin, "subnet", "subnets", f"{EXT_NETWORK_NAME}-subnet", {
        "network_id": ext["id"], "ip_version": 4, "cidr": EXT_SUBNET_CIDR, "enable_dhcp": False})
    net = neutron_get_or_create(member, "network", "networks", NETWORK_NAME, {}, f"&project_id={project_id}")
    subnet = neutron_get_or_create(member, "subnet", "subnets", SUBNET_NAME, {
        "network_id": net["id"], "ip_version": 4, "cidr": SUBNET_CIDR, "enable_dhcp": False},
        f"&project_id={project_id}")
    router = neutron_get_or_create(member, "router", "routers", ROUTER_NAME, {
        "external_gateway_info": {"network_id": ext["id"]}}, f"&project_id={project_id}")
    _, _, ports = call("GET", f"http://127.0.0.1:9696/v2.0/ports?device_id={router['id']}"
                              f"&network_id={net['id']}", member)
    if not ports["ports"]:
        call("PUT", f"http://127.0.0.1:9696/v2.0/routers/{router['id']}/add_router_interface", member,
             {"subnet_id": subnet["id"]})
    # Neutron creates the project's "default" security group on the first query made in the project.
    _, _, sgs = call("GET", f"http://127.0.0.1:9696/v2.0/security-groups?project_id={project_id}", member)
    if not find_one(sgs["security_groups"], "default"):
        raise ApiError("neutron did not create the project's default security group")
    return net, subnet, ext, ext_subnet, router


def ensure_quotas(admin, project_id):
    call("PUT", f"http://127.0.0.1:8774/v2.1/os-quota-sets/{project_id}", admin, {"quota_set": PROJECT_QUOTA})
    call("PUT", f"http://127.0.0.1:9696/v2.0/quotas/{project_id}", admin, {"quota": NETWORK_QUOTA})


def ensure_app_credential(member, user_id, state):
    path = os.path.join(state, "appcred.json")
    _, _, creds = call("GET", f"{KEYSTONE}/users/{user_id}/application_credentials?name={APP_CRED_NAME}", member)
    existing = find_one(creds["application_credentials"], APP_CRED_NAME)
    if existing and os.path.exists(path):
        with open(path) as f:
            saved = json.load(f)
        if saved.get("id") == existing["id"]:
            return saved
    if existing:
        # The secret is only shown at creation; without our saved copy the credential is useless.
        call("DELETE", f"{KEYSTONE}/users/{user_id}/application_credentials/{existing['id']}", member)
    created = call("POST", f"{KEYSTONE}/users/{user_id}/application_credentials", member, {
        "application_credential": {"name": APP_CRED_NAME,
                                   "description": "nomad-autoscaler os-nova integration tests"}},
        expect=(201,))[2]["application_credential"]
    saved = {"id": created["id"], "secret": created["secret"], "name": APP_CRED_NAME}
    write_private(path, json.dumps(saved) + "\n")
    return saved


def write_private(path, text):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def sh_quote(value):
    return "'" + str(value).replace("'", "'\"'\"'") + "'"


def write_outputs(state, project_id, member_user_id, flavor, image, net, subnet, ext, appcred):
    common = {
        "OS_AUTH_URL": KEYSTONE,
        "OS_REGION_NAME": REGION,
        "OS_INTERFACE": "public",
        "OS_IDENTITY_API_VERSION": "3",
    }
    member = {**common,
              "OS_AUTH_TYPE": "password",
              "OS_USERNAME": MEMBER_USER,
              "OS_PASSWORD": env("OS_INFRA_MEMBER_PASSWORD"),
              "OS_USER_DOMAIN_NAME": DOMAIN,
              "OS_PROJECT_NAME": PROJECT,
              "OS_PROJECT_ID": project_id,
              "OS_PROJECT_DOMAIN_NAME": DOMAIN}
    admin = {**common,
             "OS_AUTH_TYPE": "password",
             "OS_USERNAME": "admin",
             "OS_PASSWORD": env("OS_INFRA_ADMIN_PASSWORD"),
             "OS_USER_DOMAIN_NAME": "Default",
             "OS_PROJECT_NAME": "admin",
             "OS_PROJECT_DOMAIN_NAME": "Default"}
    app = {**common,
           "OS_AUTH_TYPE": "v3applicationcredential",
           "OS_APPLICATION_CREDENTIAL_ID": appcred["id"],
           "OS_APPLICATION_CREDENTIAL_SECRET": appcred["secret"]}

    def rc(values, title):
        lines = [f"# {title}. Generated by tests/infra/openstack/up.sh; contains a secret.",
                 "# Services listen on 127.0.0.1 only; keep proxies away from them."]
        lines += [f"export {k}={sh_quote(v)}" for k, v in values.items()]
        lines += ["export no_proxy=\"127.0.0.1,localhost${no_proxy:+,$no_proxy}\"",
                  "export NO_PROXY=\"$no_proxy\""]
        return "\n".join(lines) + "\n"

    write_private(os.path.join(state, "openrc"), rc(member, f"Member user {MEMBER_USER} of project {PROJECT}"))
    write_private(os.path.join(state, "admin-openrc"), rc(admin, "Cloud admin (setup, quotas, cleanup)"))
    write_private(os.path.join(state, "appcred-openrc"), rc(app, f"Application credential of {MEMBER_USER}"))

    def cloud(auth, extra=None):
        return {"auth": auth, "region_name": REGION, "interface": "public", "identity_api_version": 3, **(extra or {})}

    clouds = {"clouds": {
        "pco-member": cloud({"auth_url": KEYSTONE, "username": MEMBER_USER, "password": member["OS_PASSWORD"],
                             "user_domain_name": DOMAIN, "project_name": PROJECT, "project_id": project_id,
                             "project_domain_name": DOMAIN}),
        "pco-admin": cloud({"auth_url": KEYSTONE, "username": "admin", "password": admin["OS_PASSWORD"],
                            "user_domain_name": "Default", "project_name": "admin",
                            "project_domain_name": "Default"}),
        "pco-appcred": cloud({"auth_url": KEYSTONE, "application_credential_id": appcred["id"],
                              "application_credential_secret": appcred["secret"]},
                             {"auth_type": "v3applicationcredential"}),
    }}
    # JSON is valid YAML; no YAML library is needed on the machine.
    write_private(os.path.join(state, "clouds.yaml"), json.dumps(clouds, indent=2) + "\n")

    ids = {
        "OS_TEST_DOMAIN_NAME": DOMAIN,
        "OS_TEST_PROJECT_NAME": PROJECT,
        "OS_TEST_PROJECT_ID": project_id,
        "OS_TEST_USER_NAME": MEMBER_USER,
        "OS_TEST_USER_ID": member_user_id,
        "OS_TEST_FLAVOR_NAME": flavor["name"],
        "OS_TEST_FLAVOR_ID": flavor["id"],
        "OS_TEST_IMAGE_NAME": image["name"],
        "OS_TEST_IMAGE_ID": image["id"],
        "OS_TEST_NETWORK_NAME": net["name"],
        "OS_TEST_NETWORK_ID": net["id"],
        "OS_TEST_SUBNET_ID": subnet["id"],
        "OS_TEST_EXTERNAL_NETWORK_NAME": ext["name"],
        "OS_TEST_EXTERNAL_NETWORK_ID": ext["id"],
        "OS_TEST_SECURITY_GROUP": "default",
        "OS_TEST_AVAILABILITY_ZONES": ",".join(sorted(COMPUTE_HOSTS.values())),
        "OS_TEST_COMPUTE_URL": ENDPOINTS["nova"][1],
        "OS_TEST_STATE_DIR": state,
    }
    text = "# Ids of the bootstrap objects (no secrets). Generated by tests/infra/openstack/up.sh.\n"
    text += "".join(f"export {k}={sh_quote(v)}\n" for k, v in ids.items())
    with open(os.path.join(state, "ids.env"), "w") as f:
        f.write(text)


def cloud_setup(state):
    admin = admin_token()
    member, member_info = member_token()
    project_id = member_info["project"]["id"]
    user_id = member_info["user"]["id"]
    flavor = ensure_flavor(admin)
    ensure_aggregates(admin)
    ensure_quotas(admin, project_id)
    image = ensure_image(admin)
    net, subnet, ext, _, _ = ensure_networks(admin, member, project_id)
    appcred = ensure_app_credential(member, user_id, state)
    write_outputs(state, project_id, user_id, flavor, image, net, subnet, ext, appcred)
    print(f"cloud ready: flavor {flavor['name']}, image {image['id']}, network {net['id']}, AZs az1+az2")


# ---------------------------------------------------------------- cleanup and verification

def delete_servers_and_wait(token, servers, timeout):
    for server in servers:
        call("DELETE", f"http://127.0.0.1:8774/v2.1/servers/{server['id']}", token, expect=(204, 404))

    def gone():
        for server in servers:
            status, _, _ = call("GET", f"http://127.0.0.1:8774/v2.1/servers/{server['id']}", token,
                                expect=(200, 404))
            if status != 404:
                return False
        return True

    wait_for(f"{len(servers)} server(s) to be deleted", gone, timeout, 1.0)


def cleanup():
    """Removes servers and floating IPs left in the test project (e.g. by an interrupted test run) and
    restores the project's quotas, which tests may have lowered."""
    admin = admin_token()
    _, member_info = member_token()
    project_id = member_info["project"]["id"]
    ensure_quotas(admin, project_id)
    _, _, body = call("GET", f"http://127.0.0.1:8774/v2.1/servers?all_tenants=1&project_id={project_id}", admin)
    servers = body["servers"]
    if servers:
        delete_servers_and_wait(admin, servers, 180)
    _, _, fips = call("GET", f"http://127.0.0.1:9696/v2.0/floatingips?project_id={project_id}", admin)
    for fip in fips["floatingips"]:
        call("DELETE", f"http://127.0.0.1:9696/v2.0/floatingips/{fip['id']}", admin, expect=(204, 404))
    print(f"cleanup: removed {len(servers)} server(s), {len(fips['floatingips'])} floating IP(s), quotas reset")


def verify(state):
    started = time.monotonic()
    token, info = member_token()
    types = {entry["type"] for entry in info.get("catalog", [])}
    missing = {"identity", "compute", "image", "network", "placement"} - types
    if missing:
        raise ApiError(f"service catalog lacks {sorted(missing)}")
    with open(os.path.join(state, "appcred.json")) as f:
        appcred = json.load(f)
    call("POST", f"{KEYSTONE}/auth/tokens", body={"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": appcred["id"], "secret": appcred["secret"]}}}}, expect=(201,))

    _, _, zones = call("GET", "http://127.0.0.1:8774/v2.1/os-availability-zone", token)
    names = {z["zoneName"] for z in zones["availabilityZoneInfo"] if z["zoneState"]["available"]}
    if not set(COMPUTE_HOSTS.values()) <= names:
        raise ApiError(f"availability zones available to the member: {sorted(names)}, want az1 and az2")

    ids = {}
    with open(os.path.join(state, "ids.env")) as f:
        for line in f:
            if line.startswith("export "):
                key, _, value = line[len("export "):].strip().partition("=")
                ids[key] = value.strip("'")
    servers = []
    try:
        for zone in sorted(COMPUTE_HOSTS.values()):
            _, _, created = call("POST", "http://127.0.0.1:8774/v2.1/servers", token, {"server": {
                "name": f"up-verify-{zone}", "imageRef": ids["OS_TEST_IMAGE_ID"],
                "flavorRef": ids["OS_TEST_FLAVOR_ID"], "networks": [{"uuid": ids["OS_TEST_NETWORK_ID"]}],
                "security_groups": [{"name": "default"}], "availability_zone": zone,
                "tags": ["na_pool:up-verify"]}})
            servers.append({"id": created["server"]["id"], "zone": zone})

        def all_active():
            for server in servers:
                _, _, body = call("GET", f"http://127.0.0.1:8774/v2.1/servers/{server['id']}", token)
                status = body["server"]["status"]
                if status == "ERROR":
                    fault = body["server"].get("fault", {}).get("message", "no fault message")
                    raise SystemExit(f"verify: server in {server['zone']} went to ERROR: {fault}")
                if status != "ACTIVE":
                    return False
                server["actual_zone"] = body["server"]["OS-EXT-AZ:availability_zone"]
            return True

        t_auth = time.monotonic() - started
        wait_for("verification servers in az1 and az2 to become ACTIVE", all_active, 180, 1.0)
        t_active = time.monotonic() - started
        for server in servers:
            if server["actual_zone"] != server["zone"]:
                raise ApiError(f"server asked for {server['zone']} landed in {server['actual_zone']}")
    finally:
        if servers:
            delete_servers_and_wait(token, servers, 120)
    print(f"verify: token, app credential, catalog, AZs az1/az2, boot+delete in both AZs ok "
          f"({time.monotonic() - started:.1f} s: auth+POSTs {t_auth:.1f} s, ACTIVE at {t_active:.1f} s)")


def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: osctl.py identity-setup|wait-computes SINCE TIMEOUT|wait-providers TIMEOUT|"
                         "cloud-setup|cleanup|verify")
    cmd, args = sys.argv[1], sys.argv[2:]
    state = os.environ.get("OS_INFRA_STATE_DIR", "/var/tmp/nomad-autoscaler-openstack")
    try:
        if cmd == "identity-setup":
            identity_setup()
        elif cmd == "wait-computes":
            wait_computes(float(args[0]), float(args[1]))
        elif cmd == "wait-providers":
            wait_providers(float(args[0]))
        elif cmd == "cloud-setup":
            cloud_setup(state)
        elif cmd == "cleanup":
            cleanup()
        elif cmd == "verify":
            verify(state)
        else:
            raise SystemExit(f"unknown command {cmd}")
    except ApiError as err:
        raise SystemExit(f"{cmd}: {err}") from None


if __name__ == "__main__":
    main()
