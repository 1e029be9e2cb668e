#!/usr/bin/env bash
# Real-kernel tests of run queues (`scorch runqlen`, the recording summary) beside bpftrace,
# of `--off-cpu`, and of every command of the README's "From a bpftrace session to scorch".
#   offcpu_tests.sh SCORCH BLOCKER README TEST
# A test skips (exit 77) only when the kernel refuses BPF or perf events to root, and says so.
set -u
SCORCH=$1 BLOCKER=$2 README=$3 TEST=$4
tmp=$(mktemp -d)
hogs=()
cleanup() { [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

. "$(dirname "$0")/probe.sh"

# N CPU-bound processes
start_hogs() {
  for i in $(seq "$1"); do sh -c 'while :; do :; done' & hogs+=($!); done
}
stop_hogs() { kill "${hogs[@]}" 2>/dev/null; wait "${hogs[@]}" 2>/dev/null; hogs=(); }
# a JSON field of scorch runqlen --json: jq-free, with Debian's python3
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# a number compare: within A B LO HI
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
# total count of folded stacks through a frame matching the regex, in percent
share() {
  awk -v f="$2" '{ if ($1 ~ f) h += $NF; t += $NF } END { if (t) printf "%.1f\n", 100 * h / t; else print 0 }' "$1"
}

case $TEST in
runqlen-idle)
  # an idle machine (ctest runs these tests alone): queues mostly empty
  "$SCORCH" runqlen -d 3 --json > "$tmp/idle.json" 2> "$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
  mean=$(json "$tmp/idle.json" 'd["all"]["runqlen"]["mean"]')
  zero=$(json "$tmp/idle.json" 'd["all"]["runqlen"]["hist"][0] / max(1, d["all"]["samples"])')
  echo "idle: runqlen mean $mean, share at 0: $zero; $(tail -1 "$tmp/err")"
  within "$mean" 0 0.5 || fail "idle machine: mean run queue $mean"
  within "$zero" 0.8 1 || fail "idle machine: only $zero of samples at length 0"
  grep -q "CPUs mostly idle" "$tmp/err" || fail "verdict: $(cat "$tmp/err")"
  # the text histogram: runqlen.bt's layout, one per online CPU with --per-cpu
  "$SCORCH" runqlen -d 1 --per-cpu > "$tmp/h" 2>/dev/null || fail "--per-cpu exit $?"
  ncpu=$(getconf _NPROCESSORS_ONLN)
  [ "$(grep -c '^@runqlen\[[0-9]*\]:$' "$tmp/h")" = "$ncpu" ] || fail "one histogram per CPU: $(cat "$tmp/h")"
  ;;
runqlen-saturated)
  # 8 CPU-bound processes on the online CPUs: with 2 CPUs, 4 on each, 3 waiting. scorch and a
  # bpftrace script reading the field right for this kernel sample the same load at once.
  command -v bpftrace >/dev/null || fail "bpftrace is missing (scripts/setup.sh --test installs it)"
  field=nr_running
  bpftool btf dump file /sys/kernel/btf/vmlinux format raw | awk '/STRUCT .cfs_rq. /{f=1; next} f && /^\[/{exit} f' |
    grep -q "'nr_queued'" && field=nr_queued
  cat > "$tmp/q.bt" <<BT
profile:hz:99
{
	\$task = (struct task_struct *)curtask;
	\$q = (struct cfs_rq *)\$task->se.cfs_rq;
	\$len = (uint64)\$q->$field;
	\$len = \$len > 0 ? \$len - 1 : 0;
	@total = sum(\$len);
	@samples = count();
}
BT
  ncpu=$(getconf _NPROCESSORS_ONLN)
  start_hogs $((4 * ncpu))
  sleep 1
  bpftrace "$tmp/q.bt" > "$tmp/bt.out" 2> "$tmp/bt.err" & bt=$!
  for i in $(seq 100); do grep -q Attaching "$tmp/bt.out" && break; sleep 0.1; done
  grep -q Attaching "$tmp/bt.out" || fail "bpftrace did not start: $(cat "$tmp/bt.err")"
  "$SCORCH" runqlen -d 4 --json > "$tmp/sat.json" 2> "$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
  kill -INT "$bt"; wait "$bt"
  # a recording's summary says the same
  "$SCORCH" record -d 2 -o /dev/null 2> "$tmp/rec.err" || fail "record exit $?: $(cat "$tmp/rec.err")"
  stop_hogs
  bt_mean=$(awk '/^@total:/ { t = $2 } /^@samples:/ { n = $2 } END { if (n) printf "%.3f\n", t / n }' "$tmp/bt.out")
  mean=$(json "$tmp/sat.json" 'd["all"]["runqlen"]["mean"]')
  all=$(json "$tmp/sat.json" 'd["all"]["all_classes"]["mean"]')
  echo "saturated ($((4 * ncpu)) hogs on $ncpu CPUs): scorch runqlen mean $mean (whole queue $all), bpftrace ($field) $bt_mean"
  cat "$tmp/err"
  [ -n "$bt_mean" ] || fail "no bpftrace result: $(cat "$tmp/bt.out" "$tmp/bt.err")"
  within "$mean" 2.4 3.6 || fail "scorch's mean $mean, want about 3"
  within "$bt_mean" 2.4 3.6 || fail "bpftrace's mean $bt_mean, want about 3"
  within "$(awk -v a="$mean" -v b="$bt_mean" 'BEGIN { print a - b }')" -0.5 0.5 ||
    fail "scorch $mean and bpftrace $bt_mean differ by more than 0.5"
  within "$all" 2.4 4.5 || fail "whole run queue mean $all"
  grep -q "CPU saturated: run queues p99 [0-9]* on $ncpu/$ncpu CPUs" "$tmp/err" || fail "verdict: $(cat "$tmp/err")"
  grep -q "^scorch: record: run queues: cpu[0-9]* 100% busy" "$tmp/rec.err" &&
    grep -q "^scorch: record: CPU saturated" "$tmp/rec.err" || fail "record's summary: $(cat "$tmp/rec.err")"
  ;;
offcpu-split)
  # 40% nanosleep, 40% blocked on a pipe, 20% on the CPU: off the CPU, 50/50
  "$SCORCH" record --off-cpu -o "$tmp/off.folded" -- "$BLOCKER" 3 2> "$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
  cat "$tmp/err"
  grep -q "^blocker;" "$tmp/off.folded" || fail "no blocker stacks: $(head -3 "$tmp/off.folded")"
  total=$(awk '{ t += $NF } END { print t }' "$tmp/off.folded")
  sleep_pct=$(share "$tmp/off.folded" 'do_nanosleep')
  pipe_pct=$(share "$tmp/off.folded" 'pipe_read')
  echo "off-CPU: ${total} us; nanosleep $sleep_pct%, pipe $pipe_pct%"
  within "$total" 2000000 3000000 || fail "blocked for $total us of 3 s (want about 2.4 s)"
  within "$sleep_pct" 45 55 || fail "nanosleep $sleep_pct% of off-CPU time, want 50 +-5"
  within "$pipe_pct" 45 55 || fail "pipe read $pipe_pct% of off-CPU time, want 50 +-5"
  # user frames named on both blocking stacks, the BPF program's own frames not shown
  grep -qE '^blocker;([^;]*;)*main;([^;]*;)*clock_nanosleep;([^;]*;)*do_nanosleep_\[k\]' "$tmp/off.folded" ||
    fail "nanosleep stack: $(grep do_nanosleep "$tmp/off.folded" | head -2)"
  grep -qE '^blocker;([^;]*;)*main;(__GI___libc_)?read;([^;]*;)*[a-z_]*pipe_read_\[k\]' "$tmp/off.folded" ||
    fail "pipe stack: $(grep pipe_read "$tmp/off.folded" | head -2)"
  grep -E 'bpf_prog_|bpf_trace_run' "$tmp/off.folded" && fail "the BPF program's own frames (above)"
  # (a wait inside execve, while the binary loads, has the old image's user stack: unnamed)
  grep ';main;' "$tmp/off.folded" | grep -E '\[unknown\]|;0x' && fail "unnamed frames in the workload's stacks (above)"
  grep -q "off-CPU: [0-9]* blocks (0 lost, 0 failed stacks)" "$tmp/err" || fail "summary: $(cat "$tmp/err")"
  # the graph: microseconds, flamegraph.pl's io palette (blues)
  "$SCORCH" render --countname us --colors io "$tmp/off.folded" -o "$tmp/want.svg" || fail "render"
  "$SCORCH" profile --off-cpu -o "$tmp/off.svg" -- "$BLOCKER" 1 2>/dev/null || fail "profile exit $?"
  grep -q ' us, ' "$tmp/off.svg" || fail "the graph counts us"
  grep -q 'off-CPU time of' "$tmp/off.svg" || fail "title"
  # every frame's fill is blue: #rrggbb with blue above red and green
  grep -o '<rect x="[^"]*" y="[^"]*" width="[^"]*" fill="#[0-9a-f]*"' "$tmp/off.svg" | sed 's/.*fill="#//' > "$tmp/fills"
  [ "$(wc -l < "$tmp/fills")" -ge 5 ] || fail "few frames drawn: $(wc -l < "$tmp/fills")"
  while read -r hex; do
    r=$((16#${hex:0:2})) b=$((16#${hex:4:2}))
    [ "$b" -gt "$r" ] || fail "io palette: frame fill #$hex is not blue"
  done < "$tmp/fills"
  # --min-block: 40 ms waits pass 10 ms and not 100 ms (then nothing is left: exit 2)
  "$SCORCH" record --off-cpu --min-block 10000 -o "$tmp/min.folded" -- "$BLOCKER" 1 2>/dev/null || fail "min-block 10 ms"
  within "$(share "$tmp/min.folded" 'do_nanosleep|pipe_read')" 99 100 || fail "--min-block 10000 kept short waits: $(cat "$tmp/min.folded")"
  "$SCORCH" record --off-cpu --min-block 100000 -o "$tmp/none.folded" -- "$BLOCKER" 1 2>"$tmp/err"
  [ $? = 2 ] && [ ! -e "$tmp/none.folded" ] && grep -q "no samples" "$tmp/err" || fail "--min-block 100000: $(cat "$tmp/err")"
  # pprof: off_cpu/microseconds, read back as such
  "$SCORCH" record --off-cpu -o "$tmp/off.pb.gz" -- "$BLOCKER" 1 2>/dev/null || fail "pprof output"
  "$SCORCH" collapse --sample-type off_cpu "$tmp/off.pb.gz" > "$tmp/pb.folded" || fail "read back off_cpu"
  within "$(awk '{ t += $NF } END { print t }' "$tmp/pb.folded")" 600000 1000000 || fail "pprof total: $(awk '{ t += $NF } END { print t }' "$tmp/pb.folded") us"
  ;;
offcpu-errors)
  "$SCORCH" record --off-cpu -g dwarf -d 1 -o "$tmp/x" 2>"$tmp/err"; [ $? = 2 ] || fail "--off-cpu -g dwarf accepted"
  grep -q "frame pointers" "$tmp/err" || fail "message: $(cat "$tmp/err")"
  "$SCORCH" record --min-block 5 -d 1 -o "$tmp/x" 2>"$tmp/err"; [ $? = 2 ] || fail "--min-block without --off-cpu"
  "$SCORCH" record --off-cpu --push-dir "$tmp" -d 1 2>"$tmp/err"; [ $? = 2 ] || fail "--off-cpu --push-dir"
  "$SCORCH" runqlen -d 0 2>/dev/null; [ $? = 2 ] || fail "runqlen -d 0"
  "$SCORCH" runqlen extra 2>/dev/null; [ $? = 2 ] || fail "runqlen extra argument"
  [ ! -e "$tmp/x" ] || fail "a file was written"
  ;;
walkthrough)
  # every command of the README section, in order, with a load of a CPU-bound process and a
  # dd (system calls: the kernel's share of a compile) per CPU, the blocker as ./myprog, 2 s
  # instead of 10 and 3 s of bpftrace before its Ctrl-C
  awk '/^## From a bpftrace session to scorch/ { on = 1; next } on && /^## / { exit }
       on && /^```sh/ { code = 1; next } on && /^```/ { code = 0; next } on && code' "$README" > "$tmp/cmds"
  [ "$(wc -l < "$tmp/cmds")" -ge 7 ] || fail "the section's commands: $(cat "$tmp/cmds")"
  ncpu=$(getconf _NPROCESSORS_ONLN)
  start_hogs "$ncpu"
  for i in $(seq "$ncpu"); do dd if=/dev/zero of=/dev/null bs=64k 2>/dev/null & hogs+=($!); done
  cd "$tmp"
  n=0
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    case $line in '#'*) continue ;; esac
    cmd=$line
    ctrlc=0
    case $cmd in *'# Ctrl-C') ctrlc=1; cmd=${cmd%%#*} ;; esac
    cmd=${cmd//-d 10/-d 2}
    cmd=${cmd//.\/myprog/\"$BLOCKER\" 2}
    case $cmd in scorch\ *) cmd="\"$SCORCH\" ${cmd#scorch }" ;; esac
    n=$((n + 1))
    case $cmd in *'render trace.bt'*) rn=$n ;; esac
    echo "[$n] $cmd"
    if [ $ctrlc = 1 ]; then
      (eval "timeout -s INT 3 $cmd") > "out.$n" 2> "err.$n"; rc=$?
      [ $rc = 0 ] || [ $rc = 124 ] || fail "exit $rc: $(cat "err.$n")"
    else
      (eval "$cmd") > "out.$n" 2> "err.$n" || fail "exit $?: $(cat "err.$n")"
    fi
  done < "$tmp/cmds"
  stop_hogs
  # what each step shows
  grep -q '^@runqlen\[0\]:$' out.1 || fail "runqlen --per-cpu: $(cat out.1)"
  grep -q 'CPU saturated' err.1 || fail "runqlen's verdict under load: $(cat err.1)"
  grep -q '<title>ksys_read (' kernel.svg || fail "kernel.svg has no stacks of dd's reads"
  grep -q 'spin_phase' app.svg || fail "app.svg: no spin_phase"
  grep -q 'spin_phase' app-fp.svg || fail "app-fp.svg: no spin_phase"
  grep -qE '>cpu-[0-9]+ \(' percpu.svg || grep -qE '<title>cpu-[0-9]+ ' percpu.svg || fail "percpu.svg: no cpu-N frames"
  grep -q '^@\[' trace.bt || fail "trace.bt: no bpftrace map: $(head -3 trace.bt)"
  [ ! -s "err.$rn" ] || fail "render trace.bt: $(cat "err.$rn")"
  [ "$(grep -c '<g' graph.svg)" -ge 10 ] || fail "graph.svg: few frames"
  grep -q 'do_nanosleep' offcpu.svg && grep -q 'pipe_read' offcpu.svg || fail "offcpu.svg: no blocking stacks"
  echo "walkthrough: $n commands run"
  ;;
*) fail "unknown test $TEST" ;;
esac
echo PASS
