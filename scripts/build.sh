#!/usr/bin/env bash
# `npm run build`: the server compiled by tsc (dist/server, with source maps) and the console built
# by Vite (dist/console), one folder that `npm start` runs with plain node. Files the server reads
# at run time beside its code (migrations, the callback widget, the API reference page) are copied.
source "$(dirname "$0")/lib.sh"

# BUILD_DIR (default dist) must lie inside the project: the compiled server finds node_modules above it.
OUT="${BUILD_DIR:-dist}"
case "$OUT" in /*) ;; *) OUT="$ROOT/$OUT" ;; esac

npm_install
say "compiling the server (tsc -p tsconfig.build.json) into $OUT/server"
rm -rf "$OUT"
node_modules/.bin/tsc -p tsconfig.build.json --outDir "$OUT/server"
mkdir -p "$OUT/prisma" "$OUT/server/callbacks" "$OUT/server/integration"
cp -r prisma/migrations "$OUT/prisma/migrations"
cp -r server/callbacks/widget "$OUT/server/callbacks/widget"
cp -r server/integration/reference "$OUT/server/integration/reference"
commit="${GIT_COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || true)}"
node -e '
  const [version, commit] = process.argv.slice(1);
  const info = { version, commit: commit || null, builtAt: new Date().toISOString() };
  require("node:fs").writeFileSync(process.argv[3] + "/server/build-info.json", JSON.stringify(info, null, 2) + "\n");
' "$(node -p 'require("./package.json").version')" "$commit" "$OUT"
say "building the console (Vite) into $OUT/console"
node_modules/.bin/vite build --config agent-ui/vite.config.ts --logLevel warn --outDir "$OUT/console" --emptyOutDir
say "built: npm start runs node --enable-source-maps ${OUT#"$ROOT/"}/server/main.js"
