#!/usr/bin/env bash
# Builds Examples/UserPackage (the README's example of a package with its own leak checks) and
# checks that it finds the leak it plants and passes the rest.
set -euo pipefail
cd "$(dirname "$0")/../Examples/UserPackage"
swift build --product invoice-leaks
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
.build/debug/invoice-leaks check --out "$out" || status=$?
python3 - "$out/leak-report.json" "$status" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
verdicts = {w["name"]: w["verdict"] for w in report["workloads"]}
expected = {"invoice.parse.bounded": "pass", "invoice.parse.unbounded": "leak", "invoice.total": "pass"}
ok = verdicts == expected and sys.argv[2] == "1"
print(("example: passed" if ok else "example: FAILED") + f" (verdicts {verdicts}, exit {sys.argv[2]})")
sys.exit(0 if ok else 1)
PY
