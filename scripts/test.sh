#!/usr/bin/env bash
# Install what the tests need and run them: the README's test command (and CI's).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
# llama-cpp-python builds from source on first install (5-6 minutes on 2 cores); pip caches the wheel.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

# The store tests run against a real PostgreSQL server, which the tests start themselves; the browser tests drive
# Debian's chromium through Playwright (never a browser Playwright downloads).
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pip install -q -e '.[test]'
# The gates CONTRIBUTING.md promises, before the tests: lint, formatting, types, and the layering contracts.
ruff check --quiet .
ruff format --check --quiet .
mypy
lint-imports --no-cache >/dev/null
python -m pytest "$@"
