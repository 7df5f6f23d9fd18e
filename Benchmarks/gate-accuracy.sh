#!/usr/bin/env bash
# The bench gate's false-alarm and detection rates on this machine, from planted regressions.
#
# Interleaved, so that a change in the machine's load reaches both sides alike: for i in
# 1..RUNS a bench run of planted-bench.fixed-work as it is (base-i), and for i <= REGRESSED one
# run with each planted regression (slower: 10 % more work; allocation: one more malloc per
# iteration; cpu: 20 % more CPU on a second thread). Then:
#   A/A:      base-i gated against base-(i-1)          RUNS-1 comparisons; each failure is a false alarm
#   planted:  <regression>-i gated against base-i      REGRESSED comparisons each; a failure is a detection
# with the default policy (bench.minimumEffect 0.05, bench.confidence 0.99, allocations exact).
#
# GATE_ONLY=1 judges the runs already in OUT again (say, with POLICY=another-policy.json) without
# measuring anything.
#
#   bash Benchmarks/gate-accuracy.sh                    # RUNS=51 REGRESSED=20 BENCH_BUDGET=3s
#   SOAKGATE=.build/release/soakgate RUNS=11 REGRESSED=5 bash Benchmarks/gate-accuracy.sh
#   GATE_ONLY=1 POLICY=strict.json bash Benchmarks/gate-accuracy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

soakgate=${SOAKGATE:-.build/release/soakgate}
out=${OUT:-/tmp/soakgate-gate-accuracy}
runs=${RUNS:-51}
regressed=${REGRESSED:-20}
budget=${BENCH_BUDGET:-3s}
workload=planted-bench.fixed-work
regressions=(slower allocation cpu)

policy=()
[ -n "${POLICY:-}" ] && policy=(--policy "$POLICY")

[ -x "$soakgate" ] || { echo "no $soakgate; build it: swift build -c release --product soakgate" >&2; exit 2; }
if [ "${GATE_ONLY:-0}" != 1 ]; then
  rm -rf "$out"
  mkdir -p "$out"
fi

bench() {
  local name=$1 regression=$2
  SOAKGATE_PLANTED_REGRESSION=$regression "$soakgate" bench --workload "$workload" --bench-budget "$budget" \
    --out "$out/$name" > "$out/$name.log" 2>&1
}

for i in $(seq 1 "$runs"); do
  [ "${GATE_ONLY:-0}" = 1 ] && break
  bench "base-$i" none
  if [ "$i" -le "$regressed" ]; then
    for regression in "${regressions[@]}"; do bench "$regression-$i" "$regression"; done
  fi
  printf '\rrun %d of %d' "$i" "$runs" >&2
done
echo >&2

# Exit 1 from the gate is a regression found; anything else but 0 is a broken run.
gate() {
  local status=0
  "$soakgate" gate "$out/$1/bench-report.json" --baseline "$out/$2/bench-report.json" "${policy[@]}" \
    > "$out/gate-$1-vs-$2.txt" || status=$?
  [ "$status" -le 1 ] || { echo "gate $1 vs $2 exited $status" >&2; cat "$out/gate-$1-vs-$2.txt" >&2; exit 2; }
  return "$status"
}

alarms=0
for i in $(seq 2 "$runs"); do
  if ! gate "base-$i" "base-$((i - 1))"; then
    alarms=$((alarms + 1))
    grep -h "rejected" "$out/gate-base-$i-vs-base-$((i - 1)).txt" >&2 || true
  fi
done
echo "| comparison | runs | gate failed |"
echo "| --- | ---: | ---: |"
echo "| A/A (same code) | $((runs - 1)) | $alarms |"
for regression in "${regressions[@]}"; do
  found=0
  for i in $(seq 1 "$regressed"); do
    gate "$regression-$i" "base-$i" || found=$((found + 1))
  done
  echo "| $regression | $regressed | $found |"
done
# The medians behind it, for the record.
python3 - "$out" "$runs" <<'PY'
import json, statistics, sys, os
out, runs = sys.argv[1], int(sys.argv[2])
def figures(name):
    with open(os.path.join(out, name, "bench-report.json")) as f:
        return json.load(f)["workloads"][0]["figures"]
for kind in ["base", "slower", "allocation", "cpu"]:
    names = sorted(n for n in os.listdir(out) if n.startswith(kind + "-") and os.path.isdir(os.path.join(out, n)))
    if not names:
        continue
    runs_ = [figures(n) for n in names]
    wall = statistics.median(r["wall"]["median"] for r in runs_)
    cpu = statistics.median(r["cpu"]["median"] for r in runs_)
    alloc = statistics.median(r["allocationsPerIteration"] for r in runs_)
    samples = statistics.median(len(r["timing"]["wallNanoseconds"]) for r in runs_)
    # The gate's effect is at the fast end: the 1st percentile (numpy's linear interpolation).
    def p1(values):
        values = sorted(values)
        h = (len(values) - 1) * 0.01
        low = int(h)
        return values[low] + (h - low) * (values[min(low + 1, len(values) - 1)] - values[low])
    wall_p1 = [p1(r["timing"]["wallNanoseconds"]) for r in runs_]
    cpu_p1 = [p1(r["timing"]["cpuNanoseconds"]) for r in runs_]
    print(f"{kind}: {len(runs_)} runs; median over runs of the median: wall {wall/1e3:.1f} µs, CPU {cpu/1e3:.1f} µs; "
          f"of the p1: wall {statistics.median(wall_p1)/1e3:.1f} µs (runs {min(wall_p1)/1e3:.1f}–{max(wall_p1)/1e3:.1f}), "
          f"CPU {statistics.median(cpu_p1)/1e3:.1f} µs (runs {min(cpu_p1)/1e3:.1f}–{max(cpu_p1)/1e3:.1f}); "
          f"{alloc:g} allocations/iteration, {samples:g} samples per run")
PY
