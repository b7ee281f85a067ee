#!/usr/bin/env bash
# Builds the Go side of the go-plugin interop harness, offline, from Debian packages only:
#   artifacts/interop/bin/goplugin-host            Go host (hashicorp/go-plugin client) that drives any plugin
#   artifacts/interop/bin/goplugin-noop-{apm,strategy,target}   Go plugins for our C# agent to load
#   artifacts/interop/bin/govalues                 what Go's strconv, fmt and time make of fixed inputs (SDK reference)
# Idempotent: installs missing Debian packages, regenerates the Go contract code from proto/ and rebuilds.
# Env: INTEROP_SKIP_APT=1 skips the package check (for machines where the packages are known to be there).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../../.." && pwd)"
out_dir="$repo_root/artifacts/interop"
gopath_dir="$out_dir/gopath"
module_root="$gopath_dir/src/nomadautoscaler"
bin_dir="$out_dir/bin"

# golang-github-golang-protobuf-1-5-dev rather than golang-goprotobuf-dev (1.3.5): grpc's codec must speak the
# APIv2 messages that protoc-gen-go 1.28 generates, and 1.5 is the APIv2-backed github.com/golang/protobuf.
packages=(
  golang-go
  golang-github-hashicorp-go-plugin-dev
  golang-github-hashicorp-go-hclog-dev
  golang-google-grpc-dev
  golang-github-golang-protobuf-1-5-dev
  golang-google-protobuf-dev
  protobuf-compiler
  libprotobuf-dev
  protoc-gen-go
  protoc-gen-go-grpc
)

log() { printf 'build.sh: %s\n' "$*" >&2; }

install_packages() {
  local missing=()
  local p
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  if ! "${sudo[@]}" apt-get install -y -o DPkg::Lock::Timeout=900 "${missing[@]}" >&2; then
    # The package lists may be missing or stale: refresh them. apt-get update does not wait for the lists lock
    # (DPkg::Lock::Timeout covers only the dpkg lock), so retry while another apt run holds it.
    local attempt
    for attempt in $(seq 1 60); do
      if "${sudo[@]}" apt-get update -o DPkg::Lock::Timeout=900 -o Acquire::Retries=3 >&2; then
        break
      fi
      if [ "$attempt" -eq 60 ]; then
        log "apt-get update kept failing"
        return 1
      fi
      sleep 15
    done
    "${sudo[@]}" apt-get install -y -o DPkg::Lock::Timeout=900 "${missing[@]}" >&2
  fi
}

if [ "${INTEROP_SKIP_APT:-0}" != "1" ]; then
  install_packages
fi

export GO111MODULE=off
export GOPATH="$gopath_dir:/usr/share/gocode"
export GOCACHE="$out_dir/gocache"
export GOFLAGS=
export CGO_ENABLED=0
export GOTOOLCHAIN=local

mkdir -p "$module_root" "$bin_dir" "$GOCACHE"

# Generated code and a copy of our sources live under the build GOPATH, never in the source tree.
log "generating Go code from proto/"
rm -rf "$module_root/contracts" "$module_root/interop"
proto_files=()
while IFS= read -r f; do proto_files+=("$f"); done < <(cd "$repo_root/proto" && find nomad_autoscaler -name '*.proto' | sort)
# The go_plugin/*.proto files are not generated: go-plugin ships (and registers) its own copies.
(cd "$repo_root/proto" && protoc -I . -I /usr/include \
  --go_out="$gopath_dir/src" --go_opt=paths=import \
  --go-grpc_out="$gopath_dir/src" --go-grpc_opt=paths=import \
  "${proto_files[@]}")

mkdir -p "$module_root/interop"
cp -R "$script_dir/pluginkit" "$script_dir/cmd" "$module_root/interop/"

log "go vet"
go vet nomadautoscaler/interop/...

for cmd in goplugin-host goplugin-noop-apm goplugin-noop-strategy goplugin-noop-target govalues; do
  log "building $cmd"
  go build -trimpath -o "$bin_dir/$cmd.tmp" "nomadautoscaler/interop/cmd/$cmd"
  # Replace atomically so a test running against the old binary never sees a half-written file.
  mv -f "$bin_dir/$cmd.tmp" "$bin_dir/$cmd"
done

go_plugin_version="$(dpkg-query -W -f='${Version}' golang-github-hashicorp-go-plugin-dev)"
grpc_version="$(dpkg-query -W -f='${Version}' golang-google-grpc-dev)"
printf 'go-plugin %s\ngrpc-go %s\n%s\n' "$go_plugin_version" "$grpc_version" "$(go version)" > "$bin_dir/VERSIONS"
log "done: $bin_dir ($(tr '\n' ';' < "$bin_dir/VERSIONS"))"
