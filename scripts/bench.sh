#!/usr/bin/env bash
# `npm run bench`: prepares the machine (scripts/setup.sh) and the builds (scripts/build.sh),
# then runs the benchmark harness (scripts/bench/main.ts). Options are passed on:
#   npm run bench -- --help
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for arg in "$@"; do
  if [ "$arg" = --help ] || [ "$arg" = -h ]; then exec node_modules/.bin/tsx scripts/bench/main.ts --help; fi
done
[ -f scripts/setup.sh ] && bash scripts/setup.sh
[ -f scripts/build.sh ] && bash scripts/build.sh
exec node_modules/.bin/tsx scripts/bench/main.ts "$@"
