#!/bin/sh
# Checks that `scorch collapse` preserves the total count of a bpftrace dump: the sum of the
# values of every map that holds a stack (a map with at least one indented frame line),
# computed here with awk independently of scorch, equals the sum of the folded counts.
set -eu
scorch=$1 dump=$2
want=$(awk '
  /^@/ { name = $0; sub(/[\[:].*/, "", name); cur = name }
  /^[ \t]/ { if (cur != "") stack[cur] = 1 }
  match($0, /\]: [0-9]+$/) { v = substr($0, RSTART + 3); val[cur] += v }
  END { t = 0; for (m in val) if (m in stack) t += val[m]; printf "%.0f\n", t }' "$dump")
got=$("$scorch" collapse "$dump" 2>/dev/null | awk '{ t += $NF } END { printf "%.0f\n", t }')
if [ "$want" != "$got" ]; then
  echo "total of $dump: folded $got, dump $want" >&2
  exit 1
fi
echo "total $got preserved"
