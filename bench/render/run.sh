#!/usr/bin/env bash
# Benchmark: `scorch render` vs flamegraph.pl on a 30k unique-stack profile of long C++/Rust/
# kernel names (bench/render/genprof.c, seeded: the same file every run), same hyperfine run;
# then peak RSS and output sizes. Peer: FLAMEGRAPH_DIR (a FlameGraph checkout).
set -euo pipefail
cd "$(dirname "$0")/../.."
FG=${FLAMEGRAPH_DIR:-../peers/FlameGraph}
[ -f "$FG/flamegraph.pl" ] || { echo "bench: set FLAMEGRAPH_DIR to a FlameGraph checkout" >&2; exit 2; }
cmake --build build --target scorch_genprof >/dev/null
out=bench/out/render
mkdir -p "$out"
build/scorch_genprof 30000 42 > "$out/profile.folded"
echo "input: $(wc -l < "$out/profile.folded") stacks, $(stat -c %s "$out/profile.folded") bytes"
hyperfine -N -w 1 -r 5 --export-json "$out/hyperfine.json" \
  "build/scorch render $out/profile.folded -o $out/scorch.svg" \
  "perl $FG/flamegraph.pl $out/profile.folded"
perl "$FG/flamegraph.pl" "$out/profile.folded" > "$out/flamegraph.svg" 2>/dev/null
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
r = json.load(open(f"{out}/hyperfine.json"))["results"]
s, p = r[0]["mean"], r[1]["mean"]
print(f"scorch {s*1000:.0f} ms, flamegraph.pl {p*1000:.0f} ms: {p/s:.1f}x faster")
a, b = os.path.getsize(f"{out}/scorch.svg"), os.path.getsize(f"{out}/flamegraph.svg")
print(f"SVG bytes: scorch {a}, flamegraph.pl {b}: {100*a/b:.0f}%")
PY
for cmd in "build/scorch render $out/profile.folded -o $out/scorch.svg" "perl $FG/flamegraph.pl $out/profile.folded"; do
  /usr/bin/time -v $cmd 2>&1 >/dev/null | awk -v c="${cmd%% *}" '/Maximum resident/ {printf "%-14s peak RSS %.1f MB\n", c, $6/1024}'
done
