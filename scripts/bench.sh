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
# The harness and everything it starts (workloads, tracers, load client, Chromium) run at nice -10
# when allowed, so that other work on a shared machine disturbs the measurements less; tracer and
# workload keep the same priority, so their competition for the CPU is unchanged.
# LENS_BENCH_NICE=0 runs at normal priority.
nice_level=${LENS_BENCH_NICE:--10}
if [ "$nice_level" != 0 ] && nice -n "$nice_level" true 2>/dev/null; then
  exec nice -n "$nice_level" node_modules/.bin/tsx scripts/bench/main.ts "$@"
fi
exec node_modules/.bin/tsx scripts/bench/main.ts "$@"
