#!/usr/bin/env bash
# Benchmark: `scorch collapse` vs stackcollapse-perf.pl on the same perf script input, in the
# same hyperfine run, with `cat` as the floor; then peak RSS of each.
# Input: FlameGraph's example-perf-stacks (tests/data/perf) repeated to >= 25 MB.
# Peer: FLAMEGRAPH_DIR (a checkout of brendangregg/FlameGraph; not part of scorch).
#   FLAMEGRAPH_DIR=/path/to/FlameGraph bench/collapse/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
FG=${FLAMEGRAPH_DIR:-../peers/FlameGraph}
SCORCH=${SCORCH:-build/scorch}
if [ ! -f "$FG/stackcollapse-perf.pl" ]; then
  echo "bench: stackcollapse-perf.pl not found; set FLAMEGRAPH_DIR to a FlameGraph checkout" >&2
  exit 2
fi
for t in hyperfine /usr/bin/time perl; do
  command -v "$t" >/dev/null || { echo "bench: needs $t (apt-get install -y hyperfine time perl)" >&2; exit 2; }
done
out=bench/out/collapse
mkdir -p "$out"
zcat tests/data/perf/example-perf-stacks.txt.gz > "$out/one.txt"
: > "$out/input.txt"
while [ "$(stat -c %s "$out/input.txt")" -lt $((25 * 1024 * 1024)) ]; do cat "$out/one.txt" >> "$out/input.txt"; done
size=$(stat -c %s "$out/input.txt")
echo "input: $size bytes"

"$SCORCH" collapse "$out/input.txt" > "$out/scorch.folded"
perl "$FG/stackcollapse-perf.pl" "$out/input.txt" > "$out/perl.folded" 2>/dev/null
cmp "$out/scorch.folded" "$out/perl.folded" && echo "outputs identical"

hyperfine -N -w 2 -r 10 --export-json "$out/hyperfine.json" \
  "cat $out/input.txt" \
  "$SCORCH collapse $out/input.txt" \
  "perl $FG/stackcollapse-perf.pl $out/input.txt"

python3 - "$out/hyperfine.json" "$size" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]; size = int(sys.argv[2])
t = {x["command"].split()[0].split("/")[-1]: x["mean"] for x in r}
for name, mean in t.items():
    print(f"{name:8s} {mean*1000:9.1f} ms  {size/mean/1e6:8.0f} MB/s")
print(f"ratio perl/scorch: {t['perl']/t['scorch']:.1f}x")
PY
for cmd in "$SCORCH collapse $out/input.txt" "perl $FG/stackcollapse-perf.pl $out/input.txt"; do
  rss=$( { /usr/bin/time -v $cmd > /dev/null 2>/dev/null; } 2>&1 | awk '/Maximum resident/ {print $6}')
  /usr/bin/time -v $cmd 2>&1 >/dev/null | awk -v c="${cmd%% *}" '/Maximum resident/ {printf "%-40s peak RSS %d KB\n", c, $6}'
done
