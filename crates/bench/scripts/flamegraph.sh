#!/usr/bin/env bash
# A flame graph of the running server under load (docs/BENCHMARKS.md, "Profiling").
#
#   crates/bench/scripts/flamegraph.sh PID SECONDS OUT.svg
#
# Samples PID (a `manageros` built with `--profile profiling`, so that frames have their
# functions and lines) at 997 Hz with DWARF call graphs for SECONDS, while the load runs, and
# folds the stacks into OUT.svg. Needs `perf` and Brendan Gregg's FlameGraph scripts
# (stackcollapse-perf.pl, flamegraph.pl) on PATH or in $FLAMEGRAPH_DIR.
set -euo pipefail
pid=$1 seconds=$2 out=$3
dir=${FLAMEGRAPH_DIR:-}
collapse=${dir:+$dir/}stackcollapse-perf.pl
graph=${dir:+$dir/}flamegraph.pl
data=$(mktemp --suffix .perf.data)
trap 'rm -f "$data" "$data.folded"' EXIT
perf record -F 997 --call-graph dwarf,16384 -p "$pid" -o "$data" -- sleep "$seconds" 2>/dev/null
perf script -i "$data" 2>/dev/null | "$collapse" > "$data.folded"
"$graph" --title "manageros, $(basename "$out" .svg)" --width 1600 "$data.folded" > "$out"
# The top of the profile as text: the self time of each function, largest first.
perf report -i "$data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -40
