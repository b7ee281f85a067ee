#!/usr/bin/env bash
# Builds the HCL oracle (tests/oracle/hcldump) against Debian's packaged hashicorp/hcl v2, offline, in GOPATH mode.
# Output: artifacts/oracle/hcldump. Idempotent: installs packages only when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/hashicorp/hcl/v2 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq -o DPkg::Lock::Timeout=900 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 golang-go golang-github-hashicorp-hcl-v2-dev
  else
    echo "build.sh: need golang-go and golang-github-hashicorp-hcl-v2-dev (run as root to install)" >&2
    exit 1
  fi
fi
mkdir -p "$root/artifacts/oracle"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# GOPATH mode needs the command inside a GOPATH; Debian's -dev packages provide the libraries under /usr/share/gocode.
mkdir -p "$work/src/hcldump"
cp "$root/tests/oracle/hcldump/main.go" "$work/src/hcldump/"
export GOPATH="$work:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOCACHE="$work/cache" GOPROXY=off CGO_ENABLED=0
(cd "$work/src/hcldump" && go build -o "$root/artifacts/oracle/hcldump" .)
echo "built $root/artifacts/oracle/hcldump"
