#!/usr/bin/env bash
# Benchmark: `scorch render` vs flamegraph.pl on a 30k unique-stack profile of long C++/Rust/
# kernel names (bench/render/genprof.c, seeded: the same file every run), same hyperfine run;
# then peak RSS and output sizes, default and --compact. Peer: FLAMEGRAPH_DIR (a FlameGraph
# checkout). STACKS=300000 (and RUNS=3) for the huge profile.
set -euo pipefail
cd "$(dirname "$0")/../.."
FG=${FLAMEGRAPH_DIR:-../peers/FlameGraph}
[ -f "$FG/flamegraph.pl" ] || { echo "bench: set FLAMEGRAPH_DIR to a FlameGraph checkout" >&2; exit 2; }
cmake --build build --target scorch_genprof >/dev/null
out=bench/out/render
mkdir -p "$out"
STACKS=${STACKS:-30000} RUNS=${RUNS:-5}
build/scorch_genprof "$STACKS" 42 > "$out/profile.folded"
echo "input: $(wc -l < "$out/profile.folded") stacks, $(stat -c %s "$out/profile.folded") bytes"
hyperfine -N -w 1 -r "$RUNS" --export-json "$out/hyperfine.json" \
  "build/scorch render $out/profile.folded -o $out/scorch.svg" \
  "perl $FG/flamegraph.pl $out/profile.folded"
perl "$FG/flamegraph.pl" "$out/profile.folded" > "$out/flamegraph.svg" 2>/dev/null
build/scorch render --compact "$out/profile.folded" -o "$out/scorch-compact.svg"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
r = json.load(open(f"{out}/hyperfine.json"))["results"]
s, p = r[0]["mean"], r[1]["mean"]
print(f"scorch {s*1000:.0f} ms, flamegraph.pl {p*1000:.0f} ms: {p/s:.1f}x faster")
a, b = os.path.getsize(f"{out}/scorch.svg"), os.path.getsize(f"{out}/flamegraph.svg")
c = os.path.getsize(f"{out}/scorch-compact.svg")
print(f"SVG bytes: scorch {a}, --compact {c}, flamegraph.pl {b}: {100*a/b:.0f}% and {100*c/b:.1f}%")
for f in ("scorch.svg", "scorch-compact.svg", "flamegraph.svg"):
    t = open(f"{out}/{f}").read()
    print(f"{f}: {t.count('<g>') + t.count('<g ')} groups, {t.count('<rect')} rects, {t.count('<text')} texts")
PY
for cmd in "build/scorch render $out/profile.folded -o $out/scorch.svg" "perl $FG/flamegraph.pl $out/profile.folded"; do
  /usr/bin/time -v $cmd 2>&1 >/dev/null | awk -v c="${cmd%% *}" '/Maximum resident/ {printf "%-14s peak RSS %.1f MB\n", c, $6/1024}'
done
