#!/usr/bin/env bash
# Runs the Prisma CLI offline. Prisma 6 tries to download native engines at start-up; pointing
# these variables at any existing executable stops that, and the WebAssembly engines do the work
# (see docs/database.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/usr/bin/true}"
export PRISMA_QUERY_ENGINE_LIBRARY="${PRISMA_QUERY_ENGINE_LIBRARY:-/usr/bin/true}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
exec node_modules/.bin/prisma "$@"
