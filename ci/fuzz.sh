#!/usr/bin/env bash
# Fuzzes the parsers that read what others wrote, with the toolchain's libFuzzer.
#
#   bash ci/fuzz.sh [SECONDS] [TARGET ...]
#
# SECONDS per target (default 600); TARGET from: draw-csv leak-report gate-policy soak-samples
# swift-source issue-page (default all). Builds Fuzz/ with `--sanitize fuzzer` in .build-fuzz/,
# runs each target on its committed corpus Tests/FuzzCorpus/TARGET/, then merges what it found
# into that corpus, minimised (commit the result: `swift test` replays every file in it). An
# input that crashes is kept as Tests/FuzzCorpus/TARGET/crash-*; the replay then fails until
# the parser is fixed. Prints one line a target: its run time, executions and what it found.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
case "$seconds" in ''|*[!0-9]*) echo "ci/fuzz.sh: SECONDS '$seconds' is not a whole number of seconds" >&2; exit 2 ;; esac
all=(draw-csv leak-report gate-policy soak-samples swift-source issue-page)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for target in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $target "* ]] || { echo "ci/fuzz.sh: unknown target '$target'; one of: ${all[*]}" >&2; exit 2; }
done

bash ci/install-deps.sh
for target in "${targets[@]}"; do
  swift build --package-path Fuzz --scratch-path .build-fuzz --sanitize fuzzer -c release --product "fuzz-$target" >&2
done
binaries=$(swift build --package-path Fuzz --scratch-path .build-fuzz -c release --show-bin-path)

export MALLOC_CONF=""
for target in "${targets[@]}"; do
  corpus="Tests/FuzzCorpus/$target"
  mkdir -p "$corpus"
  work=$(mktemp -d)
  log="$work/log"
  before=$(find "$corpus" -type f | wc -l)
  status=0
  "$binaries/fuzz-$target" "$work" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$corpus/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  # Keep what covers something new, minimised against what is committed.
  "$binaries/fuzz-$target" -merge=1 "$corpus" "$work" >>"$log" 2>&1 || true
  after=$(find "$corpus" -type f | wc -l)
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || echo "?")
  crashes=$(find "$corpus" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
  echo "fuzz $target: ${seconds} s, $runs executions, corpus $before → $after files, crashes/timeouts/oom kept: $crashes (exit $status)"
  if [ "$status" -ne 0 ]; then tail -n 30 "$log" >&2; fi
  rm -rf "$work" /tmp/soakgate-fuzz-*
done
