#!/usr/bin/env bash
# Real-kernel tests of `scorch record` and `scorch profile` (root, BPF, perf events).
#   sampler_tests.sh SCORCH TRUTH TEST
# A test skips (exit 77) only when the kernel refuses BPF or perf events to root, and says so.
set -u
SCORCH=$1 TRUTH=$2 TEST=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: sampler tests need root"; exit 77
fi
# the kernel may refuse BPF or perf events even to root (lockdown, seccomp, no PMU access)
if ! "$SCORCH" record -d 0.1 -o /dev/null 2>"$tmp/probe.err"; then
  if grep -qiE "refused|not permitted|Function not implemented|no BTF" "$tmp/probe.err"; then
    echo "SKIP: the kernel refuses: $(cat "$tmp/probe.err")"; exit 77
  fi
  fail "probe recording failed: $(cat "$tmp/probe.err")"
fi

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
  "$SCORCH" record -o /dev/null -- sh -c 'exit 3' 2>/dev/null
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
    "$SCORCH" record -o "$tmp/sig.folded" 2>"$tmp/err" & rec=$!
    sleep 1.5
    kill -"$sig" "$rec"
    wait "$rec"; rc=$?
    [ "$rc" = 0 ] || fail "SIG$sig: exit $rc: $(cat "$tmp/err")"
    [ -s "$tmp/sig.folded" ] || fail "SIG$sig: no output written"
    awk 'NF < 2 || $NF !~ /^[0-9]+$/ { exit 1 }' "$tmp/sig.folded" || fail "SIG$sig: output not folded"
    sleep 0.2
    if bpftool prog show 2>/dev/null | grep -qE 'name (do_sample|on_exec) '; then
      fail "SIG$sig: BPF programs left loaded: $(bpftool prog show | grep -E 'do_sample|on_exec')"
    fi
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
  [ "$rc" = 1 ] && grep -qF '| gamma\_ |' "$tmp/summary2.md" || fail "a slower gamma_ is not caught: exit $rc"
  ;;
*) fail "unknown test $TEST" ;;
esac
echo "1 passed, 0 failed"
