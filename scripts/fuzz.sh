#!/usr/bin/env bash
# Fuzz campaigns: builds the fuzz targets with clang's libFuzzer (+ASan+UBSan) into
# build-fuzz/ and runs each for MINUTES (default 5), starting from the corpora ctest replays
# (seeds from tests/data, findings in tests/fuzz/regress/NAME). New inputs go to
# bench/out/fuzz/NAME/, crashes to bench/out/fuzz/crashes/: copy a crash into
# tests/fuzz/regress/NAME/ once it is fixed, and ctest keeps it fixed.
# FUZZ_PARALLEL=N runs N targets at a time (default 1); each prints its summary when done.
#   scripts/fuzz.sh [MINUTES] [TARGET...]     targets: perf bpftrace folded render symmaps pprof
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
shift || true
targets=${*:-perf bpftrace folded render symmaps pprof}
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
[ "$seconds" -gt 0 ] || { echo "fuzz.sh: MINUTES must be > 0 (libFuzzer reads 0 as forever)" >&2; exit 2; }
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCORCH_FUZZ=ON >/dev/null
for t in $targets; do
  cmake --build build-fuzz --target "fuzz_$t" -j"$(nproc)" >/dev/null
done
declare -A seeds=(
  [perf]="tests/data/perf tests/data/perf/default"
  [bpftrace]="tests/data/bpftrace"
  [folded]="tests/data/perf/results tests/data/diff"
  [render]="tests/data/perf/results tests/data/diff"
  [symmaps]="tests/data/kallsyms.txt"
  [pprof]="tests/data/pprof")
out=bench/out/fuzz; mkdir -p "$out/crashes"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
campaign() {
  local t=$1
  mkdir -p "$out/$t"
  for s in ${seeds[$t]} "tests/fuzz/regress/$t"; do
    if [ -d "$s" ]; then find "$s" -maxdepth 1 -type f -exec cp -n {} "$out/$t/" \; ; else cp -n "$s" "$out/$t/"; fi
  done
  build-fuzz/tests/fuzz_$t "$out/$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$t-" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    >"$out/$t.log" 2>&1 || true
  { echo "== fuzz_$t: $minutes min =="
    grep -E "^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==ERROR|SUMMARY|Done)|artifact" "$out/$t.log" || true; }
}
parallel=${FUZZ_PARALLEL:-1}
running=0
for t in $targets; do
  campaign "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait
ls "$out/crashes"
