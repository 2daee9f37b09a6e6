// Architecture rules for src/, checked by `npm run check:imports` and by test/architecture/imports.test.ts
// (dependency-cruiser; type-only imports count: a cycle of types is still a cycle of modules).
const { builtinModules } = require("node:module");

// dependency-cruiser names Node's built-in modules without the node: prefix ("fs", "fs/promises").
const nodeBuiltin = `^(${builtinModules
  .filter((m) => !m.startsWith("_"))
  .map((m) => m.replace(/[/.]/g, "\\$&"))
  .join("|")})(/|$)`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      severity: "error",
      comment: "No import cycle in src/ (type-only imports included).",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "io-not-prune",
      severity: "error",
      comment: "Model files and exports (src/io/) do not import pruning (src/prune/).",
      from: { path: "^src/io/" },
      to: { path: "^src/prune/" },
    },
    {
      name: "infer-not-training",
      severity: "error",
      comment:
        "bsfnet/infer runs anywhere JavaScript runs: nothing it reaches, directly or through other modules, is training " +
        "code (Sequential, optimizers, pruning) or a node: module.",
      from: { path: "^src/infer/" },
      to: { path: ["^src/(model/sequential|optim/|prune/)", nodeBuiltin], reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(test|bench|scripts|examples|assembly)/" },
  },
};
