#!/usr/bin/env bash
# pprof and speedscope output, pprof input.  pprof_tests.sh SCORCH DATA_DIR CASE
#   go-flamegraph  FlameGraph's 78 folded files: `go tool pprof -raw` of scorch's pprof has the
#                  same stacks and counts, `-top -nodefraction=0` the same total, and scorch
#                  reads its own pprof back to the same folded bytes
#   go-runtime     a pprof written by Go's runtime/pprof folds to the stacks of `go tool pprof
#                  -traces`, inline frames included, for both sample types
#   errors         what pprof cannot hold or a reader cannot take: exit 2, a reason, no file
#   speedscope     output valid against speedscope's own schema, indices in range, weights
#                  summing to the folded total, one profile per process for recordings
set -u
S=$1 DATA=$2 CASE=$3
R=$DATA/perf/results
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 failures=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
export GOCACHE=$tmp/gocache GOPATH=$tmp/gopath GOPROXY=off GO111MODULE=off HOME=$tmp GOFLAGS=
PY=/usr/bin/python3

# `go tool pprof -raw` to folded lines (root first), summed per stack
raw_to_folded() {
  $PY -c '
import sys, re, collections
lines = sys.stdin.read().split("\n")
sec, samples, locs = None, [], {}
for l in lines:
    if l.startswith("Samples:"): sec = "s"; continue
    if l.startswith("Locations"): sec = "l"; continue
    if l.startswith("Mappings"): sec = None; continue
    if sec == "s":
        m = re.match(r"\s+(\d+): ((?:\d+ )*)$", l)
        if m: samples.append((int(m.group(1)), [int(x) for x in m.group(2).split()]))
    elif sec == "l":
        # NAME :LINE s=START, then (SYSTEM_NAME) when pprof shortened the name for display
        m = re.match(r"\s+(\d+): 0x[0-9a-f]+ M=\d+ (.*?) :\d+(?::\d+)? s=\d+(?:\((.*)\))?$", l)
        if m: locs[int(m.group(1))] = [m.group(3) or m.group(2)]
        else:   # an inline line of the same location
            m = re.match(r"\s+(.*?) :\d+(?::\d+)? s=\d+(?:\((.*)\))?$", l)
            if m and locs: locs[max(locs)].append(m.group(2) or m.group(1))
tot = collections.Counter()
for c, ids in samples:
    frames = []
    for i in reversed(ids): frames += list(reversed(locs[i]))
    tot[";".join(frames)] += c
for k in sorted(tot): print(k, tot[k])
'
}

# `go tool pprof -traces` to folded lines (root first), summed per stack
traces_to_folded() {
  $PY -c '
import sys, re, collections
tot, cur, val = collections.Counter(), [], None
def flush():
    if val is not None and cur: tot[";".join(reversed(cur))] += val
for l in sys.stdin.read().split("\n"):
    if l.startswith("-----------+"):
        flush(); cur, val = [], None; continue
    m = re.match(r"\s+(\d+)\s{3}(\S.*)$", l)
    if m: val = int(m.group(1)); cur = [m.group(2)]
    elif val is not None and l.strip(): cur.append(l.strip())
flush()
for k in sorted(tot): print(re.sub(r" \(inline\)", "", k), tot[k])
'
}

case $CASE in
go-flamegraph)
  command -v go >/dev/null || { echo "FAIL: go not found (scripts/setup.sh --test installs golang-go)"; exit 1; }
  n=0
  for f in "$R"/*.txt; do
    n=$((n + 1)); b=$(basename "$f" .txt)
    "$S" collapse "$f" > "$tmp/want" 2>/dev/null
    "$S" collapse -o "$tmp/$b.pb.gz" "$f" 2>/dev/null || { bad "$b: collapse -o .pb.gz"; continue; }
    go tool pprof -raw "$tmp/$b.pb.gz" 2>/dev/null | raw_to_folded > "$tmp/raw"
    sort "$tmp/want" | cmp -s - "$tmp/raw" && ok ||
      bad "$b: go tool pprof -raw differs: $(sort "$tmp/want" | diff - "$tmp/raw" | head -4)"
    total=$(awk '{ s += $NF } END { print s }' "$tmp/want")
    top=$(go tool pprof -top -nodefraction=0 "$tmp/$b.pb.gz" 2>/dev/null |
          sed -n 's/^Showing nodes accounting for \([0-9]*\), 100% of \([0-9]*\) total$/\1 \2/p')
    [ "$top" = "$total $total" ] && ok || bad "$b: go tool pprof -top total '$top', folded $total"
    "$S" collapse "$tmp/$b.pb.gz" 2>/dev/null | cmp -s - "$tmp/want" && ok || bad "$b: pprof read back differs"
  done
  [ "$n" = 78 ] && ok || bad "expected FlameGraph's 78 folded files, found $n"
  ;;
go-runtime)
  command -v go >/dev/null || { echo "FAIL: go not found (scripts/setup.sh --test installs golang-go)"; exit 1; }
  cp "$DATA/pprof/gocpu.go" "$tmp/main.go"
  (cd "$tmp" && go build -o gocpu main.go) || { echo "FAIL: go build"; exit 1; }
  "$tmp/gocpu" "$tmp/cpu.pprof"
  for st in samples cpu; do
    go tool pprof -traces -sample_index=$st "$tmp/cpu.pprof" 2>/dev/null | traces_to_folded > "$tmp/want.$st"
    # cpu values print as durations (10ms): compare those through samples x period instead
    if [ $st = cpu ]; then
      period=$(go tool pprof -raw "$tmp/cpu.pprof" 2>/dev/null | sed -n 's/^Period: //p')
      awk -v p="$period" '{ $NF = $NF * p; print }' "$tmp/want.samples" > "$tmp/want.cpu"
      "$S" collapse "$tmp/cpu.pprof" > "$tmp/got.cpu" 2>"$tmp/err"   # default: cpu
    else
      "$S" collapse --sample-type samples "$tmp/cpu.pprof" > "$tmp/got.samples" 2>"$tmp/err"
    fi
    [ -s "$tmp/want.$st" ] && cmp -s "$tmp/want.$st" "$tmp/got.$st" && ok ||
      bad "runtime/pprof $st: $(diff "$tmp/want.$st" "$tmp/got.$st" | head -6)"
  done
  grep -q ';main.leafA;main.sq ' "$tmp/got.samples" && ok || bad "inlined main.sq not a frame: $(cat "$tmp/got.samples")"
  # gzipped (as Go writes it) or not: the same
  gzip -dc "$tmp/cpu.pprof" > "$tmp/cpu.pb"
  "$S" collapse --sample-type samples "$tmp/cpu.pb" | cmp -s - "$tmp/got.samples" && ok || bad "plain pprof differs"
  # render, diff and check read it too
  "$S" render "$tmp/cpu.pprof" -o "$tmp/g.svg" && grep -q 'main.leafA' "$tmp/g.svg" && ok || bad "render of pprof"
  "$S" diff --folded "$tmp/cpu.pb" "$tmp/cpu.pprof" > "$tmp/d" && [ -s "$tmp/d" ] && ok || bad "diff of pprof"
  "$S" check "$tmp/cpu.pb" "$tmp/cpu.pprof" > "$tmp/c" 2>&1 && ok || bad "check of pprof: $(cat "$tmp/c")"
  ;;
errors)
  printf 'a;b 1.5\n' > "$tmp/frac"
  "$S" collapse -o "$tmp/frac.pb.gz" "$tmp/frac" 2>"$tmp/err"
  [ $? = 2 ] && grep -q "integer counts" "$tmp/err" && [ ! -e "$tmp/frac.pb.gz" ] && ok ||
    bad "fractional counts to pprof: $(cat "$tmp/err")"
  "$S" collapse -o "$tmp/ok.pb.gz" "$R/perf-vertx-stacks-01-collapsed-pid.txt" && ok || bad "collapse to pprof"
  "$S" collapse --sample-type cpu "$tmp/ok.pb.gz" > /dev/null 2>"$tmp/err"
  [ $? = 2 ] && grep -q "no sample type 'cpu' (it has: samples)" "$tmp/err" && ok || bad "unknown sample type: $(cat "$tmp/err")"
  head -c 300 "$tmp/ok.pb.gz" > "$tmp/cut.pb.gz"
  "$S" collapse "$tmp/cut.pb.gz" > "$tmp/out" 2>"$tmp/err"
  [ $? = 2 ] && [ ! -s "$tmp/out" ] && ok || bad "truncated pprof: $(cat "$tmp/err")"
  gzip -dc "$tmp/ok.pb.gz" | head -c 1000 > "$tmp/cut.pb"
  "$S" collapse --format pprof "$tmp/cut.pb" > "$tmp/out" 2>"$tmp/err"
  [ $? = 2 ] && grep -q "malformed" "$tmp/err" && ok || bad "cut pprof: $(cat "$tmp/err")"
  # odd but legal references: a 2^63 id, a duplicate function id (the first wins), inline
  # lines, a location without lines (its address), missing locations, functions and strings
  # ([unknown], counted), negative (skipped, noted) and zero values
  "$S" collapse "$DATA/../fuzz/regress/pprof/odd-references.pb" > "$tmp/out" 2>"$tmp/err"
  printf '[unknown] 2\nmain;0x1234 2\nmain;main;[unknown] 3\n' | cmp -s - "$tmp/out" &&
    grep -q "skipped 1 sample with a negative value" "$tmp/err" &&
    grep -q "3 references to a missing location" "$tmp/err" && ok ||
    bad "odd references: $(cat "$tmp/out" "$tmp/err")"
  # a 1 MB profile whose samples name an 8,000-line location 50 times each (8 G frames):
  # refused once its frames pass a budget proportional to its size (bench/adversarial times it)
  $PY "$DATA/../../bench/adversarial/genpprof.py" "$tmp/bomb.pb"
  "$S" collapse --format pprof "$tmp/bomb.pb" > "$tmp/out" 2>"$tmp/err"
  [ $? = 2 ] && grep -q "expand to more than" "$tmp/err" && [ ! -s "$tmp/out" ] && ok ||
    bad "frame bomb: $(cat "$tmp/err")"
  # names are bounded too: a 100 KB name named 10,000 times in one sample (1 GB of text)
  $PY "$DATA/../../bench/adversarial/genpprof.py" "$tmp/long.pb" longname
  "$S" collapse --format pprof "$tmp/long.pb" > "$tmp/out" 2>"$tmp/err"
  [ $? = 2 ] && grep -q "bytes of names" "$tmp/err" && ok || bad "name bomb: $(cat "$tmp/err")"
  # a deep stack (100,000 frames) makes a first field longer than what detection looks at:
  # still detected, read back whole
  $PY -c 'print(";".join("f%d" % i for i in range(100000)), 7)' > "$tmp/deep.folded"
  "$S" collapse -o "$tmp/deep.pb.gz" "$tmp/deep.folded" && "$S" collapse "$tmp/deep.pb.gz" |
    cmp -s - "$tmp/deep.folded" && ok || bad "deep stack through pprof"
  # counts past any double stay finite: valid JSON; pprof refuses what it cannot hold
  $PY -c 'print("a 1"); print("b", "9" * 400)' > "$tmp/huge.folded"
  "$S" collapse --output-format speedscope "$tmp/huge.folded" | $PY -c 'import json, sys
d = json.load(sys.stdin); assert all(w < float("inf") for w in d["profiles"][0]["weights"])' &&
    ok || bad "huge count in speedscope"
  "$S" diff --output-format pprof "$tmp/huge.folded" "$tmp/huge.folded" > /dev/null 2>"$tmp/err"
  [ $? = 2 ] && grep -q "does not fit pprof" "$tmp/err" && ok || bad "huge diff count to pprof: $(cat "$tmp/err")"
  "$S" collapse --output-format svg "$tmp/frac" > /dev/null 2>"$tmp/err"
  [ $? = 2 ] && grep -q "graphs: scorch render" "$tmp/err" && ok || bad "collapse --output-format svg"
  "$S" record --every 3s -d 1 > /dev/null 2>&1; [ $? = 2 ] && ok || bad "--every without --push"
  "$S" collapse --output-format nope "$tmp/frac" > /dev/null 2>"$tmp/err"
  [ $? = 2 ] && grep -q "unknown output format 'nope'" "$tmp/err" && ok || bad "bad --output-format"
  # an explicit format wins over the extension; '-' is stdout
  "$S" collapse --output-format folded -o "$tmp/x.pb.gz" "$R/perf-vertx-stacks-01-collapsed-pid.txt" &&
    cmp -s "$tmp/x.pb.gz" <("$S" collapse "$R/perf-vertx-stacks-01-collapsed-pid.txt") && ok || bad "--output-format folded"
  "$S" collapse --output-format pprof "$R/perf-vertx-stacks-01-collapsed-pid.txt" | gzip -t && ok || bad "pprof on a pipe"
  ;;
speedscope)
  SCHEMA=$DATA/../browser/node_modules/speedscope/dist/release/file-format-schema.json
  [ -f "$SCHEMA" ] || { echo "FAIL: $SCHEMA missing (scripts/setup.sh --test installs speedscope)"; exit 1; }
  "$S" collapse -o "$tmp/a.speedscope.json" "$R/perf-vertx-stacks-01-collapsed-all.txt" && ok || bad "collapse to speedscope"
  "$S" collapse "$R/perf-vertx-stacks-01-collapsed-all.txt" > "$tmp/a.folded"
  printf 'p1;m;a 3\np2;m;b 2.5\np1;x\xffy 1\n' > "$tmp/b.folded"
  "$S" collapse --output-format speedscope "$tmp/b.folded" > "$tmp/b.speedscope.json" && ok || bad "speedscope on stdout"
  "$S" diff --output-format speedscope "$R/perf-java-stacks-01-collapsed-pid.txt" "$R/perf-java-stacks-02-collapsed-pid.txt" > "$tmp/c.speedscope.json" && ok || bad "diff to speedscope"
  "$S" diff --folded "$R/perf-java-stacks-01-collapsed-pid.txt" "$R/perf-java-stacks-02-collapsed-pid.txt" > "$tmp/c.diff"
  "$S" collapse "$tmp/b.folded" > "$tmp/b.sorted"
  $PY "$DATA/../scripts/speedscope_check.py" "$SCHEMA" \
      "$tmp/a.speedscope.json" "$tmp/a.folded" "$tmp/b.speedscope.json" "$tmp/b.sorted" \
      "$tmp/c.speedscope.json" "$tmp/c.diff" && ok || bad "speedscope checks"
  # the checker itself fails a file the schema refuses, and a weight that does not add up
  sed 's/"unit": "none"/"unit": "parsecs"/' "$tmp/b.speedscope.json" > "$tmp/bad1.json"
  sed 's/"weights": \[3,/"weights": [4,/' "$tmp/b.speedscope.json" > "$tmp/bad2.json"
  cmp -s "$tmp/b.speedscope.json" "$tmp/bad2.json" && bad "bad2 not altered"
  for b in bad1 bad2; do
    $PY "$DATA/../scripts/speedscope_check.py" "$SCHEMA" "$tmp/$b.json" "$tmp/b.sorted" > /dev/null &&
      bad "checker passed $b" || ok
  done
  ;;
*) echo "unknown case $CASE"; exit 2 ;;
esac
echo "$pass passed, $failures failed"
[ "$failures" = 0 ]
