"""reap.py OUT CMD ARGS...: run CMD as /usr/bin/time -v would, but as a child subreaper, so the
processes CMD leaves behind (perf script does not wait for its addr2line helpers) are reaped
here and their CPU time and RSS counted too. Writes to OUT: "wall_s cpu_s maxrss_kb", where
cpu_s is user + sys of CMD and every descendant, wall_s lasts until the last of them ended."""
import ctypes
import os
import resource
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("reap.py: prctl: %s" % os.strerror(ctypes.get_errno()))
out, argv = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
status = 0
while True:
    try:
        p, st = os.wait()
    except ChildProcessError:
        break
    if p == pid:
        status = os.waitstatus_to_exitcode(st)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    f.write("%.3f %.2f %d\n" % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
sys.exit(status if status >= 0 else 128 - status)
