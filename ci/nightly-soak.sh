#!/usr/bin/env bash
# The nightly soak: every workload that runs by default, plus the planted slow leak as a canary
# the gate expects to be found, for 24 hours (SOAK_DURATION), a reading every 10 s, the live
# page and Prometheus /metrics on 127.0.0.1:$PORT; then the gate on its report. Run again after
# an interruption, it resumes the soak in $OUT instead of starting over.
#
#   bash ci/nightly-soak.sh                       # 24 h into reports/nightly-soak
#   SOAK_DURATION=2h OUT=/tmp/soak bash ci/nightly-soak.sh
# Exits with the gate's code: 0 pass, 1 a leak or inconclusive workload, 2 bad input, 3 a crash.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${SOAK_DURATION:-24h}
out=${OUT:-reports/nightly-soak}
port=${PORT:-9464}
policy=${POLICY:-ci/soakgate-policy.json}

bash ci/install-deps.sh
# This repository's soakgate: the harness with the engines' workloads (Engines/).
swift build --package-path Engines -c release --product soakgate-engines
soakgate=Engines/.build/release/soakgate-engines

if [ -f "$out/soak.json" ]; then
  echo "nightly-soak: resuming the soak in $out"
  arguments=(soak --resume "$out")
else
  mapfile -t defaults < <("$soakgate" list | awk '!/only when named/ { print $1 }')
  arguments=(soak --workload "${defaults[@]}" planted-soak.slow-leak --duration "$duration" --interval 10s --out "$out")
fi
# The soak's own exit code says what the gate will say; the gate decides with the policy.
"$soakgate" "${arguments[@]}" --listen "127.0.0.1:$port" || true
"$soakgate" gate "$out/soak-report.json" --policy "$policy"
