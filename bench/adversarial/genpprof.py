#!/usr/bin/env python3
"""A pprof frame bomb and its honest twin, for the pprof reader's linearity.
  genpprof.py OUT [honest|longname]
longname: one 100 KB function name named 10,000 times in one sample (1 GB of folded text
from 110 KB);
bomb: one location of 8,000 inline lines, and 20,000 samples that name it 50 times each
(1.1 MB that would expand to 8 G frames); honest: as many bytes of ordinary samples
(distinct 50-frame stacks over 8,000 one-line locations)."""
import sys


def varint(v):
    out = b""
    while True:
        b, v = v & 0x7F, v >> 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def fv(f, v):
    return varint(f << 3) + varint(v)


def fb(f, b):
    return varint(f << 3 | 2) + varint(len(b)) + b


strings = fb(6, b"") + fb(6, b"samples") + fb(6, b"count")
vt = fb(1, fv(1, 1) + fv(2, 2))
mode = sys.argv[2] if len(sys.argv) > 2 else "bomb"
if mode == "longname":
    fn = fb(5, fv(1, 1) + fv(2, 3))
    loc = fb(4, fv(1, 1) + fb(4, fv(1, 1)))
    smp = fb(2, fb(1, bytes([1]) * 10000) + fv(2, 1))
    data = vt + fn + loc + strings + fb(6, b"n" * 100000) + smp
elif mode == "honest":
    import random
    random.seed(1)
    funcs = b"".join(fb(5, fv(1, i + 1) + fv(2, 3 + i)) for i in range(8000))
    locs = b"".join(fb(4, fv(1, i + 1) + fb(4, fv(1, i + 1))) for i in range(8000))
    strings += b"".join(fb(6, b"fn_%d" % i) for i in range(8000))
    body = vt + funcs + locs + strings
    samples = []
    while len(body) + sum(map(len, samples)) < 1152039:
        ids = b"".join(varint(random.randrange(1, 8001)) for _ in range(50))
        samples.append(fb(2, fb(1, ids) + fv(2, 1)))
    data = body + b"".join(samples)
else:
    fn = fb(5, fv(1, 1) + fv(2, 3))
    loc = fb(4, fv(1, 1) + b"".join(fb(4, fv(1, 1)) for _ in range(8000)))
    smp = b"".join(fb(2, fb(1, bytes([1]) * 50) + fv(2, 1)) for _ in range(20000))
    data = vt + fn + loc + strings + fb(6, b"f") + smp
open(sys.argv[1], "wb").write(data)
