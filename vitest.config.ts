import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll's own default (1 s) is a time limit a busy machine misses; passing polls stop early.
    expect: { poll: { timeout: 15_000 } },
    // Two cores: files run two at a time, each with its own database and Redis prefix.
    fileParallelism: true,
    maxWorkers: 2,
    pool: "forks",
  },
});
