// Where the real datasets live: --data DIR, else $BSFNET_DATA, else ../shared/data beside the
// repository (the layout CI uses). Node only.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DataError } from "../errors.js";

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json"))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function dataDir(flag?: string): string {
  if (flag) return resolve(flag);
  if (process.env.BSFNET_DATA) return resolve(process.env.BSFNET_DATA);
  return resolve(packageRoot(), "../shared/data");
}

/** Path of a dataset file, with a clear error naming where it was looked for when missing. */
export function dataFile(rel: string, flag?: string): string {
  const p = join(dataDir(flag), rel);
  if (!existsSync(p)) {
    throw new DataError(
      `dataset file not found (looked in ${dataDir(flag)}; pass --data DIR or set BSFNET_DATA; see README "Datasets")`,
      { file: p },
    );
  }
  return p;
}
