#!/usr/bin/env bash
# Builds tests/infra/pack-render (Go standard library only) into artifacts/pack-render/pack-render, offline.
# Idempotent: installs Debian's Go toolchain only when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
if ! command -v go >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq -o DPkg::Lock::Timeout=900 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 golang-go
  else
    echo "build.sh: need golang-go (run as root to install)" >&2
    exit 1
  fi
fi
mkdir -p "$root/artifacts/pack-render"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/pack-render"
cp "$root/tests/infra/pack-render/main.go" "$work/src/pack-render/"
export GOPATH="$work" GO111MODULE=off GOFLAGS= GOCACHE="$work/cache" GOPROXY=off CGO_ENABLED=0 GOTOOLCHAIN=local
(cd "$work/src/pack-render" && go vet . && go build -o "$root/artifacts/pack-render/pack-render" .)
echo "built $root/artifacts/pack-render/pack-render"
