#!/usr/bin/env bash
# The README's first command: installs what is missing, builds this repository's soakgate
# (release; the harness with the engines' workloads, from Engines/) and runs `check` on its
# defaults. Extra arguments go to `check`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
swift build --package-path Engines -c release --product soakgate-engines
exec Engines/.build/release/soakgate-engines check "$@"
