#!/usr/bin/env bash
# package-benchmark's false-alarm and detection rates on the planted regressions that
# Benchmarks/gate-accuracy.sh measures our own gate on: the peer figures for BENCHMARKS.md.
#
# Interleaved, as ours: for i in 1..RUNS a run of planted-bench.fixed-work as it is, recorded as
# baseline base-i, and for i <= REGRESSED one run with each planted regression (slower-i,
# allocation-i, cpu-i). Each run measures for PLANTED_BENCH_SECONDS (3, as our BENCH_BUDGET).
# Then `swift package benchmark baseline check OLD NEW`, which exits non-zero on a verdict other
# than "WITHIN" (`baseline compare` only prints):
#   A/A:      base-i against base-(i-1)          RUNS-1 checks; each WORSE is a false alarm
#   planted:  <regression>-i against base-i      REGRESSED checks each; a WORSE is a detection
# once with package-benchmark's default thresholds and once with BenchmarkThresholds.strict.
#
# `baseline check OLD NEW` judges by the thresholds stored in NEW when it was recorded (it
# neither builds nor asks the benchmark program). So that both presets judge the same runs, every
# run is recorded with the defaults and gets a twin, strict-NAME, whose results.json differs only
# in its thresholds: taken from a short run that package-benchmark itself recorded with
# PLANTED_BENCH_THRESHOLDS=strict.
#
#   bash Benchmarks/PackageBenchmarkPeer/gate-accuracy.sh            # RUNS=21 REGRESSED=10
#   RUNS=5 REGRESSED=2 PLANTED_BENCH_SECONDS=1 bash Benchmarks/PackageBenchmarkPeer/gate-accuracy.sh
set -euo pipefail
cd "$(dirname "$0")"

out=${OUT:-/tmp/package-benchmark-peer}
runs=${RUNS:-21}
regressed=${REGRESSED:-10}
export PLANTED_BENCH_SECONDS=${PLANTED_BENCH_SECONDS:-3}
regressions=(slower allocation cpu)
store=.benchmarkBaselines/PlantedBench
benchmark=(swift package --package-path . --allow-writing-to-package-directory benchmark)

[ "$runs" -ge 2 ] || { echo "RUNS=$runs: need at least 2 base runs for one A/A check" >&2; exit 2; }
[ "$regressed" -le "$runs" ] || { echo "REGRESSED=$regressed: at most RUNS ($runs)" >&2; exit 2; }

rm -rf "$out" "$store"
mkdir -p "$out"

# Builds PlantedBench in release if it is not built yet, so no run below pays for a build.
"${benchmark[@]}" list > "$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 2; }

record() {
  local name=$1 regression=$2
  SOAKGATE_PLANTED_REGRESSION=$regression "${benchmark[@]}" baseline update "$name" --no-progress --quiet \
    > "$out/record-$name.log" 2>&1 || { echo "recording $name failed:" >&2; cat "$out/record-$name.log" >&2; exit 2; }
}

PLANTED_BENCH_THRESHOLDS=strict PLANTED_BENCH_SECONDS=1 record strict-thresholds none
names=()
for i in $(seq 1 "$runs"); do
  record "base-$i" none
  names+=("base-$i")
  if [ "$i" -le "$regressed" ]; then
    for regression in "${regressions[@]}"; do
      record "$regression-$i" "$regression"
      names+=("$regression-$i")
    done
  fi
  printf '\rrun %d of %d' "$i" "$runs" >&2
done
echo >&2

# The strict twins: each result's thresholds replaced by those package-benchmark stored for the
# same metric in the strict-thresholds run; the measurements are untouched.
python3 - "$store" "${names[@]}" <<'PY'
import json, os, sys
store, names = sys.argv[1], sys.argv[2:]
def load(name):
    with open(os.path.join(store, name, "results.json")) as f:
        return json.load(f)
def key(metric):
    return json.dumps(metric, sort_keys=True)
strict = {}
for result in load("strict-thresholds")["results"][1]:
    strict[key(result["metric"])] = result["thresholds"]
for name in names:
    baseline = load(name)
    for result in baseline["results"][1]:
        result["thresholds"] = strict[key(result["metric"])]
    baseline["baselineName"] = "strict-" + name
    os.makedirs(os.path.join(store, "strict-" + name), exist_ok=True)
    with open(os.path.join(store, "strict-" + name, "results.json"), "w") as f:
        json.dump(baseline, f)
PY

# One check; prints the verdict (within, worse, better) and keeps the output. Any other outcome
# is a broken check and stops the script.
check() {
  local old=$1 new=$2 log="$out/check-$2-vs-$1.txt"
  "${benchmark[@]}" baseline check "$old" "$new" --no-progress > "$log" 2>&1 || true
  if grep -q "is WITHIN the" "$log"; then echo within
  elif grep -q "is WORSE than the" "$log"; then echo worse
  elif grep -q "is BETTER than the" "$log"; then echo better
  else echo "baseline check $old $new gave no verdict:" >&2; cat "$log" >&2; exit 2
  fi
}

# The metrics in a check's deviation tables, e.g. "Malloc (total)", one per line.
tripped() {
  sed -n 's/^│ \(.*\) ([^()]*, \(%\|Δ\))  *│.*/\1/p' "$out/check-$2-vs-$1.txt" | sort -u
}

: > "$out/tripped.txt"
table=() betters=()
for thresholds in default strict; do
  prefix=""
  [ "$thresholds" = strict ] && prefix="strict-"
  alarms=0 better=0
  for i in $(seq 2 "$runs"); do
    verdict=$(check "base-$((i - 1))" "${prefix}base-$i")
    case $verdict in
      worse) alarms=$((alarms + 1)); tripped "base-$((i - 1))" "${prefix}base-$i" | sed "s/^/$thresholds A\/A: /" >> "$out/tripped.txt" ;;
      better) better=$((better + 1)) ;;
    esac
  done
  row="| $thresholds | $((runs - 1)) | $alarms"
  for regression in "${regressions[@]}"; do
    found=0
    for i in $(seq 1 "$regressed"); do
      verdict=$(check "base-$i" "${prefix}$regression-$i")
      if [ "$verdict" = worse ]; then
        found=$((found + 1))
        tripped "base-$i" "${prefix}$regression-$i" | sed "s/^/$thresholds $regression: /" >> "$out/tripped.txt"
      fi
    done
    row+=" | $found of $regressed"
  done
  table+=("$row |")
  betters+=("| $thresholds | $((runs - 1)) | $better |")
done

echo "| thresholds | A/A comparisons | false alarms | slower detected | allocation detected | cpu detected |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${table[@]}"
echo
echo "A/A checks whose verdict was BETTER (swift package still exits 1, as for WORSE):"
echo
echo "| thresholds | A/A comparisons | BETTER |"
echo "| --- | ---: | ---: |"
printf '%s\n' "${betters[@]}"
echo
echo "Metrics in the deviation tables of the failed checks (a check can name several):"
echo
echo "| thresholds and comparison | metric | checks |"
echo "| --- | --- | ---: |"
sort "$out/tripped.txt" | uniq -c | sed 's/^ *\([0-9]*\) \([^:]*\): \(.*\)$/| \2 | \3 | \1 |/'
echo
echo "Command per check: swift package --package-path . --allow-writing-to-package-directory benchmark baseline check OLD NEW --no-progress"
echo "Runs: $runs base, $regressed per regression, PLANTED_BENCH_SECONDS=$PLANTED_BENCH_SECONDS; logs in $out"

# The medians behind it: p50 of each metric per run, as `baseline read` prints it.
"${benchmark[@]}" baseline read "${names[@]}" --no-progress > "$out/read.txt" 2>&1
python3 - "$out/read.txt" <<'PY'
import re, statistics, sys
per_kind, name = {}, None
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"Baseline '([a-z]+)-\d+'", line)
    if m:
        name = m.group(1)
        continue
    cells = [c.strip() for c in line.strip().strip("│").split("│")]
    if name and len(cells) == 9 and cells[0] and not cells[0].startswith("Metric"):
        per_kind.setdefault(name, {}).setdefault(cells[0], []).append(float(cells[3]))
for kind in ["base", "slower", "allocation", "cpu"]:
    if kind in per_kind:
        figures = ", ".join(f"{metric} {statistics.median(values):g}" for metric, values in sorted(per_kind[kind].items()))
        print(f"{kind}: median over {len(next(iter(per_kind[kind].values())))} runs of p50: {figures}")
PY
