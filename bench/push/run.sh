#!/usr/bin/env bash
# Continuous mode's cost: `scorch record --push` (10 s intervals, 99 Hz, every CPU) to the
# test ingest server for MINUTES (default 10), beside a plain `scorch record` of the same
# length. Samples each one's RSS every 10 s (flat memory: the pushed one resets its counts
# every interval) and reports CPU seconds, RSS first/last/max, and the delivered totals.
#   bench/push/run.sh [MINUTES]      (root; writes bench/out/push/)
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-10}
secs=$((minutes * 60))
S=$PWD/build/scorch
out=bench/out/push; rm -rf "$out"; mkdir -p "$out"
/usr/bin/python3 tests/scripts/pyroscope_server.py "$out/port" "$out/received.jsonl" &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
for i in $(seq 50); do [ -s "$out/port" ] && break; sleep 0.1; done
/usr/bin/time -f '%U %S %M' -o "$out/push.time" \
  "$S" record -q -F 99 -d "$secs" --every 10s --push "http://127.0.0.1:$(cat "$out/port")" \
  2> "$out/push.err" &
push=$!
/usr/bin/time -f '%U %S %M' -o "$out/plain.time" \
  "$S" record -q -F 99 -d "$secs" -o "$out/plain.folded" 2> "$out/plain.err" &
plain=$!
sleep 1
ppid=$(pgrep -P "$push" -x scorch); lpid=$(pgrep -P "$plain" -x scorch)
echo "t_s push_rss_kb plain_rss_kb" > "$out/rss.txt"
t=0
while kill -0 "$ppid" 2>/dev/null; do
  echo "$t $(awk '/VmRSS/ { print $2 }' /proc/$ppid/status 2>/dev/null || echo 0) $(awk '/VmRSS/ { print $2 }' /proc/$lpid/status 2>/dev/null || echo 0)" >> "$out/rss.txt"
  sleep 10; t=$((t + 10))
done
wait "$push" "$plain"
read -r pu ps pm < "$out/push.time"; read -r lu ls lm < "$out/plain.time"
/usr/bin/python3 - "$out" "$secs" "$pu" "$ps" "$pm" "$lu" "$ls" "$lm" <<'PY'
import json, sys
out, secs = sys.argv[1], int(sys.argv[2])
pu, ps, pm, lu, ls, lm = map(float, sys.argv[3:])
rows = [list(map(int, l.split())) for l in open(out + "/rss.txt").read().split("\n")[1:] if l]
recs = [json.loads(l) for l in open(out + "/received.jsonl")]
bad = [r for r in recs if "violation" in r]
pushed = sum(r.get("total", 0) for r in recs)
plain = sum(int(l.rsplit(" ", 1)[1]) for l in open(out + "/plain.folded"))
half = len(rows) // 2
print(f"{secs} s at 99 Hz on every CPU; {len(recs)} profiles received, {len(bad)} refused")
print(f"push : CPU {pu + ps:.1f} s ({100 * (pu + ps) / secs:.2f}% of one CPU), "
      f"RSS first {rows[0][1] / 1024:.1f} MB, mid {rows[half][1] / 1024:.1f} MB, "
      f"last {rows[-1][1] / 1024:.1f} MB, max {pm / 1024:.1f} MB; {pushed} samples delivered")
print(f"plain: CPU {lu + ls:.1f} s ({100 * (lu + ls) / secs:.2f}% of one CPU), "
      f"RSS first {rows[0][2] / 1024:.1f} MB, mid {rows[half][2] / 1024:.1f} MB, "
      f"last {rows[-1][2] / 1024:.1f} MB, max {lm / 1024:.1f} MB; {plain} samples")
print(f"ratios push/plain: CPU {(pu + ps) / max(lu + ls, 1e-9):.2f}x, max RSS {pm / lm:.2f}x, "
      f"samples {pushed / plain:.4f}")
PY
