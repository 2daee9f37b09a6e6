// Test helpers for the real datasets in ../shared/data (or $BSFNET_DATA).
// When a dataset is missing: on CI (CI=true) the suite fails with a message naming what is missing;
// elsewhere it is skipped, with a visible notice in the test output and on stderr.
import { existsSync } from "node:fs";
import { resolve, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The shared data directory: $BSFNET_DATA, else ../shared/data relative to the repository root. */
export function dataDir(): string {
  const env = process.env.BSFNET_DATA;
  return env ? resolve(env) : resolve(repoRoot, "../shared/data");
}

/** Absolute path of a file under dataDir(). */
export function dataPath(relPath: string): string {
  return join(dataDir(), relPath);
}

/** True when every file exists under dataDir(). */
export function hasData(...relPaths: string[]): boolean {
  return relPaths.every((p) => existsSync(dataPath(p)));
}

/**
 * describe() over real data files. fn receives the absolute paths, in the order given.
 * Missing files: fail on CI, otherwise skip with a notice.
 */
export function describeWithData(name: string, relPaths: string | string[], fn: (...paths: string[]) => void): void {
  const rels = Array.isArray(relPaths) ? relPaths : [relPaths];
  const paths = rels.map(dataPath);
  const missing = rels.filter((_, i) => !existsSync(paths[i]));
  if (missing.length === 0) {
    describe(name, () => fn(...paths));
    return;
  }
  const msg = `missing data ${missing.join(", ")} under ${dataDir()} (set BSFNET_DATA to the shared data directory)`;
  if (process.env.CI === "true") {
    describe(name, () => {
      it("has its data files", () => {
        throw new Error(msg);
      });
    });
  } else {
    process.stderr.write(`[bsfnet tests] SKIPPED "${name}": ${msg}\n`);
    describe.skip(`${name} [SKIPPED: ${msg}]`, () => fn(...paths));
  }
}
