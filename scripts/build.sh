#!/usr/bin/env bash
# Builds the probe (make -C bpf/linux) and the three bundles (scripts/build.mjs).
# Both steps are incremental, so a build with nothing changed takes about a second.
#   bash scripts/build.sh [--production]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'build: %s\n' "$*"; }

if [ -f bpf/linux/Makefile ]; then
  say "probe: make -C bpf/linux"
  make --no-print-directory -s -C bpf/linux -j"$(nproc)"
  [ -x bpf/linux/.output/lens-probe ] && say "probe: bpf/linux/.output/lens-probe"
else
  say "probe: bpf/linux/Makefile not present, skipped"
fi

node scripts/build.mjs "$@"
