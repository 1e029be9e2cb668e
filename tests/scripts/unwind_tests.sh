#!/usr/bin/env bash
# Real-kernel tests of --call-graph dwarf (root, BPF, perf events): whole user stacks without
# frame pointers, the caller a frame-pointer walk loses, Debian's python3 beside perf's own
# DWARF unwinding, processes that exit or exec during the recording, kernel frames on top of
# complete user stacks, every failure counted, and the per-PC rule cache against plain libdw.
#   unwind_tests.sh SCORCH FIXTURES_BIN_DIR TEST
# A test skips (exit 77) only when the kernel refuses BPF or perf events to root, and says so.
set -u
SCORCH=$1 BIN=$2 TEST=$3
HERE=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

. "$(dirname "$0")/probe.sh"

# sum of the counts of the lines matching an extended regex (all lines without one)
total() { if [ $# -gt 1 ]; then grep -E "$2" "$1"; else cat "$1"; fi | awk '{ t += $NF } END { print t + 0 }'; }
# percent a of b, one decimal
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", b ? 100 * a / b : 0 }'; }
# asserts |got - want| <= tol
near() { awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; }
# inclusive share of every function in a folded file (each once per stack): "name pct"
shares() {
  awk '{ n = split($1, a, ";"); delete seen
         for (i = 2; i <= n; i++) if (!(a[i] in seen)) { seen[a[i]] = 1; h[a[i]] += $NF }
         t += $NF }
       END { for (f in h) printf "%s %.2f\n", f, 100 * h[f] / t }' "$1" | sort
}
record() { # record OUT.folded ERR [scorch options] -- CMD...
  local out=$1 err=$2; shift 2
  "$SCORCH" record -q -o "$out" "$@" 2>"$err" || fail "record $*: exit $?: $(cat "$err")"
}
# the 50/30/20 split of truth-leaf within 3 points, and the share of its samples naming the
# whole chain main;truth_round;X_mid;X_leaf;spin
check_leaf() {
  local f=$1 all
  all=$(total "$f")
  [ "$all" -ge 1500 ] || fail "only $all samples"
  for pair in alpha:50 beta:30 gamma:20; do
    local x=${pair%:*} want=${pair#*:} got
    got=$(pct "$(total "$f" ";${x}_leaf;spin ")" "$all")
    near "$got" "$want" 3 || fail "${x}_leaf: $got% of $all samples, want $want% +-3"
    echo "${x}_leaf: $got% (want $want%)"
  done
}

case $TEST in
no-frame-pointers)
  # -O2 -fomit-frame-pointer: the kernel's frame-pointer walk sees only spin; dwarf sees all
  record "$tmp/d.folded" "$tmp/err" -F 999 -- "$BIN/truth-leaf-nofp" 3
  cat "$tmp/err"
  check_leaf "$tmp/d.folded"
  all=$(total "$tmp/d.folded")
  whole=$(total "$tmp/d.folded" '^truth-leaf-nofp;_start;__libc_start_main[a-z_]*;__libc_start_call_main;main;truth_round;(alpha|beta|gamma)_mid;(alpha|beta|gamma)_leaf;spin ')
  share=$(pct "$whole" "$all")
  echo "whole chain _start..main;truth_round;*_mid;*_leaf;spin: $share% of $all samples"
  awk -v s="$share" 'BEGIN { exit !(s >= 99) }' || {
    grep -vE ';(alpha|beta|gamma)_leaf;spin ' "$tmp/d.folded" | sort -t' ' -k2 -nr | head -5
    fail "want at least 99% (above: the stacks that are not whole)"; }
  # the same binary with frame pointers walked by the kernel loses all but the leaf
  record "$tmp/fp.folded" "$tmp/err" -F 999 --call-graph fp -- "$BIN/truth-leaf-nofp" 1
  fpwhole=$(pct "$(total "$tmp/fp.folded" ';main;truth_round;')" "$(total "$tmp/fp.folded")")
  echo "--call-graph fp on the same binary: $fpwhole% reach main;truth_round"
  awk -v s="$fpwhole" 'BEGIN { exit !(s < 50) }' || fail "fp walk unexpectedly whole: the test cannot tell the modes apart"
  ;;
frame-pointers)
  # with frame pointers the frameless leaf spin hides its caller *_leaf from an fp walk
  record "$tmp/d.folded" "$tmp/err" -F 999 -- "$BIN/truth-leaf-fp" 3
  check_leaf "$tmp/d.folded"
  mid=$(total "$tmp/d.folded" ';alpha_mid;')
  leaf=$(total "$tmp/d.folded" ';alpha_mid;alpha_leaf;spin ')
  got=$(pct "$leaf" "$mid")
  echo "alpha_leaf in $got% of alpha_mid's $mid samples"
  awk -v s="$got" 'BEGIN { exit !(s >= 90) }' || fail "want at least 90%"
  record "$tmp/fp.folded" "$tmp/err" -F 999 --call-graph fp -- "$BIN/truth-leaf-fp" 1
  lost=$(pct "$(total "$tmp/fp.folded" ';alpha_mid;alpha_leaf;spin ')" "$(total "$tmp/fp.folded" ';alpha_mid;')")
  echo "--call-graph fp: alpha_leaf in $lost% of alpha_mid's samples"
  ;;
python)
  # Debian's python3 (no frame pointers): whole stacks, and the same shares as perf's own
  # DWARF unwinding of the same script in the same test
  PY=/usr/bin/python3.11
  [ -x "$PY" ] || PY=/usr/bin/python3
  record "$tmp/s.folded" "$tmp/err" -F 999 -- "$PY" "$HERE/cpu_work.py" 3
  cat "$tmp/err"
  all=$(total "$tmp/s.folded")
  main=$(pct "$(total "$tmp/s.folded" ';(main|Py_BytesMain);')" "$all")
  echo "scorch: $main% of $all samples reach Py_BytesMain"
  awk -v s="$main" 'BEGIN { exit !(s >= 95) }' || fail "want at least 95%"
  perf record -q --call-graph dwarf -F 999 -o "$tmp/perf.data" -- "$PY" "$HERE/cpu_work.py" 3 \
    >/dev/null 2>"$tmp/perf.err" || fail "perf record: $(cat "$tmp/perf.err")"
  perf script -i "$tmp/perf.data" 2>/dev/null > "$tmp/perf.txt"
  "$SCORCH" collapse -q "$tmp/perf.txt" -o "$tmp/p.folded" || fail "collapse perf script"
  pall=$(total "$tmp/p.folded")
  echo "perf: $(pct "$(total "$tmp/p.folded" ';(main|Py_BytesMain);')" "$pall")% of its samples reach Py_BytesMain"
  # glibc's entry point has two names at one address: perf picks the local one
  shares "$tmp/s.folded" > "$tmp/s.shares"
  shares "$tmp/p.folded" | sed 's/^__libc_start_main_impl /__libc_start_main /' > "$tmp/p.shares"
  join -a1 -a2 -e 0 -o 0,1.2,2.2 "$tmp/s.shares" "$tmp/p.shares" |
    awk '$2 > 5 || $3 > 5 { d = $2 - $3; if (d < 0) d = -d; n++
           printf "%-34s scorch %6.2f%%  perf %6.2f%%  %s\n", $1, $2, $3, d <= 3 ? "ok" : "DIFFERS"
           if (d > 3) bad++ }
         END { print n " functions above 5%"; exit bad > 0 || n < 8 }' ||
    fail "inclusive shares differ from perf --call-graph dwarf by more than 3 points (above)"
  ;;
exited)
  # processes that exit long before the recording ends are unwound and named like live ones
  "$SCORCH" record -q -F 999 -d 3 --no-idle -o "$tmp/out.folded" 2>"$tmp/err" & rec=$!
  sleep 0.7
  for i in 1 2 3 4 5; do "$BIN/truth-leaf-nofp" 0.15; sleep 0.1; done
  wait "$rec" || fail "record exit $?: $(cat "$tmp/err")"
  grep -E '^truth-leaf-nofp;' "$tmp/out.folded" > "$tmp/short" || fail "no samples of the exited processes"
  all=$(total "$tmp/short" ';spin ')
  whole=$(total "$tmp/short" ';__libc_start_call_main;main;truth_round;(alpha|beta|gamma)_mid;(alpha|beta|gamma)_leaf;spin ')
  echo "exited processes: $whole of $all samples in spin have the whole chain"
  [ "$all" -ge 200 ] && [ "$(pct "$whole" "$all")" = 100.0 ] || fail "exited processes' stacks: $(head -3 "$tmp/short")"
  ;;
dd)
  # a Debian binary in a system call: kernel frames on top of a complete user stack
  dd if=/dev/zero of=/dev/null bs=64k & ddpid=$!
  sleep 0.2
  record "$tmp/dd.folded" "$tmp/err" -F 999 -d 2 -p "$ddpid"
  kill "$ddpid"; wait "$ddpid" 2>/dev/null
  all=$(total "$tmp/dd.folded")
  # Debian's dd is stripped: _start and main have no symbol and show as [dd] (perf --call-graph
  # dwarf shows the same stack: dd;[dd];__libc_start_main_impl;__libc_start_call_main;[dd]...)
  chain=$(total "$tmp/dd.folded" '^dd;(_start|\[dd\]);__libc_start_main[a-z_]*;__libc_start_call_main;(main|\[dd\]);(.*;)?(__libc_)?read;entry_SYSCALL_64[a-z_]*_\[k\];.*vfs_read_\[k\];read_zero')
  echo "dd: $chain of $all samples are _start;__libc_start_main;__libc_start_call_main;main;...;read;entry_SYSCALL_64...;vfs_read;read_zero..."
  sort -t' ' -k2 -nr "$tmp/dd.folded" | head -2 | cut -c1-300
  [ "$all" -gt 500 ] && [ "$chain" -gt $((all / 5)) ] || fail "kernel frames on whole user stacks"
  # and no user stack of dd is cut short
  ! grep -q '^dd;\[truncated\]' "$tmp/dd.folded" || fail "truncated dd stacks: $(grep '^dd;\[truncated\]' "$tmp/dd.folded" | head -3)"
  ;;
exec)
  # samples before an exec are named against the old binary, the ones after against the new
  for mode in dwarf fp; do
    record "$tmp/x.folded" "$tmp/err" -F 999 --call-graph $mode -- "$BIN/execer" 1 "$BIN/truth-leaf-nofp" 1
    before=$(total "$tmp/x.folded" '^execer;.*before_exec')
    after=$(total "$tmp/x.folded" '^truth-leaf-nofp;.*spin ')
    unknown=$(total "$tmp/x.folded" '\[unknown\]|\[execer\]|\[truth-leaf-nofp\]')
    echo "$mode: $before samples in before_exec, $after in the new image's spin, $unknown unnamed"
    [ "$before" -ge 800 ] && [ "$after" -ge 800 ] && [ "$unknown" -le 2 ] || fail "$mode: $(cat "$tmp/x.folded")"
    if [ $mode = dwarf ]; then
      grep -qE '^execer;_start;__libc_start_main[a-z_]*;__libc_start_call_main;main;before_exec' "$tmp/x.folded" ||
        fail "dwarf: before_exec not under main: $(cat "$tmp/x.folded")"
    fi
  done
  ;;
failures)
  # every failure is counted and printed: a copy too short for python's stack cuts stacks
  # short, they keep what was unwound under [truncated], and no sample is lost
  PY=/usr/bin/python3.11
  [ -x "$PY" ] || PY=/usr/bin/python3
  record "$tmp/f.folded" "$tmp/err" -F 499 --stack-bytes 512 -- "$PY" "$HERE/cpu_work.py" 1
  cat "$tmp/err"
  samples=$(sed -n 's/.*record: \([0-9]*\) samples (\([0-9]*\) lost.*/\1/p' "$tmp/err")
  short=$(sed -n 's/.* \([0-9]*\) copies cut at 512 bytes.*/\1/p' "$tmp/err")
  past=$(sed -n 's/.*truncated: \([0-9]*\) past the copy.*/\1/p' "$tmp/err")
  trunc=$(total "$tmp/f.folded" '^python3[.0-9]*;\[truncated\];')
  [ -n "$samples" ] && [ "$(total "$tmp/f.folded")" = "$samples" ] || fail "the profile's total is not the sample count"
  [ "${short:-0}" -gt 0 ] && [ "${past:-0}" -gt 0 ] || fail "cut copies not counted"
  [ "$trunc" -ge "$past" ] || fail "[truncated] stacks $trunc, counted $past"
  grep -E '^python3[.0-9]*;\[truncated\];.*_PyEval_EvalFrameDefault' -q "$tmp/f.folded" || fail "truncated stacks keep their inner frames"
  echo "failures: $short copies cut, $past stacks past the copy, $trunc samples under [truncated]"
  ;;
cache-vs-libdw)
  # the per-PC rule cache gives exactly plain libdw's frames (dwfl_getthread_frames), stack
  # by stack, on both workloads
  PY=/usr/bin/python3.11
  [ -x "$PY" ] || PY=/usr/bin/python3
  for cmd in "$BIN/truth-leaf-nofp 1" "$PY $HERE/cpu_work.py 1" "$BIN/truth-leaf-fp 1"; do
    SCORCH_UNWIND=check "$SCORCH" record -q -F 999 -o "$tmp/c.folded" -- $cmd 2>"$tmp/err" ||
      fail "record: $(cat "$tmp/err")"
    line=$(grep 'unwind check:' "$tmp/err") || fail "no check line: $(cat "$tmp/err")"
    echo "${cmd##*/}: $line"
    n=$(echo "$line" | sed -n 's/.*check: \([0-9]*\) stacks unwound both ways, \([0-9]*\) differ/\1 \2/p')
    set -- $n
    [ "${1:-0}" -ge 800 ] && [ "${2:-1}" = 0 ] || fail "the cache and libdw differ"
  done
  ;;
*) fail "unknown test $TEST" ;;
esac
echo "1 passed, 0 failed"
