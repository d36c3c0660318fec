#!/usr/bin/env bash
# The whole suite in one run: setup -> build -> lint -> mocha over test/unit,
# test/integration, test/remote and test/e2e (those present, in that order),
# then one summary line. Exits non-zero when lint or any test failed.
#   bash scripts/test.sh [extra mocha arguments, e.g. --grep attach]
# Environment: LENS_REQUIRE_BPF=1 makes eBPF tests fail instead of skip when
# eBPF is not usable (set by .ci/run).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'test: %s\n' "$*"; }
started=$(date +%s)

bash scripts/setup.sh || { say "setup failed (see above)"; exit 1; }
bash scripts/build.sh || { say "build failed (see above)"; exit 1; }

say "lint: eslint + tsc --noEmit"
lint=ok
node_modules/.bin/eslint . || lint=FAILED
node_modules/.bin/tsc --noEmit -p . || lint=FAILED

specs=()
for dir in test/unit test/integration test/remote test/e2e; do
  if [ -n "$(find "$dir" -name '*.test.ts' -print -quit 2>/dev/null)" ]; then
    specs+=("$dir/**/*.test.ts")
  fi
done

mkdir -p test-output
log=test-output/mocha.log
if [ "${#specs[@]}" -eq 0 ]; then
  say "no test files found"
  mocha_rc=1
else
  say "mocha: ${specs[*]}"
  node_modules/.bin/mocha "${specs[@]}" "$@" 2>&1 | tee "$log"
  mocha_rc=${PIPESTATUS[0]}
fi

# mocha's own summary lines ("  12 passing"), colour codes removed.
count() { sed 's/\x1b\[[0-9;]*m//g' "$log" 2>/dev/null | grep -Eo "^ +[0-9]+ $1" | tail -1 | grep -Eo '[0-9]+' || echo 0; }
passing=$(count passing); failing=$(count failing); pending=$(count pending)
elapsed=$(( $(date +%s) - started ))
say "summary: ${passing} passing / ${failing} failing / ${pending} pending, lint ${lint}, ${elapsed}s (mocha exit ${mocha_rc})"
[ "$lint" = ok ] && [ "$mocha_rc" -eq 0 ] && [ "$failing" -eq 0 ]
