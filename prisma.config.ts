// Prisma CLI configuration. The CLI runs on the WebAssembly schema engine ("js" engine) through an
// in-memory PGlite, so `prisma generate` and `prisma migrate diff` need no native binary and no
// network. The server applies migrations itself (server/platform/db/migrate.ts).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    // Typed against an older driver-adapter-utils; the same interface at run time.
    return new PrismaPGlite(new PGlite()) as unknown as PrismaPg;
  },
});
