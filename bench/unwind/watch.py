"""Watcher for bench/unwind/run.sh: while process ROOT lives, log every 2 s interval in which
work outside ROOT's process tree used more than 10% of a CPU.
watch.py ROOT SECTION_FILE LOG_FILE  (SECTION_FILE holds the name of the section running)

Foreign CPU time = user + nice + system time of the machine (/proc/stat) minus that of ROOT's
tree and of kernel threads (utime + stime + cutime + cstime: a reaped child's time moves into
its parent's, so short-lived processes are counted too). The processes named are the foreign
ones still alive that used the most CPU, themselves or through children they reaped."""
import os
import sys
import time

root, secf, logf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
hz = os.sysconf("SC_CLK_TCK")


def busy():
    with open("/proc/stat") as f:
        v = f.readline().split()
    return int(v[1]) + int(v[2]) + int(v[3])


def snap():
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        f = st[st.rindex(")") + 2:].split()
        procs[int(d)] = (int(f[1]), comm, int(f[11]) + int(f[12]), int(f[13]) + int(f[14]))
    return procs


def ours(pid, procs):
    while pid in procs and pid > 2:
        if pid == root:
            return True
        pid = procs[pid][0]
    return pid == 2 or pid == root    # kernel threads are children of kthreadd (2)


def split(procs):
    mine, other = 0, {}
    for pid, (ppid, comm, own, kids) in procs.items():
        if ours(pid, procs) or pid == 2:
            mine += own + kids
        else:
            other[pid] = (comm, own + kids)
    return mine, other


b0, (m0, o0) = busy(), split(snap())
while os.path.exists("/proc/%d" % root):
    time.sleep(2)
    b1, (m1, o1) = busy(), split(snap())
    load = ((b1 - b0) - (m1 - m0)) / hz / 2    # share of one CPU over the 2 s
    # time leaving the tree (ROOT ended, an orphan moved to init) is no foreign work
    if load > 0.10 and m1 >= m0 and os.path.exists("/proc/%d" % root):
        top = sorted(((own - o0.get(pid, (comm, 0))[1], comm) for pid, (comm, own) in o1.items()
                      if o0.get(pid, (comm,))[0] == comm), reverse=True)[:3]
        try:
            with open(secf) as f:
                sec = f.read().strip()
        except OSError:
            sec = "?"
        with open(logf, "a") as f:
            f.write("%s section %s: %.0f%% of a CPU (%s)\n" % (
                time.strftime("%H:%M:%S"), sec, 100 * load,
                ", ".join("%s %.0f%%" % (c, 100 * d / hz / 2) for d, c in top if d > 0)))
    b0, m0, o0 = b1, m1, o1
