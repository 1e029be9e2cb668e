# Sourced by the real-kernel test scripts: root, then a probe of BPF and perf events with
# bpftool and perf, never with scorch, so a scorch bug can never turn into a skip. Exits 77
# (skip) saying why, where the kernel refuses. Needs $tmp.
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: sampler tests need root"; exit 77
fi
# the kernel may refuse BPF or perf events even to root (lockdown, seccomp, no PMU access)
if ! bpftool prog show >/dev/null 2>"$tmp/probe.err" ||
   ! perf stat -e cpu-clock -o /dev/null -- true 2>>"$tmp/probe.err"; then
  echo "SKIP: the kernel refuses BPF or perf events to root: $(cat "$tmp/probe.err")"; exit 77
fi
