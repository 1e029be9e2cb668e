#!/usr/bin/env bash
# Cost of off-CPU recording on a context-switch-heavy load, side by side in one run:
# bench/offcpu/pingpong.c (two processes ping-ponging a byte over pipes) alone, under
# `scorch record --off-cpu` (system-wide), and under bpftrace's offcputime equivalent (the
# BPF Performance Tools book's offcputime.bt: kprobe on finish_task_switch, stacks summed by
# time). Reports round trips per second (best of 5) and their ratio to the unwatched load,
# the BPF programs' cost per context switch (kernel.bpf_stats_enabled), and each tool's own
# CPU time. Needs root. Run: bench/offcpu/run.sh   (apt-get install -y bpftrace)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 2; }
command -v bpftrace >/dev/null || { echo "bench: needs bpftrace" >&2; exit 2; }
cmake --build build --target scorch >/dev/null
S=$PWD/build/scorch
out=bench/out/offcpu; mkdir -p "$out"
cc -O2 -o "$out/pingpong" bench/offcpu/pingpong.c
N=${N:-200000}
# bpftrace's side: the same work at each context switch as scorch and offcputime (both
# stacks of the thread leaving, its time counted when it comes back). The book's
# offcputime.bt needs a kprobe (this kernel has none), and bpftrace 0.17 can neither keep a
# stack in a map nor attach kfunc here, so stacks are counted at switch-out and the time
# summed per command at switch-in.
cat > "$out/offcputime.bt" <<'BT'
tracepoint:sched:sched_switch
{
	if (args->prev_pid != 0) {
		@start[args->prev_pid] = nsecs;
		@[kstack, ustack, comm] = count();
	}
	$last = @start[args->next_pid];
	if ($last != 0) {
		@us[args->next_comm] = sum((nsecs - $last) / 1000);
		delete(@start[args->next_pid]);
	}
}
END { clear(@start); }
BT
# bpftrace's tracepoints need tracefs
[ -e /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
# bcc's libbpf-tools offcputime where it was built (OFFCPUTIME=path; see bench/RESULTS.md)
BCC=${OFFCPUTIME:-}

best() { # best of 5 runs of pingpong, round trips per second
  local b=0 r
  for i in 1 2 3 4 5; do
    r=$("$out/pingpong" "$N"); [ "$r" -gt "$b" ] && b=$r
  done
  echo "$b"
}
cpu_s() { # user + system seconds a process has used
  awk '{ printf "%.2f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"
}
prog_cost() { # run_time_ns / run_cnt of loaded programs whose name matches
  bpftool prog show -j | python3 -c '
import json, re, sys
t = n = 0
for p in json.load(sys.stdin):
    if re.search(sys.argv[1], p.get("name", "")) and p.get("run_cnt"):
        t += p["run_time_ns"]; n += p["run_cnt"]
print("%.0f ns per run (%d runs)" % (t / n, n) if n else "no runs")' "$1"
}

sysctl -qw kernel.bpf_stats_enabled=1
trap 'sysctl -qw kernel.bpf_stats_enabled=0' EXIT
echo "== pingpong $N round trips, best of 5; $(nproc) CPUs, $(uname -r), $(date -u +%F) =="
base=$(best); echo "unwatched:          $base round trips/s"

"$S" record --off-cpu -q -o "$out/scorch.folded" 2>"$out/scorch.err" & tp=$!
sleep 2
sc=$(best); c=$(cpu_s $tp); cost=$(prog_cost '^on_switch$')
kill -INT $tp; wait $tp || true
echo "scorch --off-cpu:   $sc round trips/s ($(awk -v a="$sc" -v b="$base" 'BEGIN { printf "%.2f", a / b }')x), BPF $cost, scorch $c s CPU while measuring"
grep -E 'off-CPU' "$out/scorch.err" | head -1

bpftrace "$out/offcputime.bt" > "$out/bpftrace.txt" 2>/dev/null & tp=$!
for i in $(seq 100); do grep -q Attaching "$out/bpftrace.txt" 2>/dev/null && break; sleep 0.1; done
grep -q Attaching "$out/bpftrace.txt" || { echo "bench: bpftrace did not start" >&2; exit 1; }
sleep 1
bt=$(best); c=$(cpu_s $tp); cost=$(prog_cost '^sched_switch$|^tracepoint')
kill -INT $tp; wait $tp || true
echo "bpftrace:           $bt round trips/s ($(awk -v a="$bt" -v b="$base" 'BEGIN { printf "%.2f", a / b }')x), BPF $cost, bpftrace $c s CPU while measuring"
echo "scorch / bpftrace throughput: $(awk -v a="$sc" -v b="$bt" 'BEGIN { printf "%.2f", a / b }')"

if [ -n "$BCC" ]; then
  "$BCC" -f > "$out/bcc.folded" 2>"$out/bcc.err" & tp=$!
  sleep 3
  bc=$(best); c=$(cpu_s $tp); cost=$(prog_cost '^sched_switch$')
  kill -INT $tp; wait $tp || true
  echo "bcc offcputime:     $bc round trips/s ($(awk -v a="$bc" -v b="$base" 'BEGIN { printf "%.2f", a / b }')x), BPF $cost, offcputime $c s CPU while measuring"
  echo "scorch / bcc throughput: $(awk -v a="$sc" -v b="$bc" 'BEGIN { printf "%.2f", a / b }')"
fi
