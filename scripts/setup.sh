#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: system packages (git, unzip, chromium for
# the dashboard's browser tests), then the npm dependencies (which compile the CLI and the dashboard
# through `prepare`). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for cmd in git unzip chromium; do command -v "$cmd" >/dev/null 2>&1 || need+=("$cmd"); done
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}"
fi
npm ci --no-audit --no-fund
