#!/usr/bin/env bash
# `scorch diff` against difffolded.pl's output (sorted: it prints in hash order), and
# `scorch check`'s summary, JSON, SVG and exit codes.  diff_tests.sh SCORCH DATA_DIR
set -u
S=$1 D=$2/diff R=$2/perf/results
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 failures=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
same_sorted() { # name expected args...
  local name=$1 want=$2; shift 2
  if "$S" diff --folded "$@" 2>"$tmp/err" | sort | cmp -s - "$want"; then ok
  else bad "$name: differs from $want: $("$S" diff --folded "$@" 2>&1 | sort | diff - "$want" | head -5)"; fi
}
same_sorted java "$D/java-01-02.expected" "$R/perf-java-stacks-01-collapsed-pid.txt" "$R/perf-java-stacks-02-collapsed-pid.txt"
same_sorted vertx-ns "$D/vertx-java-ns.expected" -n -s "$R/perf-vertx-stacks-01-collapsed-addrs.txt" "$R/perf-java-stacks-02-collapsed-addrs.txt"
same_sorted small "$D/small.expected" "$D/small-a.folded" "$D/small-b.folded"
same_sorted small-n "$D/small-n.expected" -n "$D/small-a.folded" "$D/small-b.folded"
same_sorted small-ns "$D/small-ns.expected" -n -s "$D/small-a.folded" "$D/small-b.folded"
# scorch's own output is sorted by stack: deterministic
"$S" diff --folded "$D/small-a.folded" "$D/small-b.folded" > "$tmp/o1"
sort -c "$tmp/o1" 2>/dev/null && ok || bad "diff --folded output not sorted"

# counts past the largest double: merged stacks (-s) and -n stay finite, said, never fatal
nines=$(printf '9%.0s' $(seq 400))
printf '0x1;a %s\n0x2;a %s\nb 5\n' "$nines" "$nines" > "$tmp/huge-before"
printf 'a %s\nc %s\n' "$nines" "$nines" > "$tmp/huge-after"
"$S" diff -s --folded "$tmp/huge-before" "$tmp/huge-after" > "$tmp/o" 2>"$tmp/err" &&
  grep -q "overflows" "$tmp/err" && ok || bad "diff -s of huge counts: $(cat "$tmp/err")"
"$S" diff -n --folded "$tmp/huge-before" "$tmp/huge-after" > "$tmp/o" 2>"$tmp/err" &&
  ! grep -qiE 'inf|nan' "$tmp/o" && "$S" collapse "$tmp/o" > /dev/null 2>&1 && ok ||
  bad "diff -n of huge counts: $(cat "$tmp/o" "$tmp/err" | cut -c1-80)"
# one format per run: --folded with another --output-format is a usage error
"$S" diff --folded --output-format pprof "$D/small-a.folded" "$D/small-b.folded" > /dev/null 2>&1
[ $? = 2 ] && ok || bad "--folded with --output-format pprof"

# bad lines are reported, not fatal; missing or empty inputs exit 2
printf 'a;b 5\nnot a line\n' > "$tmp/bad.folded"
"$S" diff --folded "$tmp/bad.folded" "$D/small-b.folded" > /dev/null 2> "$tmp/err"
[ $? = 0 ] && grep -q "bad.folded:2: expected a count" "$tmp/err" && ok || bad "bad line: $(cat "$tmp/err")"
"$S" diff "$tmp/missing" "$D/small-b.folded" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "missing file"
: > "$tmp/empty"; "$S" diff "$tmp/empty" "$D/small-b.folded" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "empty file"
"$S" diff "$D/small-a.folded" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "one file"

# the differential graph: after's shape, red grew, blue shrank, flamegraph.pl's tooltips
printf 'm;a 50\nm;b 50\n' > "$tmp/before"; printf 'm;a 80\nm;b 20\n' > "$tmp/after"
"$S" diff "$tmp/before" "$tmp/after" -o "$tmp/d.svg" && ok || bad "diff svg"
"$S" diff --negate "$tmp/before" "$tmp/after" -o "$tmp/n.svg" && ok || bad "diff --negate svg"
python3 - "$tmp/d.svg" "$tmp/n.svg" <<'PY' && ok || bad "differential SVG"
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
def frames(f):
    return {g.find(ns + "title").text: g.find(ns + "rect").get("fill")
            for g in ET.parse(f).getroot().find(f".//{ns}g[@id='frames']")}
d = frames(sys.argv[1])
assert d["a (80 samples, 80.00%; +30.00%)"] == "#ff0000", d    # grew: red
assert d["b (20 samples, 20.00%; -30.00%)"] == "#0000ff", d    # shrank: blue
n = frames(sys.argv[2])   # --negate: before's shape, red still means grew
assert n["a (50 samples, 50.00%; +30.00%)"] == "#ff0000", n
assert n["b (50 samples, 50.00%; -30.00%)"] == "#0000ff", n
PY

# check: same profile -> 0; a real shift -> 1, named; summary and JSON
awk 'BEGIN { for (i = 0; i < 40; i++) printf "app;main;f%d %d\n", i, 100 + i }' > "$tmp/base"
cp "$tmp/base" "$tmp/same"
"$S" check "$tmp/base" "$tmp/same" > "$tmp/md"; [ $? = 0 ] && ok || bad "no change: exit 0"
grep -q "^## scorch check: OK" "$tmp/md" && ok || bad "OK summary: $(cat "$tmp/md")"
awk '{ if ($1 == "app;main;f3") $2 = 3000; print }' "$tmp/base" > "$tmp/slow"
"$S" check "$tmp/base" "$tmp/slow" --svg "$tmp/check.svg" > "$tmp/md"; rc=$?
[ $rc = 1 ] && ok || bad "regression: exit $rc"
grep -q "^## scorch check: REGRESSION" "$tmp/md" && grep -qE '^\| `f3` \| (self|inclusive) \| ' "$tmp/md" && ok || bad "summary names f3: $(cat "$tmp/md")"
# names are code spans, as a plain log reads them: `gamma_mid`, `a|b` escaped, `x``y` fenced
awk '{ sub(/f3/, "gamma_mid"); sub(/f4 /, "a|b "); sub(/f5 /, "x``y "); print }' "$tmp/base" > "$tmp/nb"
awk '{ if ($1 == "app;main;gamma_mid" || $1 == "app;main;a|b" || $1 == "app;main;x``y") $2 = 3000; print }' "$tmp/nb" > "$tmp/ns"
"$S" check "$tmp/nb" "$tmp/ns" > "$tmp/md2"
grep -qF '| `gamma_mid` |' "$tmp/md2" && grep -qF '| `a\|b` |' "$tmp/md2" && grep -qF '| ```x``y``` |' "$tmp/md2" &&
  ok || bad "code spans: $(cat "$tmp/md2")"
[ -s "$tmp/check.svg" ] && xmllint --noout "$tmp/check.svg" && ok || bad "--svg"
"$S" check --json "$tmp/base" "$tmp/slow" > "$tmp/j"; [ $? = 1 ] && ok || bad "json exit"
python3 - "$tmp/j" <<'PY' && ok || bad "JSON: $(cat "$tmp/j")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["verdict"] == "regression" and j["baseline"]["samples"] == 4780, j
r = j["regressions"]
assert {x["function"] for x in r} == {"f3"} and {x["share"] for x in r} == {"self", "inclusive"}, r
assert all(x["change_points"] > 30 and x["z"] > j["z_critical"] for x in r), r
assert j["improvements"] == [], j["improvements"]   # the others shrink ~1 point: under the threshold
PY
"$S" check "$tmp/slow" "$tmp/base" > /dev/null; [ $? = 0 ] && ok || bad "an improvement is not a regression"
# JSON stays valid for any name: a file name that is not UTF-8, frame names with controls
cp "$tmp/slow" "$tmp/$(printf 'x\377\001y')"
printf 'r;a\001b\342\200\256 5\n' >> "$tmp/$(printf 'x\377\001y')"
"$S" check --json "$tmp/base" "$tmp/$(printf 'x\377\001y')" > "$tmp/j2"
python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$tmp/j2" && ok || bad "check --json with hostile names: $(head -c 300 "$tmp/j2")"
# bad inputs: exit 2
"$S" check "$tmp/base" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "one file"
"$S" check "$tmp/base" "$tmp/missing" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "missing file"
"$S" check "$tmp/empty" "$tmp/base" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "empty file"
printf 'garbage\n' > "$tmp/garbage"; "$S" check "$tmp/garbage" "$tmp/base" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "garbage file"
printf 'a;b 10\n' > "$tmp/thin"; out=$("$S" check "$tmp/thin" "$tmp/base" 2>&1); [ $? = 2 ] && echo "$out" | grep -q "too few samples" && ok || bad "thin profile: $out"
"$S" check --threshold x "$tmp/base" "$tmp/base" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "bad option value"
"$S" check --bogus "$tmp/base" "$tmp/base" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "unknown option"
echo "$pass passed, $failures failed"
[ "$failures" = 0 ]
