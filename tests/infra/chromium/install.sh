#!/usr/bin/env bash
# Installs Debian's `chromium` for the status page's browser test (tests/NomadAutoscaler.EndToEnd.Tests,
# StatusPageBrowserTests). Only the browser binary is needed: the test drives it with --headless flags.
#
# Idempotent: exits at once when `chromium` is already on PATH. Ends with "CHROMIUM OK <version>" or exits non-zero.
set -euo pipefail

log() { printf '[chromium-infra %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[chromium-infra %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

if ! command -v chromium >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || die "chromium is not installed and apt-get is not available"
  [[ $(id -u) == 0 ]] || die "chromium is not installed; run once as root so install.sh can apt-get install it"
  log "installing chromium (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=900 \
    chromium fonts-dejavu-core >/dev/null
fi

version=$(chromium --version 2>/dev/null) || die "chromium is installed but does not run"
echo "CHROMIUM OK $version"
