#!/usr/bin/env bash
# Builds the two user-package examples as a user would and checks what they must show:
#  - Examples/UserPackage (the README's example) resolves at most 6 packages, none of them
#    swift-syntax, swift-nio, TLS, crypto or an HTTP framework; it finds the leak it plants and
#    passes the rest;
#  - Examples/SyntaxUserPackage depends on swift-syntax 600 beside the harness, resolves, builds
#    and passes its workload.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cd "$root/Examples/UserPackage"
swift build --product invoice-leaks
swift package show-dependencies --format json > "$out/dependencies.json"
status=0
.build/debug/invoice-leaks check --out "$out/user" || status=$?
python3 - "$out/user/leak-report.json" "$status" "$out/dependencies.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
verdicts = {w["name"]: w["verdict"] for w in report["workloads"]}
expected = {"invoice.parse.bounded": "pass", "invoice.parse.unbounded": "leak", "invoice.total": "pass"}
packages = set()
def walk(node):
    packages.add(node["identity"])
    for child in node.get("dependencies", []):
        walk(child)
walk(json.load(open(sys.argv[3])))
heavy = sorted(p for p in packages if any(word in p for word in ("syntax", "nio", "ssl", "crypto", "http", "hummingbird")))
ok = verdicts == expected and sys.argv[2] == "1" and len(packages) <= 6 and not heavy
print(("example: passed" if ok else "example: FAILED")
      + f" (verdicts {verdicts}, exit {sys.argv[2]}; {len(packages)} packages: {', '.join(sorted(packages))}"
      + (f"; must not resolve {heavy}" if heavy else "") + ")")
sys.exit(0 if ok else 1)
PY

cd "$root/Examples/SyntaxUserPackage"
swift build --product declaration-leaks
status=0
.build/debug/declaration-leaks check --out "$out/syntax" || status=$?
if [ "$status" -eq 0 ]; then
  echo "syntax example: passed (swift-syntax 600 beside the harness; syntax.count-functions passes)"
else
  echo "syntax example: FAILED (exit $status)"
  exit 1
fi
