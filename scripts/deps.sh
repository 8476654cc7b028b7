#!/usr/bin/env bash
# Installs what the build and the tests need, and nothing when it is all
# there: Debian packages through apt-get, npm packages through npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
  libssl-dev openssl libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql haproxy libtss2-dev swtpm swtpm-tools tpm2-tools wrk curl
  ca-certificates jq python3 mandoc softhsm2 libp11-kit-dev"

missing=""
for p in $DEB_PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
if ! command -v node >/dev/null 2>&1; then
  missing="$missing nodejs npm"
fi
if [ -n "$missing" ]; then
  echo "deps: installing Debian packages:$missing"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi

# npm packages for the interop and differential tests (package-lock.json).
if [ -f package.json ]; then
  stamp=node_modules/.attestd-stamp
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
fi
