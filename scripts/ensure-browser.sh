#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the browser tests when missing.
# Never downloads a browser of its own; where no package manager can install one, the
# browser tests skip with a clear reason (and fail under CI=true).
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "installing chromium and chromium-driver from the system's packages..."
  apt-get update -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null && exit 0
  echo "could not install chromium with apt-get" >&2
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq >/dev/null && \
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null && exit 0
fi
echo "note: no chromium on this machine; the browser tests will skip (install chromium and chromium-driver)." >&2
exit 0
