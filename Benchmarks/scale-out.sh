#!/usr/bin/env bash
# The per-unit costs docs/scale-out.md projects from, measured on this machine:
#   1. loto-features into PostgreSQL: one process against --worker processes, every pipeline,
#      3 games × DRAWS draws (18 series);
#   2. the work queue's own cost: SERIES cheap series (P3 into features_hist, 100 draws each),
#      one process against one and two workers: the difference is claims and marks;
#   3. soakgate merge of a synthetic leak check of MERGE_WORKLOADS workloads in MERGE_SHARDS
#      shards, made from the planted check's report.
# Release builds; a throwaway PostgreSQL (ci/with-postgres.sh). Prints one line per run.
#   bash Benchmarks/scale-out.sh
set -euo pipefail
cd "$(dirname "$0")/.."

draws=${DRAWS:-2000}
series=${SERIES:-600}
merge_workloads=${MERGE_WORKLOADS:-1000}
merge_shards=${MERGE_SHARDS:-100}

swift build --package-path Engines -c release --product loto-features >/dev/null
swift build -c release --product soakgate >/dev/null
loto=$PWD/Engines/.build/release/loto-features
soakgate=$PWD/.build/release/soakgate
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# 3 games: 18 series of full draws.
for game in loto6 loto7 miniloto; do "$loto" sample --loto "$game" --draws "$draws" --out "$scratch/$game.csv"; done
{ head -n 1 "$scratch/loto6.csv"; for game in loto6 loto7 miniloto; do tail -n +2 "$scratch/$game.csv"; done; } > "$scratch/full.csv"
# SERIES cheap series: loto6's 7 positions under SERIES/7 made-up game names, 100 draws each.
"$loto" sample --loto loto6 --draws 100 --out "$scratch/small.csv"
python3 - "$scratch/small.csv" "$scratch/many.csv" "$series" <<'PY'
import sys
source, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(source).read().splitlines()
header, rows = lines[0], lines[1:]
positions = len({row.split(",")[1] for row in rows})
with open(target, "w") as out:
    out.write(header + "\n")
    for copy in range((count + positions - 1) // positions):
        for row in rows:
            out.write(f"g{copy:04d}," + row.split(",", 1)[1] + "\n")
PY

export loto scratch
bash ci/with-postgres.sh bash -c '
  set -euo pipefail
  base=$SOAKGATE_TEST_DATABASE_URL
  n=0
  # A fresh schema per run (set in this shell, not in a $(...) subshell, so n counts).
  next() { n=$((n + 1)); psql -q "$base" -c "CREATE SCHEMA s$n" >/dev/null; u="$base?options=-csearch_path%3Ds$n"; }
  timed() {
    local label=$1; shift
    local start=$EPOCHREALTIME
    "$@"
    awk -v a="$start" -v b="$EPOCHREALTIME" -v l="$label" "BEGIN { printf \"%-58s %8.2f s\\n\", l, b - a }"
  }
  two() { "$loto" "$@" 2>/dev/null & local a=$!; "$loto" "$@" 2>/dev/null & local b=$!; wait $a; wait $b; }

  full=(generate --input "$scratch/full.csv")
  next; timed "full, one process, --workers 2" "$loto" "${full[@]}" --store "$u" --workers 2 2>/dev/null
  next; timed "full, one worker, --workers 2" "$loto" "${full[@]}" --store "$u" --worker --workers 2 2>/dev/null
  next; timed "full, two workers, --workers 1 each" two "${full[@]}" --store "$u" --worker --workers 1

  cheap=(generate --input "$scratch/many.csv" --tables hist --pipelines P3)
  next; timed "cheap series, one process, --workers 1" "$loto" "${cheap[@]}" --store "$u" --workers 1 2>/dev/null
  next; timed "cheap series, one worker, --workers 1" "$loto" "${cheap[@]}" --store "$u" --worker --workers 1 2>/dev/null
  next; timed "cheap series, two workers, --workers 1 each" two "${cheap[@]}" --store "$u" --worker --workers 1
  psql -qAt "$base" -c "SELECT count(*) FROM s$n.loto_features_work" | sed "s/^/cheap series in the work table: /"
'

# Merge: a synthetic check of MERGE_WORKLOADS workloads in MERGE_SHARDS shards.
"$soakgate" check --workload planted.clean.one-off-init --budget 5 --no-sites --out "$scratch/one" >/dev/null
python3 - "$scratch/one/leak-report.json" "$scratch/shards" "$merge_workloads" "$merge_shards" <<'PY'
import json, os, sys, copy
source, directory, count, shards = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
report = json.load(open(source))
template = report["workloads"][0]
names = [f"w{i:05d}" for i in range(count)]
# By name with equal weights, soakgate deals sorted names out in turn.
order = sorted(names)
owner = {name: index % shards for index, name in enumerate(order)}
for shard in range(shards):
    mine = [name for name in names if owner[name] == shard]
    out = copy.deepcopy(report)
    out["workloads"] = [dict(copy.deepcopy(template), name=name) for name in mine]
    out["shard"] = {"index": shard + 1, "count": shards, "selection": names, "balancedBy": "name", "workloads": mine}
    os.makedirs(f"{directory}/{shard + 1}", exist_ok=True)
    json.dump(out, open(f"{directory}/{shard + 1}/leak-report.json", "w"))
PY
start=$EPOCHREALTIME
"$soakgate" merge "$scratch"/shards/*/leak-report.json --out "$scratch/merged" >/dev/null
awk -v a="$start" -v b="$EPOCHREALTIME" -v n="$merge_workloads" -v s="$merge_shards" -v bytes="$(stat -c %s "$scratch/merged/leak-report.json")" \
  'BEGIN { printf "%-58s %8.2f s (%d bytes of JSON)\n", "merge of " n " workloads in " s " shards", b - a, bytes }' 
