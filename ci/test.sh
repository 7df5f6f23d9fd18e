#!/usr/bin/env bash
# The README's second command: installs what is missing, starts a throwaway PostgreSQL and
# runs both packages' tests against it: the harness (this package, with its live page) and the
# engines (Engines/). Extra arguments go to both `swift test` runs (e.g. --filter). .ci/run
# calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
# The code follows .swift-format (seconds; before the long builds, so it fails early).
bash ci/format.sh
# The CI and Kubernetes templates users copy (seconds).
bash ci/validate-templates.sh
# Build everything first: the command tests run the packages' executables.
swift build --build-tests --traits LivePage
swift build --build-tests --package-path Engines
# The users' examples, built as a user would build them: light, and beside another swift-syntax.
bash ci/example.sh
bash ci/doc-blocks.sh
bash ci/with-postgres.sh bash -c '
  status=0
  swift test --skip-build --traits LivePage "$@" || status=1
  swift test --skip-build --package-path Engines "$@" || status=1
  exit $status' test.sh "$@"
