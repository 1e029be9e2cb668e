#!/usr/bin/env python3
"""Prints the sorted <title> texts of an SVG (one per line), after checking it parses as XML.
Used to compare scorch's tooltips with flamegraph.pl's, and to make their expectations.
  svg_titles.py FILE.svg                 print titles
  svg_titles.py --check SCORCH OPTS EXPECTED_DIR INPUT...   render each input, compare"""
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def titles(svg_bytes):
    root = ET.fromstring(svg_bytes)
    return sorted(t.text or "" for t in root.iter(NS + "title"))


def main():
    if sys.argv[1] != "--check":
        with open(sys.argv[1], "rb") as f:
            sys.stdout.write("".join(t + "\n" for t in titles(f.read())))
        return 0
    scorch, opts, expected_dir = sys.argv[2], sys.argv[3], sys.argv[4]
    tag = opts.replace("--", "").replace("=", "-").replace("%", "pct") or "default"
    failures = 0
    for path in sys.argv[5:]:
        name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        out = subprocess.run([scorch, "render", *opts.split(), path], capture_output=True)
        if out.returncode != 0:
            print(f"{name}: scorch exit {out.returncode}: {out.stderr.decode()}")
            failures += 1
            continue
        got = titles(out.stdout)
        with open(f"{expected_dir}/{name}.{tag}.txt", encoding="utf-8") as f:
            want = f.read().splitlines()
        if got != want:
            missing = sorted(set(want) - set(got))[:3]
            extra = sorted(set(got) - set(want))[:3]
            print(f"{name} [{opts}]: {len(got)} titles, want {len(want)}; "
                  f"missing {missing}, unexpected {extra}")
            failures += 1
    print(f"{len(sys.argv) - 5 - failures} passed, {failures} failed")
    return 1 if failures else 0


sys.exit(main())
