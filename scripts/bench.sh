#!/usr/bin/env bash
# npm run bench: the benchmarks need PostgreSQL beside the embedded PGlite; figures go to BENCHMARKS.md.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ensure-postgres.sh"
npm_install
ensure_postgres
exec node --expose-gc --max-old-space-size=8192 --import tsx bench/run.ts
