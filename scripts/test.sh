#!/usr/bin/env bash
# The whole suite in one run: setup -> build -> lint -> mocha over test/unit,
# test/integration, test/remote and test/e2e (those present, in that order),
# then one summary line with the tests each folder ran. Exits non-zero when lint or a test
# failed, or when a folder did not run every test it selected (named in a FAIL line).
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

dirs=()
for dir in test/unit test/integration test/remote test/e2e; do
  if [ -n "$(find "$dir" -name '*.test.ts' -print -quit 2>/dev/null)" ]; then
    dirs+=("$dir")
  fi
done

mkdir -p test-output
log=test-output/mocha.log
counts=test-output/suite-counts.json
rm -f "$counts"
if [ "${#dirs[@]}" -eq 0 ]; then
  say "no test files found"
  mocha_rc=1
else
  specs=("${dirs[@]/%//**/*.test.ts}")
  say "mocha: ${specs[*]}"
  # mocha's spec output, and per folder the tests it selected and reported, written to $counts.
  node_modules/.bin/mocha --reporter test/helpers/suiteCountReporter.ts --reporter-option "counts=$counts" \
    "${specs[@]}" "$@" 2>&1 | tee "$log"
  mocha_rc=${PIPESTATUS[0]}
fi

# The totals with each folder's "ran N of M", then a FAIL line per folder cut short.
elapsed=$(( $(date +%s) - started ))
report=$(node --import tsx test/helpers/suiteCountSummary.ts "$counts" "${dirs[@]}") && [ -n "$report" ] \
  || report=$'no per-folder counts\nFAIL: test/helpers/suiteCountSummary.ts could not read the counts (see above)'
say "summary: $(head -1 <<<"$report"), lint ${lint}, ${elapsed}s (mocha exit ${mocha_rc})"
incomplete=$(tail -n +2 <<<"$report")
[ -z "$incomplete" ] || while IFS= read -r line; do say "$line"; done <<<"$incomplete"
[ "$lint" = ok ] && [ "$mocha_rc" -eq 0 ] && [ -z "$incomplete" ]
