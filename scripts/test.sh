#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, starts Redis and PostgreSQL
# when none answers, then type-checks, lints, builds the console and runs every test (API tests on
# both PGlite and PostgreSQL, browser tests in Debian's Chromium).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ensure-postgres.sh"

apt_install chromium:chromium ffmpeg:ffmpeg
npm_install
ensure_redis
ensure_postgres

say "type-checking"
node_modules/.bin/tsc -p tsconfig.json --noEmit
node_modules/.bin/svelte-check --tsconfig agent-ui/tsconfig.json --fail-on-warnings --output human
say "linting"
node_modules/.bin/eslint --max-warnings 0 .
build_ui
say "running the tests"
report="$VAR_DIR/test-report.json"
rc=0
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || rc=$?
# One plain closing line that any CI can read.
node -e 'const r=require(process.argv[1]);console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$report" || true
exit $rc
