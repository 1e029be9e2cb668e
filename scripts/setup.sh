#!/usr/bin/env bash
# Installs what scorch needs to build and test on Debian 12 (as root), then configures and
# builds it. Idempotent: apt runs only when a package is missing.
#   scripts/setup.sh            build deps, build into build/
#   scripts/setup.sh --test     also the test deps (chromium, node, xmllint, perl tools)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

pkgs=(build-essential cmake pkg-config clang llvm bpftool libbpf-dev libelf-dev libdw-dev
      libcairo2-dev zlib1g-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "$want_test" = 1 ]; then
  # test tools are looked up as commands: a machine may have them from elsewhere (a node
  # from another source conflicts with Debian's npm package)
  # the unwinding tests profile Debian's own python3 (built without frame pointers);
  # the run-queue tests compare with bpftrace, and the walkthrough runs it
  for pair in /usr/bin/python3:python3 xmllint:libxml2-utils node:nodejs npm:npm chromium:chromium \
              pdfinfo:poppler-utils setpriv:util-linux bpftool:bpftool perf:linux-perf \
              go:golang-go bpftrace:bpftrace; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  # glibc's own functions (__libc_start_call_main, the frames every stack starts with) are
  # named only from its detached symbols: the tests and the stored CI baseline expect them
  dpkg-query -W -f='${Status}' libc6-dbg 2>/dev/null | grep -q "install ok installed" ||
    missing+=(libc6-dbg)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing packages: ${missing[*]}; run as root or install them" >&2
    exit 2
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$want_test" = 1 ] && { [ ! -d tests/browser/node_modules/playwright-core ] ||
                              [ ! -d tests/browser/node_modules/speedscope ]; }; then
  # the browser test drives Debian's chromium through playwright-core (no browser download);
  # speedscope's package brings its file format's schema and its offline page
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

build_type=${BUILD_TYPE:-Release}
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" -DSCORCH_WERROR="$werror" >/dev/null
cmake --build build -j"$(nproc)"
