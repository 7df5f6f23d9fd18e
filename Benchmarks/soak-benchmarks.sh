#!/usr/bin/env bash
# Soak benchmarks (release build), figures for BENCHMARKS.md:
#  1. the cost of sampling every second: a busy workload soaked with --interval 1s beside the
#     same workload with one reading in 20 s, both at once (peers under the same load), ROUNDS
#     times; the median iterations/s of each and of their ratio;
#  2. the slowest leak a 2-minute soak (a reading every second, as SoakTests run it) calls a
#     leak: fixture.trickle at several bytes/hour, all at once, DETECT_ROUNDS times; how many
#     rounds called each rate a leak (rate 0 is clean: any leak call there is a false alarm).
#
#   bash Benchmarks/soak-benchmarks.sh
#   ROUNDS=3 DETECT_ROUNDS=1 DETECT_SECONDS=60 bash Benchmarks/soak-benchmarks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
detect_rounds=${DETECT_ROUNDS:-3}
detect_seconds=${DETECT_SECONDS:-120}
rates=(${RATES:-0 256 1024 4096 16384 65536})
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swift build -c release --product soakgate --product soakgate-fixtures >/dev/null
soakgate=.build/release/soakgate
fixtures=.build/release/soakgate-fixtures
rate_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["workloads"][0].get(sys.argv[2], ""))' "$1" "$2"; }

echo "## sampling overhead: planted.clean.bounded-cache, 20 s soaks, --interval 1s vs one reading"
ratios=()
for round in $(seq "$rounds"); do
  for interval in 1s 20s; do
    "$soakgate" soak --workload planted.clean.bounded-cache --duration 20s --interval "$interval" \
      --checkpoint-every 20s --settle 0 --out "$work/o-$round-$interval" >/dev/null 2>&1 &
  done
  wait || true
  sampled=$(rate_of "$work/o-$round-1s/soak-report.json" iterationsPerSecond)
  quiet=$(rate_of "$work/o-$round-20s/soak-report.json" iterationsPerSecond)
  readings=$(rate_of "$work/o-$round-1s/soak-report.json" readings)
  echo "round $round: every 1 s ($readings readings) $sampled it/s, one reading $quiet it/s"
  ratios+=("$sampled $quiet")
done
printf '%s\n' "${ratios[@]}" | python3 -c '
import statistics, sys
pairs = [tuple(map(float, line.split())) for line in sys.stdin if line.strip()]
print("median it/s sampled every 1 s: %.0f; with one reading: %.0f; median ratio sampled/quiet: %.4f (overhead %.2f %%)" % (
    statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs),
    statistics.median(p[0] / p[1] for p in pairs), 100 * (1 - statistics.median(p[0] / p[1] for p in pairs))))'

echo
echo "## detection: fixture.trickle, ${detect_seconds} s soaks, a reading every 1 s"
for round in $(seq "$detect_rounds"); do
  for rate in "${rates[@]}"; do
    SOAKGATE_TRICKLE_BYTES_PER_HOUR=$rate "$fixtures" soak --workload fixture.trickle --duration "${detect_seconds}s" \
      --interval 1s --warmup 10 --out "$work/d-$round-$rate" >/dev/null 2>&1 &
  done
  wait || true
done
for rate in "${rates[@]}"; do
  verdicts=(); measured=()
  for round in $(seq "$detect_rounds"); do
    verdicts+=("$(rate_of "$work/d-$round-$rate/soak-report.json" verdict)")
    measured+=("$(rate_of "$work/d-$round-$rate/soak-report.json" bytesPerHour)")
  done
  echo "planted ${rate} B/h: verdicts ${verdicts[*]}; measured B/h ${measured[*]}"
done
