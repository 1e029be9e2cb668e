#!/usr/bin/env bash
# The main job on a bundled sample: set up and build scorch, then profile the bundled workload
# (samples/truth.c: 50/30/20% of CPU in alpha/beta/gamma_) with the BPF sampler and render it.
# Output: demo/scorch-demo.svg (open it in a browser), and demo/scorch-demo.folded.
# Needs root (BPF). Where the kernel refuses BPF, it says so and renders a bundled bpftrace
# dump instead, so the rendering still shows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p demo
if build/scorch record -F 499 -o demo/scorch-demo.folded -- build/scorch-truth 3; then
  build/scorch render --title "scorch-truth: 50/30/20% in alpha/beta/gamma_ (BPF, 499 Hz)" \
    demo/scorch-demo.folded -o demo/scorch-demo.svg
else
  echo "demo: the kernel refused the sampler (see above); rendering a bundled bpftrace dump" >&2
  build/scorch collapse tests/data/bpftrace/ustack-comm.bt -o demo/scorch-demo.folded
  build/scorch render --title "scorch-truth (bundled bpftrace dump)" demo/scorch-demo.folded \
    -o demo/scorch-demo.svg
fi
echo "demo: wrote $(pwd)/demo/scorch-demo.svg"
awk '{ n = split($1, f, ";"); for (i = 1; i <= n; i++) if (f[i] ~ /^(alpha|beta|gamma_)$/) s[f[i]] += $NF;
       t += $NF } END { for (k in s) printf "demo: %-7s %5.1f%% of samples\n", k, 100 * s[k] / t }' \
  demo/scorch-demo.folded | sort
