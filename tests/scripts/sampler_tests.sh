#!/usr/bin/env bash
# Real-kernel tests of `scorch record` and `scorch profile` (root, BPF, perf events).
#   sampler_tests.sh SCORCH TRUTH TEST
# A test skips (exit 77) only when the kernel refuses BPF or perf events to root, and says so.
set -u
SCORCH=$1 TRUTH=$2 TEST=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

. "$(dirname "$0")/probe.sh"

# scorch's BPF programs loaded now (another scorch may run beside the tests: compare counts)
progs() { bpftool prog show 2>/dev/null | grep -cE 'name (do_sample|on_exec|on_exit|on_fork) '; }
# the kernel frees a program after its last reference, a little later (RCU): wait up to 3 s
# for the count to come back to $1; fails when it does not
progs_back_to() {
  for i in $(seq 30); do [ "$(progs)" = "$1" ] && return 0; sleep 0.1; done
  return 1
}

# share of samples in stacks through FRAME, in percent (one decimal)
share() {
  awk -v f="$2" '{ n = split($1, a, ";"); for (i = 1; i <= n; i++) if (a[i] == f) { h += $NF; break }
                   t += $NF } END { if (t) printf "%.1f\n", 100 * h / t; else print 0 }' "$1"
}
# asserts the 50/30/20 split of the truth workload within 3 points, only its own stacks
check_split() {
  local file=$1
  grep -E '(^|;)scorch-truth[^;]*;' "$file" > "$tmp/truth.folded" || fail "no scorch-truth stacks in $file"
  local total
  total=$(awk '{ t += $NF } END { print t }' "$tmp/truth.folded")
  [ "$total" -ge 1500 ] || fail "only $total samples of the workload"
  for pair in alpha:50 beta:30 gamma_:20; do
    local f=${pair%:*} want=${pair#*:} got
    got=$(share "$tmp/truth.folded" "$f")
    awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= 3) }' ||
      fail "$f: $got% of $total samples, want $want% +-3"
    echo "$f: $got% (want $want%)"
  done
  # every frame of the workload's own stacks is named: no [unknown] or raw address
  if grep -E ';(alpha|beta|gamma_)( |;)' "$tmp/truth.folded" | awk '{print $1}' |
     tr ';' '\n' | grep -qE '^\[unknown|^0x|^\[scorch-truth'; then
    grep -E ';(alpha|beta|gamma_)( |;)' "$tmp/truth.folded" | grep -E '\[unknown|;0x|\[scorch-truth' | head -5
    fail "unnamed frames in the workload's stacks (above)"
  fi
  grep -qE '^scorch-truth(-[0-9]+)?;.*main;truth_round;alpha' "$tmp/truth.folded" ||
    fail "process name at the root, then main;truth_round;alpha"
}

case $TEST in
command)
  # -- CMD: held until attached, recorded to its end, its exit status returned
  "$SCORCH" record -F 999 -o "$tmp/out.folded" -- "$TRUTH" 3 2>"$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
  grep -q "samples (0 lost" "$tmp/err" || fail "summary: $(cat "$tmp/err")"
  check_split "$tmp/out.folded"
  "$SCORCH" record -o /dev/null -- sh -c "\"$TRUTH\" 0.3; exit 3" 2>/dev/null
  [ $? = 3 ] || fail "the command's exit status is returned"
  ;;
pid)
  "$TRUTH" 6 & pid=$!
  sleep 0.3
  "$SCORCH" record -F 999 -d 3 -p "$pid" --per-pid -o "$tmp/out.folded" 2>"$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  grep -vq "^scorch-truth-$pid;" "$tmp/out.folded" && fail "-p recorded other processes: $(grep -v "^scorch-truth-$pid;" "$tmp/out.folded" | head -3)"
  check_split "$tmp/out.folded"
  ;;
short-lived)
  # processes of ~50 ms that exit long before the recording ends are still symbolized
  "$SCORCH" record -F 999 -d 3 --no-idle -o "$tmp/out.folded" 2>"$tmp/err" & rec=$!
  sleep 1
  for i in 1 2 3 4 5; do "$TRUTH" 0.05; sleep 0.1; done
  wait "$rec" || fail "record exit $?: $(cat "$tmp/err")"
  grep -E '^scorch-truth;' "$tmp/out.folded" > "$tmp/short" || fail "no samples of the short-lived processes"
  grep -qE ';main;truth_round;(alpha|beta|gamma_)' "$tmp/short" || fail "short-lived frames not named: $(head -3 "$tmp/short")"
  if awk '{print $1}' "$tmp/short" | tr ';' '\n' | grep -E '^(alpha|beta|gamma_|main|truth_round)$' -q &&
     grep -E ';(alpha|beta|gamma_) ' "$tmp/short" | grep -qE '\[unknown\]|0x'; then
    fail "unknown frames in short-lived stacks"
  fi
  echo "short-lived: $(awk '{t += $NF} END {print t}' "$tmp/short") samples, named"
  ;;
signals)
  for sig in INT TERM; do
    before=$(progs)
    "$SCORCH" record -o "$tmp/sig.folded" 2>"$tmp/err" & rec=$!
    sleep 1.5
    kill -"$sig" "$rec"
    wait "$rec"; rc=$?
    [ "$rc" = 0 ] || fail "SIG$sig: exit $rc: $(cat "$tmp/err")"
    [ -s "$tmp/sig.folded" ] || fail "SIG$sig: no output written"
    awk 'NF < 2 || $NF !~ /^[0-9]+$/ { exit 1 }' "$tmp/sig.folded" || fail "SIG$sig: output not folded"
    sleep 0.2
    progs_back_to "$before" || fail "SIG$sig: BPF programs left loaded: $(bpftool prog show | grep -E 'do_sample|on_e')"
    ls "$tmp" | grep -q '\.tmp\.' && fail "SIG$sig: temporary file left"
  done
  echo "signals: output written, nothing left attached"
  ;;
errors)
  # not root: exit 2, a clear message, nothing attached
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$SCORCH" record -d 1 -o /dev/null 2>&1); rc=$?
  [ "$rc" = 2 ] || fail "non-root: exit $rc: $out"
  echo "$out" | grep -qE "run as root, or with CAP_BPF and CAP_PERFMON" || fail "non-root message: $out"
  max=$(cat /proc/sys/kernel/perf_event_max_sample_rate)
  out=$("$SCORCH" record -F $((max + 1)) -d 1 -o /dev/null 2>&1); rc=$?
  [ "$rc" = 2 ] || fail "rate above the maximum: exit $rc"
  echo "$out" | grep -q "above kernel.perf_event_max_sample_rate" || fail "rate message: $out"
  out=$("$SCORCH" record -F 0 2>&1); [ $? = 2 ] || fail "-F 0 accepted"
  out=$("$SCORCH" record --kernel-only --user-only 2>&1); [ $? = 2 ] || fail "--kernel-only --user-only accepted"
  out=$("$SCORCH" record --bogus 2>&1); [ $? = 2 ] || fail "unknown option accepted"
  out=$("$SCORCH" record -p 2147483646 -d 1 2>&1); [ $? = 2 ] && echo "$out" | grep -q "no process 2147483646" || fail "missing pid: $out"
  "$SCORCH" record --help | grep -q -- "--stack-storage" || fail "help"
  echo "errors: exit 2 with messages"
  ;;
modes)
  "$TRUTH" 4 & pid=$!
  sleep 0.2
  "$SCORCH" record -F 499 -d 1 -p "$pid" --kernel-only -o "$tmp/k.folded" 2>/dev/null || fail "kernel-only"
  "$SCORCH" record -F 499 -d 1 -p "$pid" --user-only --per-thread --per-cpu -o "$tmp/u.folded" 2>/dev/null || fail "user-only"
  kill "$pid"; wait "$pid" 2>/dev/null
  grep -q ';alpha' "$tmp/k.folded" && fail "--kernel-only has user frames"
  grep -q '_\[k\]' "$tmp/u.folded" && fail "--user-only has kernel frames"
  grep -qE "^cpu-[0-9]+;scorch-truth-$pid/$pid;" "$tmp/u.folded" || fail "--per-cpu --per-thread roots: $(head -2 "$tmp/u.folded")"
  echo "modes: kernel-only, user-only, per-thread, per-cpu"
  ;;
profile)
  "$SCORCH" profile -F 499 -o "$tmp/p.svg" -- "$TRUTH" 1 2>"$tmp/err" || fail "profile exit $?: $(cat "$tmp/err")"
  python3 - "$tmp/p.svg" <<'PY' || fail "profile SVG"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
title = root.find(f".//{ns}text[@id='title']").text
assert "scorch-truth" in title and "at 499 Hz" in title and "samples" in title, title
names = {t.text.split(" (")[0] for t in root.iter(ns + "title")}
assert {"alpha", "beta", "gamma_", "truth_round"} <= names, sorted(names)[:20]
print("profile title:", title)
PY
  ;;
ci-gate)
  # the README's CI recipe, run by the project's own CI: record a snapshot of the bundled
  # workload and gate it against the stored baseline (tests/data/diff/baseline-truth.folded)
  baseline=$(dirname "$0")/../data/diff/baseline-truth.folded
  "$SCORCH" record -F 499 -o "$tmp/snap.folded" -- "$TRUTH" 4 2>"$tmp/err" || fail "record: $(cat "$tmp/err")"
  "$SCORCH" check "$baseline" "$tmp/snap.folded" --svg "$tmp/gate.svg" > "$tmp/summary.md"; rc=$?
  cat "$tmp/summary.md"
  [ "$rc" = 0 ] || fail "scorch check: exit $rc against the stored baseline"
  # and a gate that must fire: the workload with gamma_ made heavier
  awk '{ if ($1 ~ /;gamma_$/) $NF = $NF * 3; print }' "$tmp/snap.folded" > "$tmp/slower.folded"
  "$SCORCH" check "$baseline" "$tmp/slower.folded" > "$tmp/summary2.md"; rc=$?
  [ "$rc" = 1 ] && grep -qF '| `gamma_` |' "$tmp/summary2.md" || fail "a slower gamma_ is not caught: exit $rc"
  ;;
children)
  # the command's children are followed (a wrapper shell), unless --no-inherit
  "$SCORCH" record -q -F 499 -o "$tmp/c.folded" -- sh -c "\"$TRUTH\" 1; true" 2>"$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
  n=$(grep '^scorch-truth;' "$tmp/c.folded" | awk '{ t += $NF } END { print t + 0 }')
  echo "children: $n samples of the shell's child"
  [ "$n" -ge 400 ] || fail "the child of sh -c is not followed: $(head -3 "$tmp/c.folded")"
  # (sh itself may be sampled once while it starts: then exit 0 with only its own stacks)
  "$SCORCH" record -q -F 499 --no-inherit -o "$tmp/n.folded" -- sh -c "\"$TRUTH\" 0.5; true" 2>"$tmp/err"; rc=$?
  if [ $rc = 2 ]; then
    [ ! -e "$tmp/n.folded" ] && grep -q "no samples were recorded" "$tmp/err" || fail "--no-inherit: $(cat "$tmp/err")"
  else
    [ $rc = 0 ] && ! grep -q '^scorch-truth;' "$tmp/n.folded" || fail "--no-inherit followed the child: exit $rc"
  fi
  # -p follows new children too
  sh -c "sleep 0.3; \"$TRUTH\" 1" & sh=$!
  "$SCORCH" record -q -F 499 -p "$sh" -o "$tmp/p.folded" 2>"$tmp/err" || fail "-p: $(cat "$tmp/err")"
  grep -q '^scorch-truth;' "$tmp/p.folded" || fail "-p does not follow children: $(head -3 "$tmp/p.folded")"
  ;;
stdout)
  # the profile owns standard output: the command's output goes to standard error
  # (the output, 42xyz, differs from the command line, which the graph's title shows)
  "$SCORCH" profile -q -F 499 -- sh -c "echo \$((6*7))xyz; \"$TRUTH\" 0.5" > "$tmp/p.svg" 2>"$tmp/err" || fail "profile: $(cat "$tmp/err")"
  grep -q 42xyz "$tmp/p.svg" && fail "the command's output is in the SVG"
  grep -q 42xyz "$tmp/err" || fail "the command's output is lost"
  python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$tmp/p.svg" || fail "SVG not well-formed"
  "$SCORCH" record -q -F 499 -- sh -c "echo \$((6*7))xyz; \"$TRUTH\" 0.5" > "$tmp/r.folded" 2>/dev/null || fail "record"
  awk 'NF < 2 || $NF !~ /^[0-9]+$/ { exit 1 }' "$tmp/r.folded" || fail "folded output corrupted: $(head -3 "$tmp/r.folded")"
  echo "stdout: the command's output went to stderr"
  ;;
deadline)
  # -d ends the recording on time even when the command ignores SIGTERM: probes detached at
  # the deadline, SIGTERM, SIGKILL after the grace period, exit 0
  t0=$(date +%s.%N)
  "$SCORCH" record -q -F 99 -d 0.5 -o "$tmp/d.folded" -- sh -c "trap '' TERM; while :; do :; done" 2>"$tmp/err"; rc=$?
  t1=$(date +%s.%N)
  [ $rc = 0 ] || fail "exit $rc: $(cat "$tmp/err")"
  n=$(awk '{ t += $NF } END { print t + 0 }' "$tmp/d.folded")
  secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
  echo "deadline: $n samples at 99 Hz for -d 0.5, scorch took $secs s"
  [ "$n" -ge 30 ] && [ "$n" -le 65 ] || fail "samples after the deadline: $n"
  awk -v s="$secs" 'BEGIN { exit !(s < 5) }' || fail "scorch hung: $secs s"
  ;;
pid-exit)
  # -p stops when every target has exited, as perf does
  "$TRUTH" 1 & pid=$!
  t0=$(date +%s.%N)
  "$SCORCH" record -q -F 499 -p "$pid" -o "$tmp/x.folded" 2>"$tmp/err" & rec=$!
  for i in $(seq 50); do kill -0 "$rec" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$rec" 2>/dev/null; then kill -INT "$rec"; fail "-p did not stop after its target exited"; fi
  wait "$rec" || fail "exit $?: $(cat "$tmp/err")"
  grep -q ';alpha' "$tmp/x.folded" || fail "no samples"
  echo "pid-exit: stopped when the target ended"
  ;;
kernel-names)
  # kernel frames: return addresses at ip - 1, no __pfx_/__cfi_ padding frames
  "$SCORCH" record -q -F 999 -d 1 --kernel-only -o "$tmp/k.folded" 2>"$tmp/err" || fail "$(cat "$tmp/err")"
  if grep -E '(^|;)__(pfx|cfi)_' "$tmp/k.folded" | head -3 | grep .; then fail "padding symbols as frames"; fi
  if grep -q 'start_kernel' "$tmp/k.folded"; then
    grep -q 'x86_64_start_kernel_\[k\];x86_64_start_reservations_\[k\];start_kernel_\[k\]' "$tmp/k.folded" ||
      fail "the boot CPU's idle stack: $(grep -m1 start_kernel "$tmp/k.folded")"
  fi
  echo "kernel-names: no padding frames"
  ;;
lost-stacks)
  # a stack that could not be stored is a marker frame, never the process's self time; every
  # loss is split in the summary; the profile keeps every sample
  "$SCORCH" record -F 999 --call-graph fp --stack-storage 16 -o "$tmp/l.folded" -- "$TRUTH" 1 2>"$tmp/err" || fail "$(cat "$tmp/err")"
  cat "$tmp/err"
  samples=$(sed -n 's/.*record: \([0-9]*\) samples (\([0-9]*\) lost.*/\1/p' "$tmp/err")
  lost=$(sed -n 's/.*record: \([0-9]*\) samples (\([0-9]*\) lost.*/\2/p' "$tmp/err")
  total=$(awk '{ t += $NF } END { print t + 0 }' "$tmp/l.folded")
  [ "$total" = "$samples" ] || fail "folded total $total, summary $samples samples"
  grep -q '^scorch-truth;\[lost user stack\]' "$tmp/l.folded" || fail "no [lost user stack] marker"
  grep -qE '^scorch-truth [0-9]+$' "$tmp/l.folded" && fail "a lost stack counted as self time of the process"
  grep -q "losses: [0-9]* stack-map collisions" "$tmp/err" || fail "losses not split in the summary"
  echo "lost-stacks: $total samples, $lost lost, markers present"
  ;;
exit-codes)
  # no samples: a message, exit 2, no file left behind, on every path
  "$SCORCH" profile -q -o "$tmp/g.svg" -- true 2>"$tmp/err"; rc=$?
  [ $rc = 2 ] && [ ! -e "$tmp/g.svg" ] || fail "profile -- true: exit $rc"
  "$SCORCH" record -q -o "$tmp/f.folded" -- true 2>"$tmp/err"; rc=$?
  [ $rc = 2 ] && [ ! -e "$tmp/f.folded" ] || fail "record -- true: exit $rc"
  grep -q "no samples were recorded" "$tmp/err" || fail "message: $(cat "$tmp/err")"
  # a usage error names the option
  out=$("$SCORCH" record -p 12x 2>&1); [ $? = 2 ] || fail "-p 12x accepted"
  echo "$out" | grep -q "invalid value '12x' for -p/--pid" || fail "message: $out"
  out=$("$SCORCH" record --stack-bytes=9 2>&1); echo "$out" | grep -q "for --stack-bytes" || fail "message: $out"
  echo "exit-codes: 2 without samples, nothing written; options named"
  ;;
second-signal)
  # the first Ctrl-C ends the recording; a second one ends scorch at once, even while it
  # waits for a command that ignores the signal
  before=$(progs)
  "$SCORCH" record -q -F 99 -o "$tmp/s.folded" -- sh -c "trap '' INT TERM; while :; do :; done" 2>"$tmp/err" & rec=$!
  sleep 1
  sh=$(pgrep -P "$rec" -x sh)
  kill -INT "$rec"; sleep 0.3
  t0=$(date +%s.%N); kill -INT "$rec"; wait "$rec"; rc=$?; t1=$(date +%s.%N)
  [ -n "$sh" ] && kill -KILL "$sh" 2>/dev/null
  [ $rc = 130 ] || fail "exit $rc after the second SIGINT (want 130)"
  awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 0.5) }' || fail "scorch went on after the second SIGINT"
  ls "$tmp" | grep -q '\.tmp\.' && fail "a temporary file left"
  sleep 0.2
  progs_back_to "$before" || fail "BPF programs left loaded"
  echo "second-signal: ended at once (exit $rc), nothing left"
  ;;
tiny-maps)
  # fp mode: the counts map is drained every second, so a small one loses nothing; every
  # loss is counted: the summary's samples = the folded total, losses reported
  "$SCORCH" record -F 999 -d 3 --call-graph fp --per-thread --per-cpu --stack-storage 64 \
    -o "$tmp/t.folded" 2>"$tmp/err" || fail "$(cat "$tmp/err")"
  cat "$tmp/err"
  samples=$(sed -n 's/.*record: \([0-9]*\) samples (\([0-9]*\) lost.*/\1/p' "$tmp/err")
  total=$(awk '{ t += $NF } END { print t + 0 }' "$tmp/t.folded")
  [ "$total" = "$samples" ] || fail "folded total $total, summary $samples"
  echo "tiny-maps: $samples samples, all in the profile"
  ;;
sigkill)
  # SIGKILL mid-recording: the probes are bpf_links, nothing stays attached
  before=$(progs)
  "$SCORCH" record -q -o "$tmp/k.folded" 2>/dev/null & rec=$!
  sleep 1.5
  bpftool prog show 2>/dev/null | grep -qE 'name do_sample ' || fail "not attached while recording"
  kill -KILL "$rec"; wait "$rec" 2>/dev/null
  sleep 0.5
  progs_back_to "$before" || fail "BPF programs left after SIGKILL: $before before, $(progs) after"
  after=$(progs)
  echo "sigkill: $after scorch programs loaded after (as before)"
  ;;
soak)
  # 60 s system-wide at 999 Hz with a fork-heavy load (20 processes a second): every sample
  # is in the profile or counted as lost
  ( end=$(( $(date +%s) + 62 )); while [ "$(date +%s)" -lt "$end" ]; do
      for i in 1 2 3 4; do "$TRUTH" 0.01 & done; wait; sleep 0.15; done ) & load=$!
  "$SCORCH" record -F 999 -d 60 -o "$tmp/soak.folded" 2>"$tmp/err"; rc=$?
  kill "$load" 2>/dev/null; wait "$load" 2>/dev/null
  cat "$tmp/err"
  [ $rc = 0 ] || fail "exit $rc"
  samples=$(sed -n 's/.*record: \([0-9]*\) samples (\([0-9]*\) lost.*/\1/p' "$tmp/err")
  lost=$(sed -n 's/.*record: \([0-9]*\) samples (\([0-9]*\) lost.*/\2/p' "$tmp/err")
  total=$(awk '{ t += $NF } END { print t + 0 }' "$tmp/soak.folded")
  procs=$(grep -c '^scorch-truth;' "$tmp/soak.folded")
  echo "soak: $samples samples = $total in the profile; $lost lost (reported); $procs scorch-truth stacks"
  [ "$total" = "$samples" ] || fail "summary $samples samples, profile $total"
  [ "$samples" -ge 50000 ] || fail "too few samples for 60 s at 999 Hz: $samples"
  ;;
outputs)
  # a root recording's new output is 0600 (as perf's); a file that exists keeps its mode; -o
  # through a link replaces the file and keeps the link; a link someone else planted in a
  # sticky world-writable directory is refused
  "$SCORCH" record -q -d 0.3 -o "$tmp/new.folded" 2>/dev/null || fail "record"
  [ "$(stat -c %a "$tmp/new.folded")" = 600 ] || fail "new output mode $(stat -c %a "$tmp/new.folded")"
  echo old > "$tmp/old.folded"; chmod 644 "$tmp/old.folded"
  "$SCORCH" record -q -d 0.3 -o "$tmp/old.folded" 2>/dev/null || fail "record"
  [ "$(stat -c %a "$tmp/old.folded")" = 644 ] && ! grep -q '^old$' "$tmp/old.folded" || fail "existing output"
  echo old > "$tmp/target.folded"; ln -s target.folded "$tmp/link.folded"
  "$SCORCH" record -q -d 0.3 -o "$tmp/link.folded" 2>/dev/null || fail "record through a link"
  [ -L "$tmp/link.folded" ] && ! grep -q '^old$' "$tmp/target.folded" || fail "the link was replaced"
  mkdir -m 1777 "$tmp/sticky"; echo precious > "$tmp/precious"
  ln -s "$tmp/precious" "$tmp/sticky/out.folded"; chown -h 65534:65534 "$tmp/sticky/out.folded"
  "$SCORCH" record -q -d 0.3 -o "$tmp/sticky/out.folded" 2>"$tmp/err"; rc=$?
  [ $rc = 2 ] && grep -q '^precious$' "$tmp/precious" || fail "a planted link was followed: exit $rc"
  echo "outputs: 0600 new, modes kept, links kept, planted links refused"
  ;;
hostile-comm)
  # a process that names itself "x<TAB>9999999999<LF>z" cannot add a stack or a count
  /usr/bin/python3 -c '
import ctypes, time
ctypes.CDLL(None).prctl(15, b"x\t9999999999\nz", 0, 0, 0)
end = time.time() + 1.5
while time.time() < end: pass' & py=$!
  sleep 0.2
  "$SCORCH" record -q -F 499 -p "$py" -o "$tmp/h.folded" 2>"$tmp/err" || fail "$(cat "$tmp/err")"
  awk 'NF < 2 || $NF !~ /^[0-9]+$/ || $NF > 100000 { exit 1 }' "$tmp/h.folded" || fail "injected: $(cat -A "$tmp/h.folded" | head -3)"
  grep -q $'^x\xef\xbf\xbd9999999999\xef\xbf\xbdz;' "$tmp/h.folded" || fail "the name is not kept, cleaned: $(cut -c1-40 "$tmp/h.folded" | cat -A | head -2)"
  echo "hostile-comm: $(wc -l < "$tmp/h.folded") stacks, none injected"
  ;;
formats)
  # pprof and speedscope straight from a recording. pprof: its samples hold the 50/30/20
  # split, as many as scorch counted, and cpu = samples x the period Go's pprof reads
  # (1e9/499 ns); speedscope: valid, one profile per process, weights in nanoseconds
  "$SCORCH" record -F 499 -o "$tmp/r.pb.gz" -- "$TRUTH" 4 2>"$tmp/err" || fail "pprof: $(cat "$tmp/err")"
  n=$(sed -n 's/.*scorch: record: \([0-9]*\) samples (.*/\1/p' "$tmp/err")
  "$SCORCH" collapse --sample-type samples "$tmp/r.pb.gz" > "$tmp/r.folded" || fail "read back"
  check_split "$tmp/r.folded"
  got=$(awk '{ t += $NF } END { print t }' "$tmp/r.folded")
  [ "$got" = "$n" ] || fail "pprof holds $got samples, scorch counted $n"
  period=$(go tool pprof -raw "$tmp/r.pb.gz" 2>/dev/null | sed -n 's/^Period: //p')
  [ "$period" = 2004008 ] || fail "period $period, want 2004008 (1e9/499)"
  top=$(go tool pprof -top -sample_index=samples -nodefraction=0 "$tmp/r.pb.gz" 2>/dev/null |
        sed -n 's/^Showing nodes accounting for \([0-9]*\), 100% of.*/\1/p')
  [ "$top" = "$n" ] || fail "go tool pprof counts $top samples, scorch $n"
  # mappings where a recording knows them: the workload's binary with its build id (as
  # readelf reads the note), libc, the kernel; the workload's frames point at its mapping
  bid=$(readelf -n "$TRUTH" | sed -n 's/.*Build ID: //p')
  go tool pprof -raw "$tmp/r.pb.gz" 2>/dev/null > "$tmp/raw"
  m=$(sed -n "s|^\([0-9]*\): 0x0/0x0/0x0 $(readlink -f "$TRUTH") $bid \[FN\]\$|\1|p" "$tmp/raw")
  [ -n "$bid" ] && [ -n "$m" ] || fail "no mapping for $TRUTH with build id $bid: $(sed -n '/^Mappings/,$p' "$tmp/raw" | head -5)"
  grep -q '^[0-9]*: 0x0/0x0/0x0 \[kernel.kallsyms\]' "$tmp/raw" || fail "no kernel mapping"
  grep -qE "^ +[0-9]+: 0x0 M=$m alpha " "$tmp/raw" || fail "alpha is not in mapping $m"
  cpu=$("$SCORCH" collapse "$tmp/r.pb.gz" | awk '{ t += $NF } END { printf "%.0f", t }')
  [ "$cpu" = "$((n * 2004008))" ] || fail "cpu total $cpu, want $n x 2004008"
  "$SCORCH" record -F 499 -o "$tmp/r.speedscope.json" -- sh -c "\"$TRUTH\" 1 &
    /usr/bin/python3 -c 'import time; e = time.time() + 1
while time.time() < e: pass'; wait" \
    2>"$tmp/err" || fail "speedscope: $(cat "$tmp/err")"
  /usr/bin/python3 "$(dirname "$0")/speedscope_check.py" \
    "$(dirname "$0")/../browser/node_modules/speedscope/dist/release/file-format-schema.json" \
    "$tmp/r.speedscope.json" - || fail "speedscope file"
  /usr/bin/python3 - "$tmp/r.speedscope.json" <<'PY' || fail "speedscope profiles"
import json, sys
d = json.load(open(sys.argv[1]))
names = [p["name"] for p in d["profiles"]]
assert "scorch-truth" in names and "python3" in names, names
for p in d["profiles"]:
    assert p["unit"] == "nanoseconds", p["unit"]
    assert all(w % 2004008 == 0 for w in p["weights"]), p["name"]
    root = {s[0] for s in p["samples"]}
    assert [d["shared"]["frames"][i]["name"] for i in root] == [p["name"]], p["name"]
print("speedscope:", len(names), "profiles:", ", ".join(sorted(names)))
PY
  # profile writes them too (by --output-format here: stdout is a pipe)
  "$SCORCH" profile -q -F 499 --output-format pprof -- "$TRUTH" 0.5 2>/dev/null > "$tmp/p.pb.gz" &&
    go tool pprof -raw "$tmp/p.pb.gz" 2>/dev/null | grep -q '^Period: 2004008$' || fail "profile to pprof"
  echo "formats: $n samples in pprof (split kept, period 2004008), speedscope per process"
  ;;
push)
  # continuous mode against tests/scripts/pyroscope_server.py (Pyroscope's ingest rules):
  # 30 s at 99 Hz in 3 s intervals make 10 profiles, windows that meet, no rule broken; their
  # sum is every sample scorch counted (nothing lost between intervals) and within 2% of a
  # plain recording run beside it
  srv() {	# start a server: srv NAME ARGS...; sets port, srv_pid
    local name=$1; shift
    /usr/bin/python3 "$(dirname "$0")/pyroscope_server.py" "$tmp/$name.port" "$tmp/$name.rec" "$@" &
    srv_pid=$!
    for i in $(seq 50); do [ -s "$tmp/$name.port" ] && break; sleep 0.1; done
    port=$(cat "$tmp/$name.port") || fail "server did not start"
  }
  srv main --prefix /pyro
  main_pid=$srv_pid
  # every CPU busy for both: an idle CPU takes no sample, and two recorders' timers see an
  # idle machine's short bursts differently (5.9% apart in one run)
  busy=()
  for i in $(seq "$(nproc)"); do "$TRUTH" 31 > /dev/null & busy+=($!); done
  "$SCORCH" record -q -F 99 -d 30 -o "$tmp/plain.folded" 2>"$tmp/plain.err" & plain=$!
  "$SCORCH" record -q -F 99 -d 30 --every 3s --app shop --labels env=ci,zone=a \
    --push "http://127.0.0.1:$port/pyro" 2>"$tmp/push.err" || fail "push: $(cat "$tmp/push.err")"
  wait $plain || fail "plain recording: $(cat "$tmp/plain.err")"
  kill "${busy[@]}" 2>/dev/null; wait "${busy[@]}" 2>/dev/null
  kill $main_pid
  counted=$(sed -n 's/.*scorch: record: \([0-9]*\) samples (0 lost.*/\1/p' "$tmp/push.err")
  [ -n "$counted" ] || fail "samples were lost: $(cat "$tmp/push.err")"
  plain_total=$(awk '{ t += $NF } END { print t }' "$tmp/plain.folded")
  /usr/bin/python3 - "$tmp/main.rec" "$counted" "$plain_total" <<'PY' || fail "pushed profiles (above)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
counted, plain = int(sys.argv[2]), int(sys.argv[3])
bad = [r for r in recs if "violation" in r]
assert not bad, f"rules broken: {bad[:2]}"
assert len(recs) == 10, f"{len(recs)} profiles, want 10"
assert all(r["app"] == "shop" and r["labels"] == {"env": "ci", "zone": "a"} and r["rate"] == 99
           and r["format"] == "pprof" and r["stacks"] for r in recs), "name, labels, rate or format"
for a, b in zip(recs, recs[1:]):
    assert a["until"] == b["from"], f"windows do not meet: {a['until']} then {b['from']}"
total = sum(r["total"] for r in recs)
assert total == counted, f"pushed {total} samples, scorch counted {counted}"
assert abs(total - plain) <= 0.02 * plain, f"pushed {total}, plain recording {plain}"
print(f"push: 10 profiles, {total} samples = scorch's count; plain recording {plain} "
      f"({100 * (total - plain) / plain:+.2f}%)")
PY
  # a server that fails the first 3 posts: retried, all delivered in order
  srv retry --fail-first 3
  "$SCORCH" record -q -F 99 -d 4 --every 1s --push-format folded --push-dir "$tmp" \
    --push "http://127.0.0.1:$port" 2>"$tmp/retry.err" || fail "retry: $(cat "$tmp/retry.err")"
  kill $srv_pid
  grep -q "4 sent, [3-9] retried attempts, 0 rejected, 0 dropped (queue full), 0 unsent; 4 files" \
    "$tmp/retry.err" || fail "retries: $(cat "$tmp/retry.err")"
  # --push-dir: one pprof per interval, each holding what the server got for that interval
  /usr/bin/python3 - "$tmp/retry.rec" "$tmp" "$SCORCH" <<'PY' || fail "--push-dir files"
import glob, json, subprocess, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
files = sorted(glob.glob(sys.argv[2] + "/scorch-*.pb.gz"))
assert len(recs) == 4 and len(files) == 4, (len(recs), files)
for r, f in zip(recs, files):
    out = subprocess.run([sys.argv[3], "collapse", "--sample-type", "samples", f],
                         capture_output=True, text=True, check=True).stdout
    got = {l.rsplit(" ", 1)[0]: int(l.rsplit(" ", 1)[1]) for l in out.splitlines()}
    assert got == r["stacks"], f"{f} differs from what the server got"
print("push-dir: 4 files = the 4 profiles sent")
PY
  # no server at all: exit 2, every profile counted as unsent, the reason said
  "$SCORCH" record -q -F 99 -d 2 --every 1s --push http://127.0.0.1:1 2>"$tmp/down.err"; rc=$?
  [ $rc = 2 ] && grep -q "0 sent, .* [1-9] unsent" "$tmp/down.err" &&
    grep -q "not every profile was delivered: 127.0.0.1:1: Connection refused" "$tmp/down.err" ||
    fail "server down: exit $rc: $(cat "$tmp/down.err")"
  # bad configuration: refused before anything starts
  "$SCORCH" record -d 1 --push https://x 2>/dev/null; [ $? = 2 ] || fail "https accepted"
  "$SCORCH" record -d 1 --push http://x --labels 'a b=c' 2>/dev/null; [ $? = 2 ] || fail "bad label accepted"
  "$SCORCH" record -d 1 --push http://x -o "$tmp/x" 2>/dev/null; [ $? = 2 ] || fail "-o with --push accepted"
  echo "push: 10 intervals delivered, retries, push-dir, server down and bad flags checked"
  ;;
*) fail "unknown test $TEST" ;;
esac
echo "1 passed, 0 failed"
