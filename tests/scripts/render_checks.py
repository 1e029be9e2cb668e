#!/usr/bin/env python3
"""End-to-end checks of `scorch render`: exact geometry of a small graph, differential tooltips
and colours, hostile names (well-formed XML, no injected markup), options, PNG pixels against
the SVG's colours, PDF, and errors. Usage: render_checks.py SCORCH TESTS_DATA_DIR"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

def png_rows(data, w, h):
    """decodes an 8-bit RGB PNG (filters per row) into rows of bytes"""
    pos, idat = 8, b""
    while pos < len(data):
        ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
        if typ == b"IDAT":
            idat += data[pos + 8:pos + 8 + ln]
        pos += 12 + ln
    raw = zlib.decompress(idat)
    bpp, stride = 3, w * 3
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f_type, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f_type == 1: line[i] = (line[i] + a) & 255
            elif f_type == 2: line[i] = (line[i] + b) & 255
            elif f_type == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f_type == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return rows



NS = "{http://www.w3.org/2000/svg}"
SCORCH = sys.argv[1]
failures = 0
passed = 0


def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL:", what)


def render(folded, *opts, expect_rc=0):
    p = subprocess.run([SCORCH, "render", *opts], input=folded, capture_output=True)
    check(p.returncode == expect_rc, f"render {opts}: exit {p.returncode}, want {expect_rc}: "
          f"{p.stderr.decode(errors='replace')}")
    return p


def frames(svg_bytes):
    root = ET.fromstring(svg_bytes)
    out = []
    for g in root.find(f".//{NS}g[@id='frames']"):
        title = g.find(f"{NS}title").text
        rect = g.find(f"{NS}rect")
        text = g.find(f"{NS}text")
        out.append((title, dict(rect.attrib), text.text if text is not None else None))
    return root, out


# --- exact geometry: a;b 3 / a;c 1 (flamegraph.pl's layout: 1200 px, 10 px padding) ---
p = render(b"a;b 3\na;c 1\n")
root, fr = frames(p.stdout)
check(root.get("height") == "118", f"height {root.get('height')}")
got = [(t, r["x"], r["y"], r["width"]) for t, r, _ in fr]
want = [("all (4 samples, 100%)", "10", "69", "1180"), ("a (4 samples, 100.00%)", "10", "53", "1180"),
        ("b (3 samples, 75.00%)", "10", "37", "885"), ("c (1 samples, 25.00%)", "895", "37", "295")]
check(got == want, f"geometry {got}")
check([x[2] for x in fr] == ["all", "a", "b", "c"], f"labels {[x[2] for x in fr]}")
check(len(root.findall(f".//{NS}script")) == 1, "one script")
check(root.find(f".//{NS}text[@id='title']").text == "Flame Graph", "default title")

# label truncation: 10 px per 0.59*12 px char -> a 100 px frame holds 14 chars
p = render(b"f;abcdefghijklmnopqrstuvwxyz 1\nf;z 11\n", "--width=1220")
_, fr = frames(p.stdout)
labels = {t.split(" (")[0]: l for t, _, l in fr}
check(labels["abcdefghijklmnopqrstuvwxyz"] == "abcdefghijkl..", f"truncated {labels}")

# --- differential: before after ---
p = render(b"a;b 10 15\na;c 5 3\n")
_, fr = frames(p.stdout)
d = {t: r["fill"] for t, r, _ in fr}
check("b (15 samples, 83.33%; +27.78%)" in d, f"diff titles {list(d)}")
check(d.get("b (15 samples, 83.33%; +27.78%)") == "#ff0000", "grown frame is red")
check(d.get("c (3 samples, 16.67%; -11.11%)") == "#7e7eff", "shrunk frame is blue")
check(d.get("a (18 samples, 100.00%; 0.00%)") == "#ffffff", "unchanged frame is white")
p = render(b"a;b 10 15\na;c 5 3\n", "--negate")
_, fr = frames(p.stdout)
d = {t: r["fill"] for t, r, _ in fr}
check(d.get("b (15 samples, 83.33%; -27.78%)") == "#0000ff", f"negated {d}")
check("a (18 samples, 100.00%; 0.00%)" in d, f"negated zero delta prints as flamegraph.pl does {d}")

# --- hostile names ---
hostile = [b"</title><script>alert(1)</script>", b"]]>x", b"a\x01b\x1f", b"bad\xff\xfeutf8",
           b"&lt:&", b"\"q\" 'a'", b"<!--c-->", b"x" * 5000, b"caf\xc3\xa9"]
folded = b"".join(b"root;" + h + b" 7\n" for h in hostile)
for opts in [(), ("--title", "<b>&\"]]>"), ("--notes", "a--b<c>"), ("--countname", "<x>&"),
             ("--nametype", "</text>"), ("--subtitle", "\x02<>")]:
    p = render(folded, *opts)
    try:
        root, fr = frames(p.stdout)
        ok = True
    except ET.ParseError as e:
        ok = False
        print(e)
    check(ok, f"hostile names parse as XML with {opts}")
    if not ok:
        continue
    check(len(list(root.iter(f"{NS}script"))) == 1, f"exactly one script with {opts}")
    check(all(el.tag in (NS + "g", NS + "title", NS + "rect", NS + "text")
              for el in root.find(f".//{NS}g[@id='frames']").iter()), "only frame elements")
titles = {t for t, _, _ in frames(render(folded).stdout)[1]}
cn = "samples"
for want in ["</title><script>alert(1)</script>", "]]>x", "a\ufffdb\ufffd", "bad\ufffd\ufffdutf8",
             "&lt:&", "\"q\" 'a'", "<!--c-->", "x" * 5000, "café"]:
    check(f"{want} (7 {cn}, 11.11%)" in titles, f"hostile title {want[:40]!r}")
p = subprocess.run(["xmllint", "--noout", "-"], input=render(folded).stdout, capture_output=True)
check(p.returncode == 0, f"xmllint: {p.stderr.decode()[:300]}")

# --- sizes no buffer was sized for (run under ASan in the sanitize pass) ---
big = b"9" * 60
for folded, opts in [(b"a;b " + big + b"\n", ()),
                     (b"\xff" * 5000 + b" 3\n", ("--countname", "c" * 255)),
                     (b"\xff" * 5000 + b" 1 " + big + b"\n", ("--countname", "\u00e9" * 200)),
                     (b"a " + b"9" * 300 + b"\n", ("--total", "1"))]:
    p = render(folded, *opts)
    try:
        root, fr = frames(p.stdout)
        check(len(fr) >= 2, f"frames for {folded[:20]!r}")
    except ET.ParseError as e:
        check(False, f"huge sizes {folded[:20]!r}: {e}")
# a long --countname and --title are kept whole (they were cut at fixed buffers)
root, fr = frames(render(b"a 2\n", "--countname", "k" * 3000, "--title", "T" * 3000).stdout)
check(fr[0][0] == "all (2 " + "k" * 3000 + ", 100%)", f"long countname: {fr[0][0][:40]}")
check(root.find(f".//{NS}text[@id='title']").text == "T" * 3000, "long title")
_, fr = frames(render(b"a;b " + big + b"\n").stdout)
check(fr[0][0].startswith("all (999,999,999,999,999,9"), f"60-digit count: {fr[0][0][:60]}")

# --- any input collapse reads: the graph of a bpftrace dump, perf script output or pprof
# is the graph of its folded stacks (it was garbage plus a bad-line note per line) ---
DATA = sys.argv[2]
for src in [f"{DATA}/bpftrace/kstack-compile.bt", f"{DATA}/perf/perf-dd-stacks-01.txt",
            f"{DATA}/pprof/go-cpu.pb"]:
    direct = subprocess.run([SCORCH, "render", src], capture_output=True)
    folded = subprocess.run([SCORCH, "collapse", src], capture_output=True).stdout
    via = subprocess.run([SCORCH, "render"], input=folded, capture_output=True)
    check(direct.returncode == 0 and direct.stdout == via.stdout and not direct.stderr,
          f"render {src}: {direct.stderr[:200]!r}")

# --- options ---
root, fr = frames(render(b"a;b 1\n", "--inverted").stdout)
check(root.find(f".//{NS}text[@id='title']").text == "Icicle Graph", "inverted title")
check(float(fr[0][1]["y"]) < float(fr[1][1]["y"]), "icicle: root on top")
root, _ = frames(render(b"a;b 1\n", "--flamechart").stdout)
check(root.find(f".//{NS}text[@id='title']").text == "Flame Chart", "flame chart title")
_, fr = frames(render(b"a;b 1\na;c 1\na;b 1\n", "--flamechart").stdout)
check([t.split(" ")[0] for t, _, _ in fr] == ["all", "a", "b", "c", "b"], "flame chart keeps time order")
_, fr = frames(render(b"a;b 1\nc;b 3\n", "--reverse").stdout)
check([t.split(" (")[0] for t, _, _ in fr] == ["all", "b", "a", "c"], f"reverse {fr}")
root, fr = frames(render(b"a 1\n", "--width=600", "--height=20", "--title=T", "--subtitle=S").stdout)
check(root.get("width") == "600" and fr[1][1]["width"] == "580", "width")
check(root.get("height") == str(2 * 20 + 36 + 34 + 24), f"height {root.get('height')}")
_, fr = frames(render(b"a;x_[j] 1\na;y_[k] 1\na;java/Foo 1\na;Cpp::f 1\n", "--colors=java").stdout)
fills = {t.split(" (")[0]: r["fill"] for t, r, _ in fr}
def rgb(h): return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))
r, g, b = rgb(fills["x"]); check(g > r and g > b, f"java jit green {fills}")
r, g, b = rgb(fills["y"]); check(b == 0 and r > g, f"java kernel orange {fills}")
r, g, b = rgb(fills["Cpp::f"]); check(r == g and b < r, f"java C++ yellow {fills}")
_, fr = frames(render(b"a;b 1\n", "--factor=1000", "--countname=us").stdout)
check(fr[2][0] == "b (1,000 us, 100.00%)", f"factor {fr[2][0]}")
_, fr = frames(render(b"a;b 1\n", "--total=4").stdout)
check(fr[2][0] == "b (1 samples, 25.00%)" and fr[2][1]["width"] == "295", f"total {fr[2]}")
with tempfile.TemporaryDirectory() as tmp:
    attrs = os.path.join(tmp, "attrs")
    with open(attrs, "w") as f:
        f.write("b\ttitle=custom <tip>\tclass=hot\n")
    root, fr = frames(render(b"a;b 1\n", "--nameattr", attrs).stdout)
    g = root.find(f".//{NS}g[@class='hot']")
    check(g is not None and g.find(f"{NS}title").text == "custom <tip>", "nameattr")
    pal = os.path.join(tmp, "palette.map")
    render(b"a;b 1\n", "--cp", "--palette-file", pal)
    with open(pal) as f:
        lines = f.read().splitlines()
    check(len(lines) == 3 and lines[1].startswith("a->rgb("), f"palette map {lines}")
    with open(pal, "w") as f:
        f.write("a->rgb(1,2,3)\n")
    _, fr = frames(render(b"a;b 1\n", "--cp", "--palette-file", pal).stdout)
    check(fr[1][1]["fill"] == "#010203", "palette map colour reused")

# --- errors: exit 2, a clear message, no output file ---
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "g.svg")
    p = render(b"garbage\n", "-o", out, expect_rc=2)
    check(b"no stack counts" in p.stderr and b"<stdin>:1" in p.stderr, f"empty input: {p.stderr}")
    check(not os.path.exists(out), "no file left behind")
    render(b"a 1\n", "--colors=nope", expect_rc=2)
    render(b"a 1\n", "--bgcolors=nope", "-o", out, expect_rc=2)
    check(not os.listdir(tmp), f"nothing left behind: {os.listdir(tmp)}")
    render(b"a 1\n", "--minwidth=x", expect_rc=2)
    render(b"a 1\n", "--format=png", expect_rc=2)
    p = subprocess.run([SCORCH, "render", os.path.join(tmp, "missing")], capture_output=True)
    check(p.returncode == 2 and b"No such file" in p.stderr, "missing file")

    # --- PNG: dimensions, and the root bar has the SVG's root colour ---
    folded = b"main;work;spin 60\nmain;idle 40\n"
    png = os.path.join(tmp, "g.png")
    render(folded, "-o", png)
    svg_root, fr = frames(render(folded).stdout)
    with open(png, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature")
    w, h = struct.unpack(">II", data[16:24])
    check((w, h) == (1200, int(svg_root.get("height"))), f"PNG size {w}x{h}")
    rows = png_rows(data, w, h)
    for title, r, _ in fr[:2]:
        x, y = int(float(r["x"])) + 200, int(float(r["y"])) + 2   # inside the bar, left of text
        px = tuple(rows[y][x * 3:x * 3 + 3])
        check(px == rgb(r["fill"]), f"PNG pixel of {title}: {px} vs {r['fill']}")
    # --theme dark: the SVG's dark page in PNG (a plain #1c1c21 background, light title),
    # the frames' colours as they are; light (the default) keeps flamegraph.pl's gradient
    check(tuple(rows[1][3:6]) != (0x1c, 0x1c, 0x21), f"light PNG background: {tuple(rows[1][3:6])}")
    dpng = os.path.join(tmp, "dark.png")
    render(folded, "--theme", "dark", "-o", dpng)
    with open(dpng, "rb") as f:
        ddata = f.read()
    drows = png_rows(ddata, w, h)
    check(tuple(drows[1][3:6]) == (0x1c, 0x1c, 0x21) and tuple(drows[h - 2][3:6]) == (0x1c, 0x1c, 0x21),
          f"dark PNG background: {tuple(drows[1][3:6])}")
    # the title's pixels are light on the dark page
    ty = int(12 * 2) - 4
    brightest = max(sum(drows[y][x * 3:x * 3 + 3]) for y in range(ty - 6, ty + 2) for x in range(500, 700))
    check(brightest > 600, f"dark PNG: a light title (brightest {brightest})")
    for title, r, _ in fr[:2]:
        x, y = int(float(r["x"])) + 200, int(float(r["y"])) + 2
        check(tuple(drows[y][x * 3:x * 3 + 3]) == rgb(r["fill"]), f"dark PNG keeps the frame colour of {title}")
    dsvg = render(folded, "--theme", "dark").stdout
    check(b'<svg version="1.1" xmlns="http://www.w3.org/2000/svg" id="scorch" class="dark"' in dsvg, "dark SVG class")
    check(b'class="light"' in render(folded, "--theme", "light").stdout, "light SVG class")
    render(folded, "--theme", "dim", expect_rc=2)
    pdf = os.path.join(tmp, "g.pdf")
    render(folded, "-o", pdf)
    with open(pdf, "rb") as f:
        check(f.read(5) == b"%PDF-", "PDF signature")
    if subprocess.run(["which", "pdfinfo"], capture_output=True).returncode == 0:
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
        check(re.search(r"^Pages:\s+1$", info, re.M) is not None, f"PDF pages: {info}")

# --- the frame budget: at most 50,000 frames drawn, the narrowest dropped whatever
# --minwidth says; 60,000 leaves of counts 1..60,000 under a: root, a and the 49,998 widest ---
big = "".join(f"a;f{i} {i}\n" for i in range(1, 60001)).encode()
_, fr = frames(render(big, "--minwidth", "0").stdout)
check(len(fr) == 50000, f"frame budget: {len(fr)} frames drawn, want 50000")
leaves = sorted(int(t.split(" ")[0][1:]) for t, _, _ in fr if t.startswith("f"))
check(len(leaves) == 49998 and leaves[0] == 10003 and leaves[-1] == 60000,
      f"the widest leaves kept: {leaves[:2]} .. {leaves[-1:]}")
# a tie at the budget's width keeps the first frames in preorder (parents first), not none:
# one 60,000-frame stack (and another of 1): the root, then the chain's first 49,999
deep = (";".join(f"d{i}" for i in range(60000)) + " 5\nother 1\n").encode()
_, fr = frames(render(deep, "--minwidth", "0").stdout)
check(len(fr) == 50000 and fr[1][0].startswith("d0 (") and fr[-1][0].startswith("d49998 ("),
      f"a deep chain at the budget: {len(fr)} frames, last {fr[-1][0][:20] if fr else None}")
deep = (";".join(f"d{i}" for i in range(60000)) + " 5\n").encode()	# the root ties too
_, fr = frames(render(deep, "--minwidth", "0").stdout)
check(len(fr) == 50000, f"a lone deep chain: {len(fr)} frames")
# under the budget nothing changes: 2,000 leaves all drawn with --minwidth 0
_, fr = frames(render("".join(f"a;f{i} {i}\n" for i in range(1, 2001)).encode(), "--minwidth", "0").stdout)
check(len(fr) == 2002, f"under the budget: {len(fr)} frames, want 2002")

# ---- scorchTree: the frames too narrow to draw, kept for the search (render/treedata.c) ----
def tree_data(svg_bytes):
    """decodes the SVG's scorchTree (zlib checks its own adler32): names, (code, name, self)"""
    m = re.search(rb'var scorchTree=\[(\d+),"([A-Za-z0-9+/=]*)"\]', svg_bytes)
    import base64
    b = zlib.decompress(base64.b64decode(m.group(2)))
    check(len(b) == int(m.group(1)), f"scorchTree: {len(b)} bytes, says {m.group(1)}")
    p = 0
    def uv():
        nonlocal p
        v, sh = 0, 0
        while True:
            c = b[p]; p += 1
            v |= (c & 127) << sh; sh += 7
            if not c & 128:
                return v
    check(b[0] == 1, f"scorchTree: version {b[0]}")
    p = 1
    nn, tl = uv(), uv()
    rests = b[p:p + tl].decode().split("\0") if nn else []
    p += tl
    names, prev = [], ""
    for r in rests:
        k = uv()
        prev = prev.encode("utf-16-le")[:2 * k].decode("utf-16-le") + r	# k: UTF-16 units
        names.append(prev)
    flags, nodes = uv(), uv()
    codes = [uv() for _ in range(nodes)]
    ne = sum(c & 1 for c in codes)
    ids = [uv() for _ in range(ne)]
    drawn = None
    if flags & 1:	# fractional counts: the drawn frames' exact widths follow
        selfs = list(struct.unpack_from(f"<{ne}d", b, p)); p += 8 * ne
        drawn = list(struct.unpack_from(f"<{nodes + 1 - ne}d", b, p)); p += 8 * (nodes + 1 - ne)
    else:
        selfs = [uv() for _ in range(ne)]
    return names, codes, ids, selfs, drawn

def folded_back(svg_bytes):
    """the stacks and counts of the whole tree: drawn frames from the SVG's titles, pruned
    ones from scorchTree"""
    names, codes, ids, selfs, exact = tree_data(svg_bytes)
    _, fr = frames(svg_bytes)
    drawn = [(t[:t.rindex(" (")], float(t[t.rindex(" (") + 2:].split(" ")[0].replace(",", ""))) for t, _, _ in fr]
    if exact:	# the titles round
        drawn = [(nm, w) for (nm, _), w in zip(drawn, exact)]
    nodes, d, e, k = [(0, "all", drawn[0][1], False)], 0, 0, 1
    for c in codes:
        d = d + 1 - (c >> 1)
        if c & 1:
            nodes.append((d, names[ids[e]], selfs[e], True)); e += 1
        else:
            nodes.append((d, drawn[k][0], drawn[k][1], False)); k += 1
    # one pass with a stack: a pruned node's total is its self and its children's totals; a
    # node's own count is its total less its children's
    out, stack = {}, []	# [depth, name, total, children's total, pruned]
    def close(depth):
        while stack and stack[-1][0] >= depth:
            dep, nm, tot, kids, pruned = stack.pop()
            if pruned:
                tot += kids
            own = tot - kids
            if stack:
                stack[-1][3] += tot
                if own > 1e-9:
                    key = ";".join(x[1] for x in stack[1:]) + (";" if len(stack) > 1 else "") + nm
                    out[key] = out.get(key, 0) + own
    for dep, nm, v, pruned in nodes:
        close(dep)
        stack.append([dep, nm, v, 0, pruned])
    close(0)
    return names, out

def agg(folded_text):
    out = {}
    for line in folded_text.strip().split("\n"):
        st, n = line.rsplit(" ", 1)
        st = ";".join(re.sub(r"_\[[kwij]\]$", "", f) for f in st.split(";"))
        out[st] = out.get(st, 0) + float(n)
    return out

def check_tree(folded_text, *opts):
    svg = render(folded_text.encode(), *opts).stdout
    names, back = folded_back(svg)
    want_names = sorted({re.sub(r"_\[[kwij]\]$", "", f) for l in folded_text.strip().split("\n") for f in l.rsplit(" ", 1)[0].split(";")},
                        key=lambda x: x.encode())
    check(sorted(set(names), key=lambda x: x.encode()) == want_names and names == sorted(names, key=lambda x: x.encode()),
          f"scorchTree {opts}: names sorted, each once: {names[:5]} want {want_names[:5]}")
    want = agg(folded_text)
    check(back.keys() == want.keys() and all(abs(back[k] - want[k]) < 1e-6 for k in want),
          f"scorchTree {opts}: the whole tree back: {sorted(back.items())[:4]} want {sorted(want.items())[:4]}")
    return svg

# names sharing prefixes across 8-byte boundaries, non-ASCII at the cut, annotations that make
# two frames one display name; most frames pruned (--minwidth 5%)
pre = ["abc\u00e9", "abc\u00e8", "abc\U0001F600x", "abc\U0001F601y", "a", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq", "\u00e9t\u00e9", "\u00e9t\u00e9s"]
lines = ["main;wide 1000"]
for i, a in enumerate(pre):
    for j, b in enumerate(pre):
        lines.append(f"main;x{a};{a}{b};{b}_[k] {1 + (i * 7 + j) % 5}")
        lines.append(f"main;x{a};{a}{b} {1 + j}")
        lines.append(f"main;x{a};{a}{b};{b} {2}")
text = "\n".join(lines) + "\n"
svg = check_tree(text, "--minwidth", "5%")
check(len(frames(svg)[1]) < 40, f"most frames pruned: {len(frames(svg)[1])} drawn")
compact = render(text.encode(), "--minwidth", "5%", "--compact").stdout
check(tree_data(compact) == tree_data(svg), "scorchTree: --compact keeps the same names and tree")
check_tree(text.replace(" 2\n", " 2.5\n"), "--minwidth", "5%")	# fractional: float64 selves
check_tree(text, "--minwidth", "0")	# nothing pruned
check_tree(";".join(f"d{i}" for i in range(60000)) + " 5\nother 1\n", "--minwidth", "0")	# the budget
# names whose first 8 bytes differ by one in the last (the name sort's three-way quicksort),
# in no order, and names sharing 40 bytes and more (passed over in one step)
ids = [(i * 7919) % 3000 for i in range(3000)]
check_tree("".join(f"main;k{i:07d};{'x' * 40}{i % 17}{'y' * (i % 11)} {1 + i % 4}\n" for i in ids))
# more than 1 MiB to compress: the stream's pieces compressed by two threads at once
import hashlib
h = [hashlib.md5(str(i).encode()).hexdigest() for i in range(40000)]
svg = check_tree("".join(f"main;{h[i]};{h[(i * 7) % 40000]}x {1 + i % 3}\n" for i in range(40000)))
check(int(re.search(rb"var scorchTree=\[(\d+)", svg).group(1)) > 1 << 20, "scorchTree: more than 1 MiB")

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures else 0)
