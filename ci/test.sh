#!/usr/bin/env bash
# The README's second command: installs what is missing, starts a throwaway PostgreSQL and
# runs the whole test suite against it. .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
# Build everything first: the CLI tests run the soakgate and soakgate-fixtures executables.
swift build --build-tests
# The README's user-package example, built as a user would build it: it must find its leak.
bash ci/example.sh
bash ci/with-postgres.sh swift test --skip-build "$@"
