import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores on CI: one worker per core; wasm kernels are single-threaded.
    pool: "forks",
    maxWorkers: 2,
  },
});
