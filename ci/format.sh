#!/usr/bin/env bash
# Checks that every Swift file of the four packages follows .swift-format (120 columns, 4-space
# indentation), with the swift-format that ships with the toolchain; one line per violation,
# exit 1 if any. `bash ci/format.sh --fix` rewrites the files instead.
# Not checked: the fuzz corpus (inputs, some deliberately broken Swift) and the link
# Engines/Tests/CommandTestSupport (the same files as Tests/CommandTestSupport).
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources SoakTests Engines/Package.swift Engines/Sources Benchmarks Examples Fuzz/Package.swift Fuzz/Sources)
for directory in Tests/*/ Engines/Tests/*/; do
  case "$directory" in
    Tests/FuzzCorpus/ | Engines/Tests/CommandTestSupport/) ;;
    *) paths+=("$directory") ;;
  esac
done
if [ "${1:-}" = "--fix" ]; then
  swift format --in-place --parallel --recursive "${paths[@]}"
else
  swift format lint --strict --parallel --recursive "${paths[@]}"
  echo "format: every Swift file follows .swift-format"
fi
