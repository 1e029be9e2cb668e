#!/usr/bin/env python3
"""A stand-in for Grafana Pyroscope's ingest endpoint (no Pyroscope or Parca server can be
installed here): it enforces the documented rules of POST /ingest and records what it took.

Rules checked (a violation answers 400 and is recorded as one):
  - POST to PREFIX/ingest; query: name=APP.cpu{k=v,...}, from and until (Unix seconds,
    from < until, within the last hour and not in the future), sampleRate (integer Hz),
    spyName, format=pprof|folded
  - folded: `STACK COUNT` lines, integer counts, every line shorter than 64 KiB, at most
    16,000 unique stacks
  - pprof: gzipped profile.proto (decoded here with its own small protobuf reader, not
    scorch's), integer values, at most 16,000 unique stacks
Each accepted profile is written to RECORD as one JSON line: from, until, name, format,
total, and its stacks with their counts (root first, `;`-joined).
  pyroscope_server.py PORT_FILE RECORD [--prefix /p] [--fail-first N]"""
import gzip, json, re, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

port_file, record = sys.argv[1], sys.argv[2]
prefix = sys.argv[sys.argv.index("--prefix") + 1] if "--prefix" in sys.argv else ""
fail_first = int(sys.argv[sys.argv.index("--fail-first") + 1]) if "--fail-first" in sys.argv else 0
MAX_STACKS, MAX_LINE = 16000, 65536
requests = 0


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = int.from_bytes(b[i:i + 8], "little"), i + 8
        elif wt == 5:
            v, i = int.from_bytes(b[i:i + 4], "little"), i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield num, wt, v


def ints(wt, v):
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def pprof_stacks(body):
    data = gzip.decompress(body)
    strings, samples, locs, funcs, types = [], [], {}, {}, []
    for num, wt, v in fields(data):
        if num == 6:
            strings.append(v.decode("utf-8"))
        elif num == 2:
            samples.append(v)
        elif num == 1:
            types.append(v)
        elif num == 4:
            lid, lines = 0, []
            for n2, w2, v2 in fields(v):
                if n2 == 1:
                    lid = v2
                elif n2 == 4:
                    lines.append(dict((a, c) for a, _, c in fields(v2)).get(1, 0))
            locs[lid] = lines
        elif num == 5:
            d = dict((a, c) for a, _, c in fields(v))
            funcs[d.get(1, 0)] = d.get(2, 0)
    if strings[:1] != [""]:
        raise ValueError("string table must start with an empty string")
    stacks = {}
    for s in samples:
        ids, vals = [], []
        for num, wt, v in fields(s):
            if num == 1:
                ids += ints(wt, v)
            elif num == 2:
                vals += ints(wt, v)
        if len(vals) != len(types):
            raise ValueError(f"{len(vals)} values for {len(types)} sample types")
        frames = []
        for lid in reversed(ids):
            for fid in reversed(locs[lid]):
                frames.append(strings[funcs[fid]])
        key = ";".join(frames)
        stacks[key] = stacks.get(key, 0) + vals[0]
    return stacks


def folded_stacks(body):
    stacks = {}
    for line in body.split(b"\n"):
        if not line:
            continue
        if len(line) + 1 >= MAX_LINE:
            raise ValueError(f"a line of {len(line)} bytes (the parser stops at 64 KiB)")
        stack, _, count = line.decode("utf-8").rpartition(" ")
        if not re.fullmatch(r"\d+", count):
            raise ValueError(f"count {count!r} is not an integer")
        stacks[stack] = stacks.get(stack, 0) + int(count)
    return stacks


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        global requests
        requests += 1
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if requests <= fail_first:
            return self.answer(503, "try again")
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        now = time.time()
        try:
            if url.path != prefix + "/ingest":
                raise ValueError(f"path {url.path}")
            m = re.fullmatch(r"([A-Za-z0-9_.-]+)\.cpu\{(.*)\}", q.get("name", ""))
            if not m:
                raise ValueError(f"name {q.get('name')!r}")
            labels = dict(kv.split("=", 1) for kv in m.group(2).split(",")) if m.group(2) else {}
            frm, until = int(q["from"]), int(q["until"])
            if not (frm < until and frm >= now - 3600 and until <= now + 60):
                raise ValueError(f"time window {frm}..{until} (now {now:.0f})")
            if int(q["sampleRate"]) <= 0 or not q.get("spyName"):
                raise ValueError("sampleRate or spyName")
            fmt = q.get("format")
            stacks = pprof_stacks(body) if fmt == "pprof" else folded_stacks(body) if fmt == "folded" else None
            if stacks is None:
                raise ValueError(f"format {fmt!r}")
            if len(stacks) > MAX_STACKS:
                raise ValueError(f"{len(stacks)} unique stacks")
        except Exception as e:  # a rule broken: recorded, and refused as Pyroscope would
            with open(record, "a") as f:
                f.write(json.dumps({"violation": str(e), "query": url.query}) + "\n")
            return self.answer(400, str(e))
        with open(record, "a") as f:
            f.write(json.dumps({"from": frm, "until": until, "app": m.group(1), "labels": labels,
                                "format": fmt, "rate": int(q["sampleRate"]),
                                "total": sum(stacks.values()), "stacks": stacks}) + "\n")
        self.answer(200, "")


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
