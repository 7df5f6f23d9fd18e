#!/usr/bin/env bash
# Verdict accuracy under load (issue #21), figures for BENCHMARKS.md: `soakgate check` over
# every planted case (release build, default budget), RUNS times in each of LOOPS loops running
# side by side, while LOAD (default: a cold debug build of the engines package, over and over)
# keeps the machine busy. Prints, per planted case, how many runs gave the expected verdict and
# growth class, every run that did not, and the median wall time of one `check` run.
#
#   bash Benchmarks/verdict-accuracy.sh
#   RUNS=20 LOOPS=3 SOAKGATE=/tmp/old/.build/release/soakgate PATTERN='planted.*' bash Benchmarks/verdict-accuracy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
loops=${LOOPS:-3}
pattern=${PATTERN:-planted.*}
work=$(mktemp -d)
load_pid=
cleanup() {
  [ -n "$load_pid" ] && kill -- "-$load_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${SOAKGATE:-}" ]; then
  swift build -c release --product soakgate >/dev/null
  SOAKGATE=.build/release/soakgate
fi

# The load: a build of the engines from nothing, again and again, in a process group of its own.
if [ "${LOAD:-build}" = build ]; then
  set -m
  (while true; do
     rm -rf "$work/load-build"
     swift build --package-path Engines --scratch-path "$work/load-build" >/dev/null 2>&1 || true
   done) &
  load_pid=$!
  set +m
  sleep 20
fi

loop_pids=()
for loop in $(seq "$loops"); do
  (for run in $(seq "$runs"); do
     out="$work/l$loop-r$run"
     start=$(date +%s.%N)
     "$SOAKGATE" check --workload "$pattern" --no-sites --jobs 2 --out "$out" >/dev/null 2>&1 || true
     end=$(date +%s.%N)
     echo "$start $end" > "$out/wall"
   done) &
  loop_pids+=($!)
done
wait "${loop_pids[@]}"

python3 - "$work" <<'PY'
import glob, json, os, statistics, sys
expected_leaks = {"planted.leak.c-heap": "linear", "planted.leak.retain-cycle": "linear",
                  "planted.leak.global-array": "linear", "planted.leak.quadratic": "superlinear",
                  "planted.leak.sparse": "linear", "planted.leak.sublinear": "sublinear",
                  "planted.leak.paced": "linear"}
right, total, wrong, walls = {}, {}, [], []
for report in sorted(glob.glob(os.path.join(sys.argv[1], "l*-r*", "leak-report.json"))):
    run = os.path.basename(os.path.dirname(report))
    start, end = map(float, open(os.path.join(os.path.dirname(report), "wall")).read().split())
    walls.append(end - start)
    for w in json.load(open(report))["workloads"]:
        name = w["name"]
        want = ("leak", expected_leaks[name]) if name in expected_leaks else ("pass", "none")
        got = (w["verdict"], w["growth"])
        total[name] = total.get(name, 0) + 1
        if got == want:
            right[name] = right.get(name, 0) + 1
        else:
            wrong.append(f"{run} {name}: {got[0]} {got[1]}: {w.get('evidenceSummary') or w.get('failure', {}).get('reason')}")
print(f"{len(walls)} check runs; median wall time {statistics.median(walls):.1f} s (min {min(walls):.1f}, max {max(walls):.1f})")
for name in sorted(total):
    print(f"  {name:36} {right.get(name, 0):4} / {total[name]} right")
print(f"{sum(right.values())} of {sum(total.values())} verdicts right")
for line in wrong:
    print("  WRONG", line)
PY
