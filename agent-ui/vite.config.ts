// Vite config for the agent console. Run from the repo root:
//   npx vite build --config agent-ui/vite.config.ts      (production bundle in agent-ui/dist)
//   npx vite --config agent-ui/vite.config.ts            (dev server; /api and /socket.io go to :3000)
import { fileURLToPath } from "node:url";
import path from "node:path";
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

const root = path.dirname(fileURLToPath(import.meta.url));
const backend = process.env.CRM_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  root,
  base: "/",
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: path.join(root, "dist"),
    emptyOutDir: true,
    target: "es2022",
    // No source maps in the served bundle: they would publish the console's source (the server refuses .map too).
    sourcemap: false,
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/socket.io": { target: backend, ws: true },
    },
  },
});
