#!/usr/bin/env bash
# Builds the probe (make -C bpf/linux), the agent's native symbolizer (make -C
# remote-agent/native), the statically linked copies of both plus lens-remote
# (remote-agent/host-helper) that are deployed to remote hosts, the seccomp
# launcher (make -C remote-agent/native/seccomp) and the three bundles (scripts/build.mjs).
# Both steps are incremental, so a build with nothing changed takes about a second.
#   bash scripts/build.sh [--production]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'build: %s\n' "$*"; }

if [ -f bpf/linux/Makefile ]; then
  say "probe: make -C bpf/linux"
  make --no-print-directory -s -C bpf/linux -j"$(nproc)"
  [ -x bpf/linux/.output/lens-probe ] && say "probe: bpf/linux/.output/lens-probe"
  make --no-print-directory -s -C bpf/linux -j"$(nproc)" static
  say "probe (static, for remote hosts): bpf/linux/.output/static/lens-probe"
else
  say "probe: bpf/linux/Makefile not present, skipped"
fi

say "Windows programs and reader: make -C bpf/windows"
make --no-print-directory -s -C bpf/windows

say "symbolizer: make -C remote-agent/native"
make --no-print-directory -s -C remote-agent/native -j"$(nproc)"
say "symbolizer: remote-agent/native/.output/lens-symbolize"
make --no-print-directory -s -C remote-agent/native -j"$(nproc)" static
say "symbolizer (static, for remote hosts): remote-agent/native/.output/static/lens-symbolize"

say "remote helper: make -C remote-agent/host-helper"
make --no-print-directory -s -C remote-agent/host-helper -j"$(nproc)"
say "remote helper (static): remote-agent/host-helper/.output/static/lens-remote"

say "seccomp launcher: make -C remote-agent/native/seccomp"
make --no-print-directory -s -C remote-agent/native/seccomp

node scripts/build.mjs "$@"
