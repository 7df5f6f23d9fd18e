#!/usr/bin/env bash
# The merge gate for any CI: builds the leak-check executable (release), runs
# `check --bench --gate` with the policy (leaks, then each workload that did not leak timed and
# its allocations counted), leaves JSON, HTML, JUnit and Markdown reports in $OUT, and appends
# the Markdown summary to $GITHUB_STEP_SUMMARY when that is set. Exits with the gate's code:
# 0 pass, 1 leak or regression, 2 bad input, 3 a workload crashed.
#
#   bash ci/gate.sh                                   # the harness's own planted cases
#   PRODUCT=invoice-leaks POLICY=leak-policy.json bash ci/gate.sh --workload 'invoice.*'
#   BASELINE=main-report/leak-report.json bash ci/gate.sh
#   BENCH=0 bash ci/gate.sh                           # the leak half only
set -euo pipefail
cd "$(dirname "$0")/.."

product=${PRODUCT:-soakgate}
policy=${POLICY:-ci/soakgate-policy.json}
out=${OUT:-reports}
if [ "$product" = soakgate ] && [ $# -eq 0 ]; then
  set -- --workload 'planted.*' 'planted-bench.*'
fi

bash ci/install-deps.sh
swift build -c release --product "$product"
arguments=(check --out "$out" --gate --policy "$policy")
[ "${BENCH:-1}" = 1 ] && arguments+=(--bench)
[ -n "${BASELINE:-}" ] && arguments+=(--baseline "$BASELINE")
status=0
".build/release/$product" "${arguments[@]}" "$@" || status=$?
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$out/leak-report.md" ]; then
  cat "$out/leak-report.md" >> "$GITHUB_STEP_SUMMARY"
fi
exit "$status"
