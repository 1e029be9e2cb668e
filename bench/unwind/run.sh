#!/usr/bin/env bash
# Cost of `scorch record --call-graph dwarf` (user stacks copied in BPF, unwound in user space
# with CFI), side by side in one run with scorch --call-graph fp and perf record --call-graph
# dwarf (+ perf script, which unwinds). Two workloads without frame pointers: truth-leaf
# (/work/shared/workloads/truth-leaf.c, gcc -O2 -g -fomit-frame-pointer) and Debian's
# /usr/bin/python3.11 running bench/unwind/work.py (recursive fib + string parsing).
#  1. BPF cost per sample (kernel.bpf_stats_enabled: run_time_ns / run_cnt of do_sample),
#     dwarf vs fp, 999 Hz, -p on two copies of the workload (both CPUs busy), 2 runs each
#  2. extra wall time of recording a 3 s run of the workload (hyperfine mean - 3 s; perf counts
#     record + script), CPU time (user+sys, children included) and peak RSS (/usr/bin/time -v,
#     under bench/unwind/reap.py, which also counts the helpers perf script leaves unreaped),
#     bytes written (scorch's folded file vs perf.data)
#  3. slowdown of a fixed amount of work (truth-leaf nR, work.py nR; ~1.5 s) while each tool
#     records it (-p, attached while the process is stopped), 99 and 999 Hz; best of 5,
#     interleaved with runs alone
#  4. what the per-PC rule cache buys: "us/stack unwinding" with the default unwinder vs
#     SCORCH_UNWIND=libdw (plain dwfl_getthread_frames), 999 Hz, 3 s
# Needs root and an otherwise idle machine (no other profiler running). Takes about 7 minutes.
# The python timings drift on a shared VM (the same fixed work took 1.1 to 2.0 s alone here).
# Run: bench/unwind/run.sh   (SCORCH=path/to/scorch: that binary instead of building build/scorch)
#      (apt-get install -y linux-perf hyperfine bpftool time gcc python3.11)
# Outputs in bench/out/unwind/ (summary.txt: the summary printed at the end).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 2; }
for t in perf hyperfine bpftool /usr/bin/time taskset gcc /usr/bin/python3.11 python3; do
  command -v "$t" >/dev/null || { echo "bench: needs $t" >&2; exit 2; }
done
do_sample_ids() { # ids of the loaded perf_event programs named do_sample
  bpftool prog show -j | python3 -c '
import json, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin)
               if p.get("type") == "perf_event" and p.get("name") == "do_sample"))'
}
if [ -n "$(do_sample_ids)" ] || pgrep -x perf >/dev/null; then
  echo "bench: another scorch or perf is recording; run this on an otherwise idle machine" >&2
  exit 2
fi
idle=$( { head -1 /proc/stat; sleep 1; head -1 /proc/stat; } | awk '
  { t = 0; for (i = 2; i <= NF; i++) t += $i; id = $5 + $6 }
  NR == 1 { t0 = t; i0 = id } NR == 2 { printf "%.0f", 100 * (id - i0) / (t - t0) }')
[ "$idle" -ge 90 ] || { echo "bench: the CPUs are only ${idle}% idle; run this on an idle machine" >&2; exit 2; }
if [ -n "${SCORCH:-}" ]; then S=$SCORCH; else cmake --build build --target scorch >/dev/null; S=$PWD/build/scorch; fi
out=bench/out/unwind; mkdir -p "$out"; rm -f "$out"/*.err "$out"/*.data "$out"/*.data.old
gcc -O2 -g -fomit-frame-pointer -o "$out/truth-leaf-nofp" /work/shared/workloads/truth-leaf.c
# the workloads: argv prefix (no spaces in paths), then SECONDS or nROUNDS
W_leaf="$PWD/$out/truth-leaf-nofp"
W_py="/usr/bin/python3.11 $PWD/bench/unwind/work.py"
R_leaf=115 R_py=1050            # rounds for ~1.5 s of work (section 3)
WLS="leaf py"
sum=$out/summary.txt; : > "$sum"
note() { echo "$*" | tee -a "$sum"; }
dwarf_line() { grep -h 'dwarf:' "$@" | sed 's/^scorch: record: dwarf: //'; }
dwarf_total() { # the dwarf summary lines of these stderr files, added up
  cat "$@" | python3 -c '
import re, sys
keys = ["user stacks", "whole", "past the copy", "without CFI", "unwind errors", "too deep",
        "copies cut", "unreadable", "ring-buffer drops"]
tot = dict.fromkeys(keys, 0); n = 0
for line in sys.stdin:
    if "dwarf:" not in line:
        continue
    n += 1
    for k in keys:
        tot[k] += int(re.search(r"(\d+) " + re.escape(k), line).group(1))
print("%d recordings, %d user stacks, %d whole (%.2f%%); truncated: %d past the copy, %d without CFI, "
      "%d unwind errors, %d too deep; %d copies cut, %d unreadable; %d ring-buffer drops"
      % ((n,) + tuple(tot[k] for k in keys[:2]) + (100 * tot["whole"] / max(tot["user stacks"], 1),)
         + tuple(tot[k] for k in keys[2:])))'
}
fp_total() { # samples and failed stacks in the fp recordings' stderr files
  cat "$@" | awk '/ samples \(/ { n++; s += $3; sub(/.*lost, /, ""); f += $1 }
    END { printf "%d recordings, %d samples, %d with a failed stack (%.1f%%)\n", n, s, f, 100 * f / (s ? s : 1) }'
}

# Other work on the machine skews every figure here: bench/unwind/watch.py logs each 2 s in
# which processes outside this script used more than 10% of a CPU; the summary says so.
echo setup > "$out/section"; : > "$out/foreign.log"
python3 bench/unwind/watch.py "$$" "$out/section" "$out/foreign.log" & watcher=$!

echo 1 > "$out/section"; echo "== 1. BPF cost per sample (999 Hz, -p two copies of the workload; 2 runs per mode, pooled) =="
sysctl -qw kernel.bpf_stats_enabled=1
prog_stats() { # ids loaded before -> "RUN_TIME_NS RUN_CNT" of the do_sample program loaded since
  bpftool prog show -j | python3 -c '
import json, sys
old = set(sys.argv[1].split())
ps = [p for p in json.load(sys.stdin) if p.get("type") == "perf_event"
      and p.get("name") == "do_sample" and str(p["id"]) not in old and p.get("run_cnt")]
print("%d %d" % (ps[0]["run_time_ns"], ps[0]["run_cnt"]) if len(ps) == 1 else "0 0")' "$1"
}
declare -A BPF BPF_NS BPF_CNT
for w in $WLS; do
  wv=W_$w
  for mode in dwarf fp fp dwarf; do   # alternated: drifts in the VM's speed hit both modes
    ${!wv} 6 & a=$!; ${!wv} 6 & b=$!
    sleep 0.3
    before=$(do_sample_ids)
    "$S" record -F 999 -d 4 -p "$a,$b" --call-graph $mode -q -o "$out/bpf-$w-$mode.folded" \
      2>>"$out/bpf-$w-$mode.err" & r=$!
    sleep 3.5
    read -r ns cnt <<<"$(prog_stats "$before")"
    BPF_NS[$w-$mode]=$(( ${BPF_NS[$w-$mode]:-0} + ns )); BPF_CNT[$w-$mode]=$(( ${BPF_CNT[$w-$mode]:-0} + cnt ))
    echo "$w $mode: $(( cnt ? ns / cnt : 0 )) ns per sample ($cnt runs)"
    wait $r || true; kill $a $b 2>/dev/null || true; wait $a $b 2>/dev/null || true
  done
  for mode in dwarf fp; do
    BPF[$w-$mode]=$(( BPF_CNT[$w-$mode] ? BPF_NS[$w-$mode] / BPF_CNT[$w-$mode] : 0 ))
  done
done
sysctl -qw kernel.bpf_stats_enabled=0

echo 2 > "$out/section"; echo "== 2. recording a 3 s run: wall time (hyperfine), CPU time, peak RSS, bytes =="
declare -A WALL CPU RSS BYTES TCPU TRSS
for w in $WLS; do
  wv=W_$w
  cat > "$out/perf-$w.sh" <<EOF
perf record -q --call-graph dwarf -F 999 -o $out/wall-$w.data -- ${!wv} 3 >/dev/null 2>&1 &&
perf script -i $out/wall-$w.data >/dev/null 2>&1
EOF
  # under reap.py: the addr2line helpers perf script leaves behind stay in this tree
  python3 bench/unwind/reap.py /dev/null hyperfine -N -w 1 -r 3 --export-json "$out/wall-$w.json" \
    "${!wv} 3" \
    "$S record -F 999 --call-graph dwarf -q -o $out/wall-$w-dwarf.folded -- ${!wv} 3" \
    "$S record -F 999 --call-graph fp -q -o $out/wall-$w-fp.folded -- ${!wv} 3" \
    "bash $out/perf-$w.sh" 2>&1 | grep -E 'Benchmark|Time'
  read -r WALL[$w-none] WALL[$w-dwarf] WALL[$w-fp] WALL[$w-perf] <<<"$(python3 -c '
import json, sys
print(" ".join("%.0f" % (1000 * (r["mean"] - 3.0)) for r in json.load(open(sys.argv[1]))["results"]))
' "$out/wall-$w.json")"
  # CPU time (user + sys of the tool and its children, so the workload's too) and peak RSS
  # (the largest of the tool and its children). /usr/bin/time -v counts only the children the
  # tool waits for, and perf script leaves its addr2line helpers unreaped: reap.py, a child
  # subreaper around /usr/bin/time, reaps them and counts them too (both figures are kept).
  tv() { # name command...: stderr of the command kept in $out/time-$w-name.err
    local n=$1 rss; shift
    python3 bench/unwind/reap.py "$out/reap-$w-$n.txt" /usr/bin/time -v -o "$out/time-$w-$n.txt" \
      "$@" >/dev/null 2>"$out/time-$w-$n.err"
    read -r _ "CPU[$w-$n]" rss < "$out/reap-$w-$n.txt"
    RSS[$w-$n]=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
    TCPU[$w-$n]=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$out/time-$w-$n.txt")
    TRSS[$w-$n]=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$out/time-$w-$n.txt")
  }
  tv none ${!wv} 3
  tv dwarf "$S" record -F 999 --call-graph dwarf -q -o "$out/time-$w-dwarf.folded" -- ${!wv} 3
  tv fp "$S" record -F 999 --call-graph fp -q -o "$out/time-$w-fp.folded" -- ${!wv} 3
  tv perf perf record -q --call-graph dwarf -F 999 -o "$out/time-$w.data" -- ${!wv} 3
  tv script perf script -i "$out/time-$w.data"
  BYTES[$w-dwarf]=$(stat -c %s "$out/time-$w-dwarf.folded")
  BYTES[$w-fp]=$(stat -c %s "$out/time-$w-fp.folded")
  BYTES[$w-perf]=$(stat -c %s "$out/time-$w.data")
  for n in none dwarf fp perf script; do
    echo "$w $n: cpu ${CPU[$w-$n]} s, peak RSS ${RSS[$w-$n]} MB (/usr/bin/time -v: ${TCPU[$w-$n]} s, ${TRSS[$w-$n]} MB)"
  done
done

echo 3 > "$out/section"; echo "== 3. slowdown of a fixed amount of work (best of 5, interleaved) =="
timed() { # w tool hz -> wall seconds of one run of the fixed work while tool records it
  local w=$1 tool=$2 hz=$3 wv=W_$1 rv=R_$1 p r=
  bash -c 'kill -STOP $$; exec "$@"' _ ${!wv} n${!rv} & p=$!
  until [ "$(awk '{ print $3 }' /proc/$p/stat 2>/dev/null)" = T ]; do sleep 0.01; done
  case $tool in
    dwarf|fp) "$S" record -F "$hz" --call-graph "$tool" -p "$p" -q -o "$out/slow.folded" \
                2>>"$out/slow-$w-$tool-$hz.err" & r=$! ;;
    perf) perf record -q --call-graph dwarf -F "$hz" -p "$p" -o "$out/slow.data" \
                >/dev/null 2>&1 & r=$! ;;
  esac
  [ -z "$r" ] || sleep 0.7               # attached (BPF loaded / perf events opened)
  local t0 t1
  t0=$(date +%s.%N); kill -CONT "$p"; wait "$p"; t1=$(date +%s.%N)
  if [ -n "$r" ]; then kill -INT "$r" 2>/dev/null || true; wait "$r" 2>/dev/null || true; fi
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
declare -A SLOW BEST WORST
for w in $WLS; do
  # rounds of (alone, dwarf, fp, perf), best of 5 per tool and rate; the alone time is the best
  # of all 10 alone runs. Interleaved because this VM's speed drifts (python: 1.1-2.0 s alone).
  for hz in 99 999; do
    for i in 1 2 3 4 5; do
      for tool in none dwarf fp perf; do
        k=$w-$tool-$hz; [ $tool = none ] && k=$w-none
        t=$(timed "$w" "$tool" "$hz")
        BEST[$k]=$(awk -v x="$t" -v y="${BEST[$k]:-999}" 'BEGIN { print (x < y ? x : y) }')
        if [ $tool = none ]; then
          WORST[$w]=$(awk -v x="$t" -v y="${WORST[$w]:-0}" 'BEGIN { print (x > y ? x : y) }')
        fi
      done
    done
  done
  base=${BEST[$w-none]}; SLOW[$w-base]=$base
  echo "$w alone: $base s (10 runs: $base - ${WORST[$w]} s)"
  for hz in 99 999; do
    line="$w $hz Hz:"
    for tool in dwarf fp perf; do
      t=${BEST[$w-$tool-$hz]}
      SLOW[$w-$tool-$hz]=$(awk -v t="$t" -v b="$base" 'BEGIN { printf "%+.1f", 100 * (t / b - 1) }')
      line+=" $tool $t s (${SLOW[$w-$tool-$hz]}%)"
    done
    echo "$line"
  done
done
rm -f "$out"/*.data.old "$out/slow.data"

echo 4 > "$out/section"; echo "== 4. unwinding time per stack: per-PC rule cache vs plain libdw (999 Hz, 3 s, 3 runs each) =="
# The figure is wall time around each unwind: scorch goes on CPU 0 and the workload on CPU 1, or
# the figure also counts the time scorch waits while the workload has the CPU.
declare -A UNW UNWALL UNWFAIL
for w in $WLS; do
  wv=W_$w
  for i in 1 2 3; do
    for m in cache libdw; do
      e=(); [ $m = cache ] || e=(SCORCH_UNWIND=libdw)
      f=$out/unw-$w-$m-$i.err
      if ! env "${e[@]}" taskset -c 0 "$S" record -F 999 -q -o "$out/unw-$w-$m.folded" -- \
          taskset -c 1 ${!wv} 3 2>"$f"; then
        UNWFAIL[$w-$m]=$(( ${UNWFAIL[$w-$m]:-0} + 1 ))
        echo "$w $m run $i: FAILED: $(tail -1 "$f")"; mv "$f" "$f.failed"; continue
      fi
      UNWALL[$w-$m]+="$(sed -n 's|.*; \([0-9.]*\) us/stack unwinding.*|\1|p' "$f") "
      echo "$w $m run $i: $(dwarf_line "$f")"
    done
  done
  for m in cache libdw; do
    UNW[$w-$m]=$(echo ${UNWALL[$w-$m]:-} | tr ' ' '\n' | sort -g | head -1)
  done
done
echo summary > "$out/section"; kill $watcher 2>/dev/null || true; wait $watcher 2>/dev/null || true
echo
note "== summary (bench/unwind/run.sh, $(date -u +%Y-%m-%dT%H:%MZ); $S; perf $(perf version | awk '{ print $3 }')) =="
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "-" && r <= t ? "met" : "NOT met") }'; }
for w in $WLS; do
  note "-- $w --"
  r=$(ratio "${BPF[$w-dwarf]}" "${BPF[$w-fp]}")
  note "1. BPF ns/sample: dwarf ${BPF[$w-dwarf]}, fp ${BPF[$w-fp]}; dwarf/fp ${r}x (target <= 1.0x: $(verdict "$r" 1.0))"
  pe=${WALL[$w-perf]}
  r=$(ratio "${WALL[$w-dwarf]}" "$pe")
  note "2. extra wall ms over 3 s: workload alone ${WALL[$w-none]}, scorch dwarf ${WALL[$w-dwarf]}, scorch fp ${WALL[$w-fp]}, perf record+script $pe; dwarf/perf ${r}x (target <= 0.1x: $(verdict "$r" 0.1))"
  note "   cpu s (user+sys, with the workload and every helper): alone ${CPU[$w-none]}, scorch dwarf ${CPU[$w-dwarf]}, fp ${CPU[$w-fp]}, perf record ${CPU[$w-perf]}, perf script ${CPU[$w-script]} (/usr/bin/time -v: ${TCPU[$w-script]})"
  r=$(ratio "${RSS[$w-dwarf]}" "${RSS[$w-perf]}")
  note "   peak RSS MB: alone ${RSS[$w-none]}, scorch dwarf ${RSS[$w-dwarf]}, fp ${RSS[$w-fp]}, perf record ${RSS[$w-perf]}, perf script ${RSS[$w-script]}; dwarf/perf record ${r}x (target <= 0.5x: $(verdict "$r" 0.5))"
  note "   bytes written: scorch dwarf ${BYTES[$w-dwarf]}, fp ${BYTES[$w-fp]}, perf.data ${BYTES[$w-perf]}; dwarf/perf $(ratio "${BYTES[$w-dwarf]}" "${BYTES[$w-perf]}")x"
  note "3. slowdown (alone best ${SLOW[$w-base]} s, worst ${WORST[$w]} s): 99 Hz dwarf ${SLOW[$w-dwarf-99]}%, fp ${SLOW[$w-fp-99]}%, perf ${SLOW[$w-perf-99]}%; 999 Hz dwarf ${SLOW[$w-dwarf-999]}%, fp ${SLOW[$w-fp-999]}%, perf ${SLOW[$w-perf-999]}%"
  note "4. us/stack unwinding, best of 3 (all): rule cache ${UNW[$w-cache]} (${UNWALL[$w-cache]:-}), libdw ${UNW[$w-libdw]} (${UNWALL[$w-libdw]:-}); libdw/cache $(ratio "${UNW[$w-libdw]}" "${UNW[$w-cache]}")x; failed recordings: cache ${UNWFAIL[$w-cache]:-0}, libdw ${UNWFAIL[$w-libdw]:-0}"
  note "   all dwarf recordings: $(dwarf_total "$out"/{bpf,time,slow,unw}-"$w"-*.err)"
  note "   all fp recordings: $(fp_total "$out"/{bpf,time,slow}-"$w"-fp*.err)"
done
if [ -s "$out/foreign.log" ]; then
  note "DISTURBED: other processes used CPU in $(wc -l < "$out/foreign.log") 2 s intervals, in sections $(awk '{ print $3 }' "$out/foreign.log" | tr -d : | sort -u | tr '\n' ' ')(see $out/foreign.log)"
else
  note "undisturbed: no other process used more than 10% of a CPU in any 2 s of the run"
fi
