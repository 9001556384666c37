#!/usr/bin/env bash
# Install what safechat needs into ./.venv and build the web clients. Sourced by scripts/serve
# and scripts/test. Usage: bootstrap.sh [--dev]   (--dev adds the test tools and servers)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
# a C compiler and the Python headers, for screening's compiled build (scripts/build_native.py)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
if [ ! -f "$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("include"))')/Python.h" ]; then
  missing+=("python$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-dev")
fi
if [ "${1:-}" = "--dev" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing Python packages"
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -e '.[dev,native]'
else
  .venv/bin/python -m pip install -q -e '.[native]'
fi

# screening's compiled build: the test command must have it; serving runs without it (plain
# Python gives the same results, only slower)
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python scripts/build_native.py
elif ! .venv/bin/python scripts/build_native.py; then
  echo "warning: screening could not be compiled; it runs as plain Python (slower)" >&2
fi

echo "==> building the web clients"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
npm run --silent build
