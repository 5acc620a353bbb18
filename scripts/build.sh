#!/usr/bin/env bash
# `npm run build`: the server compiled by tsc (dist/server, with source maps) and the console built
# by Vite (dist/console), one folder that `npm start` runs with plain node. Files the server reads
# at run time beside its code (migrations, the callback widget, the API reference page) are copied.
source "$(dirname "$0")/lib.sh"

npm_install
say "compiling the server (tsc -p tsconfig.build.json)"
rm -rf dist
node_modules/.bin/tsc -p tsconfig.build.json
mkdir -p dist/prisma dist/server/callbacks dist/server/integration
cp -r prisma/migrations dist/prisma/migrations
cp -r server/callbacks/widget dist/server/callbacks/widget
cp -r server/integration/reference dist/server/integration/reference
commit="${GIT_COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || true)}"
node -e '
  const [version, commit] = process.argv.slice(1);
  const info = { version, commit: commit || null, builtAt: new Date().toISOString() };
  require("node:fs").writeFileSync("dist/server/build-info.json", JSON.stringify(info, null, 2) + "\n");
' "$(node -p 'require("./package.json").version')" "$commit"
say "building the console (Vite) into dist/console"
node_modules/.bin/vite build --config agent-ui/vite.config.ts --logLevel warn --outDir "$ROOT/dist/console" --emptyOutDir
say "built: npm start runs node --enable-source-maps dist/server/main.js"
