#!/usr/bin/env bash
# The README's first command: installs what is missing, builds soakgate (release) and runs
# `soakgate check` on its defaults. Extra arguments go to `soakgate check`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
swift build -c release --product soakgate
exec .build/release/soakgate check "$@"
