#!/usr/bin/env bash
# Installs Debian's nginx-light for the topology test (platform/parlor/tests/test_topology.py)
# when missing. Where no package manager can install it, the test skips with a clear reason,
# and fails under CI=true, where nothing may be skipped.
set -u
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "installing nginx-light from the system's packages..."
  apt-get update -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null && exit 0
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq >/dev/null && \
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null && exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "error: nginx is missing and could not be installed; CI must run the topology test" >&2
  exit 1
fi
echo "note: no nginx on this machine; the topology test will skip (install nginx-light)." >&2
exit 0
