#!/usr/bin/env bash
# Hostile inputs against random inputs of the same size, scorch against itself: each
# adversarial case must take under 10x its random twin (issue: algorithmic attacks).
#  1. 40k folded names crafted to collide in one bucket of scorch's former unkeyed hash
#     (bench/adversarial/gencollide.c), rendered; twin: 40k random names of the same shape
#  2. a 100 KB perf script line of spaces; twin: a 100 KB line of words
#  3. a bpftrace dump of 40k maps; twin: 40k entries of one map
#  4. a 64 MB folded line arriving on a pipe; twin: 64 MB of ordinary folded lines on a pipe
#  5. a 1.1 MB pprof whose samples name an 8,000-line location 50 times each (8 G frames,
#     refused past a budget); twin: 1.1 MB of ordinary samples (bench/adversarial/genpprof.py)
# Best of 3 wall times. Run: bench/adversarial/run.sh [SCORCH]  (default build/scorch)
set -euo pipefail
cd "$(dirname "$0")/../.."
S=${1:-$PWD/build/scorch}
out=bench/out/adversarial; mkdir -p "$out"
cc -O2 -o "$out/gencollide" bench/adversarial/gencollide.c
"$out/gencollide" 40000 crafted > "$out/crafted.folded"
"$out/gencollide" 40000 random > "$out/random.folded"
python3 - "$out" <<'PY'
import random, sys
out = sys.argv[1]
random.seed(1)
open(f"{out}/spaces.perf", "w").write("x" + " " * 100000 + "\n")
open(f"{out}/words.perf", "w").write(" ".join("w%d" % random.randrange(10**6) for _ in range(12500))[:100001] + "\n")
with open(f"{out}/maps.bt", "w") as f:
    for i in range(40000): f.write("@m%d[\n    f+1\n]: 3\n" % i)
with open(f"{out}/onemap.bt", "w") as f:
    for i in range(40000): f.write("@m[\n    f%d+1\n]: 3\n" % i)
PY
python3 bench/adversarial/genpprof.py "$out/bomb.pb"
python3 bench/adversarial/genpprof.py "$out/honest.pb" honest
best() { # best of 3 wall seconds of a shell command
  local b=999
  for i in 1 2 3; do
    local t0 t1; t0=$(date +%s.%N); bash -c "$1" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    b=$(echo "$t0 $t1 $b" | awk '{ d = $2 - $1; print (d < $3 ? d : $3) }')
  done
  echo "$b"
}
row() { # name adversarial-cmd twin-cmd
  local a t; a=$(best "$2"); t=$(best "$3")
  awk -v n="$1" -v a="$a" -v t="$t" 'BEGIN { r = a / t; printf "%-34s %8.3f s  %8.3f s  %6.2fx  %s\n", n, a, t, r, r < 10 ? "ok" : "TOO SLOW" }'
}
printf "%-34s %10s  %10s  %7s\n" "case" "hostile" "random" "ratio"
row "render: 40k crafted names" "$S render $out/crafted.folded" "$S render $out/random.folded"
row "collapse: 100 KB line of spaces" "$S collapse --format perf $out/spaces.perf" "$S collapse --format perf $out/words.perf"
row "collapse: 40k bpftrace maps" "$S collapse $out/maps.bt" "$S collapse $out/onemap.bt"
row "collapse: 64 MB line on a pipe" \
  "python3 -c \"import sys; sys.stdout.write('a;' + 'x' * (64 << 20) + ' 1\\\\n')\" | $S collapse" \
  "python3 -c \"import sys; sys.stdout.write(('a;' + 'x' * 62 + ' 1\\\\n') * (1 << 20))\" | $S collapse"
row "collapse: 1.1 MB pprof frame bomb" "$S collapse --format pprof $out/bomb.pb" "$S collapse --format pprof $out/honest.pb"
