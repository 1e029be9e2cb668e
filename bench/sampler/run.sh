#!/usr/bin/env bash
# Cost of sampling, side by side in one run: scorch record, bpftrace
# (profile:hz:N { @[kstack, ustack, comm] = count(); }) and perf record -a -g + perf script.
#  1. BPF cost per sample (kernel.bpf_stats_enabled: run_time_ns / run_cnt), 999 Hz, loaded CPUs
#  2. extra wall time of a 1 s system-wide recording (start, symbolize, write), and peak RSS
#  3. slowdown of a fixed-work CPU-bound program while each tool samples at 99, 999, 4999 Hz
# Needs root. Run: bench/sampler/run.sh   (apt-get install -y bpftrace linux-perf hyperfine time)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 2; }
for t in bpftrace perf hyperfine bpftool /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench: needs $t" >&2; exit 2; }
done
cmake --build build --target scorch scorch_benchwork >/dev/null
S=$PWD/build/scorch W=$PWD/build/scorch_benchwork
out=bench/out/sampler; mkdir -p "$out"
BT_PROG='profile:hz:%s { @[kstack, ustack, comm] = count(); }'

echo "== 1. BPF cost per sample (999 Hz, both CPUs busy) =="
sysctl -qw kernel.bpf_stats_enabled=1
( "$W" 4000 & "$W" 4000 & wait ) & load=$!
sleep 0.3
prog_cost() { # name-regex: run_time_ns/run_cnt of the loaded perf_event program
  bpftool prog show -j | python3 -c '
import json, re, sys
for p in json.load(sys.stdin):
    if p.get("type") == "perf_event" and re.search(sys.argv[1], p.get("name", "")) and p.get("run_cnt"):
        print("%.0f ns per sample (%d samples)" % (p["run_time_ns"] / p["run_cnt"], p["run_cnt"]))' "$1"
}
"$S" record -F 999 -d 4 -o /dev/null 2>/dev/null & pid=$!; sleep 3.5
echo "scorch:   $(prog_cost "^do_sample$")"; wait $pid || true
bpftrace -e "$(printf "$BT_PROG" 999) interval:s:4 { exit(); }" >/dev/null 2>&1 & pid=$!; sleep 3.5
echo "bpftrace: $(prog_cost ".")"; wait $pid || true
kill $load 2>/dev/null || true; wait $load 2>/dev/null || true
pkill -f scorch_benchwork || true
sysctl -qw kernel.bpf_stats_enabled=0

echo "== 2. a 1 s system-wide recording at 99 Hz: wall time and peak RSS =="
cat > "$out/perf.sh" <<EOF
perf record -q -a -g -F 99 -o $out/perf.data -- sleep 1 2>/dev/null && perf script -i $out/perf.data > /dev/null 2>&1
EOF
hyperfine -N -w 1 -r 5 --export-json "$out/wall.json" \
  "$S record -F 99 -d 1 -q -o $out/scorch.folded" \
  "bpftrace -e '$(printf "$BT_PROG" 99) interval:s:1 { exit(); }' -o $out/bpftrace.txt" \
  "bash $out/perf.sh" 2>&1 | grep -E 'Benchmark|Time'
python3 - "$out/wall.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
names = ["scorch", "bpftrace", "perf record + script"]
extra = [x["mean"] - 1.0 for x in r]
for n, e in zip(names, extra):
    print(f"{n:22s} extra wall time {e*1000:7.0f} ms")
print(f"scorch's extra time is {100*extra[0]/extra[1]:.0f}% of bpftrace's")
PY
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {printf "%.1f MB", $6/1024}'; }
echo "peak RSS: scorch $(rss "$S" record -F 99 -d 1 -q -o /dev/null), bpftrace $(rss bpftrace -e "$(printf "$BT_PROG" 99) interval:s:1 { exit(); }"), perf record $(rss perf record -q -a -g -F 99 -o $out/perf.data -- sleep 1), perf script $(rss perf script -i $out/perf.data)"

echo "== 3. slowdown of a fixed-work program (wall time, 3 runs each) =="
work_time() { # best of 3
  local best=999
  for i in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$W" 600; t1=$(date +%s.%N)
    best=$(echo "$t0 $t1 $best" | awk '{ d = $2 - $1; print (d < $3 ? d : $3) }')
  done
  echo "$best"
}
base=$(work_time)
echo "no sampling: ${base} s"
for hz in 99 999 4999; do
  "$S" record -F $hz -o /dev/null -q 2>/dev/null & p=$!; sleep 0.5
  ts=$(work_time); kill -INT $p; wait $p 2>/dev/null || true
  bpftrace -e "$(printf "$BT_PROG" $hz)" >/dev/null 2>&1 & p=$!; sleep 1.5
  tb=$(work_time); kill -INT $p; wait $p 2>/dev/null || true
  perf record -q -a -g -F $hz -o $out/perf-slow.data >/dev/null 2>&1 & p=$!; sleep 0.5
  tp=$(work_time); kill -INT $p; wait $p 2>/dev/null || true
  echo "$hz Hz: scorch $ts s, bpftrace $tb s, perf $tp s" | awk -v b="$base" '{
    printf "%s %s scorch %+.1f%%, bpftrace %+.1f%%, perf %+.1f%%\n", $1, $2,
      100 * ($4 / b - 1), 100 * ($7 / b - 1), 100 * ($10 / b - 1) }'
done
