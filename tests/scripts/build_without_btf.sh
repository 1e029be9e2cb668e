#!/usr/bin/env bash
# Builds scorch as on a machine without kernel BTF (VMLINUX_BTF pointed at nothing): the build
# succeeds without the sampler; record says why and exits 2; collapse and render work.
#   build_without_btf.sh SOURCE_DIR
set -u
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cmake -S "$src" -B "$tmp/b" -DVMLINUX_BTF=/nonexistent/vmlinux >"$tmp/cfg" 2>&1 || fail "configure: $(cat "$tmp/cfg")"
grep -q "no kernel BTF at /nonexistent/vmlinux" "$tmp/cfg" || fail "no warning: $(cat "$tmp/cfg")"
cmake --build "$tmp/b" --target scorch -j"$(nproc)" >"$tmp/build" 2>&1 || fail "build: $(tail -20 "$tmp/build")"
S=$tmp/b/scorch
out=$("$S" record -d 1 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "built without the BPF sampler" || fail "record: exit $rc: $out"
printf 'a;b 3\na;c 1\n' > "$tmp/in.folded"
"$S" collapse "$tmp/in.folded" | cmp - "$tmp/in.folded" || fail "collapse"
"$S" render "$tmp/in.folded" -o "$tmp/g.svg" && grep -q '<title>b (3 samples, 75.00%)</title>' "$tmp/g.svg" || fail "render"
echo "1 passed, 0 failed"
