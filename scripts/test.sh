#!/usr/bin/env bash
# Sets up, builds and runs every test: first the unit and golden tests under ASan+UBSan, then
# the whole suite (including the real-kernel sampler tests and the browser test) in Release.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

# Sanitizer pass over the tests that exercise parsing, folding and rendering.
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSCORCH_SANITIZE=ON -DSCORCH_WERROR="$werror" >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
echo "== sanitizer run (ASan+UBSan) =="
# fontconfig (under cairo's text) keeps its caches until exit: suppressed, nothing else is
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
(cd build-asan && ctest --output-on-failure -L sanitize -j2)
unset LSAN_OPTIONS

echo "== full suite =="
cd build
ctest --output-on-failure
