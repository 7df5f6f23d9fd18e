#!/usr/bin/env bash
# Installs the Debian packages SoakGate needs, if any is missing: jemalloc and libpq headers,
# and a PostgreSQL server for the tests. Needs root (or sudo) only when something is missing.
set -euo pipefail

# binutils' addr2line names the allocation sites of a leak; curl reads a soak's live page in SoakTests;
# libsqlite3-dev is loto-features' default store.
packages=(libjemalloc-dev libpq-dev postgresql binutils curl libsqlite3-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# The schema test validates reports with Python's jsonschema (a dev tool, not a dependency
# of the package).
if ! python3 -c "import jsonschema" 2>/dev/null; then
  python3 -m pip install --quiet jsonschema
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "ci/install-deps.sh: ${missing[*]} missing and not root; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
