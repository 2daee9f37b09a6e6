// Times CSV parsing on KDD Cup 99's 10% set (494,021 rows x 42 columns, 2.1 MB gzip, 75 MB text).
// Usage: npx tsx bench/data/csv-kdd99.ts [path-to-kddcup.data_10_percent.gz] [repeats]
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readCsv, readCsvSync } from "../../src/data/csv-node.js";
import { parseCsv } from "../../src/data/csv.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dataDir = process.env.BSFNET_DATA ?? resolve(root, "../shared/data");
const path = process.argv[2] || resolve(dataDir, "kddcup99/kddcup.data_10_percent.gz");
const repeats = Number(process.argv[3] ?? 3);
const opts = { header: false } as const;

async function time(name: string, f: () => unknown | Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  // Wall time is what a user waits; CPU time (this process, all threads) is steadier on a busy machine.
  const fmt = (a: number[]) => a.map((m) => m.toFixed(0)).join(", ");
  console.log(
    `${name.padEnd(36)} wall best ${Math.min(...ms)
      .toFixed(0)
      .padStart(5)} ms (${fmt(ms)})   cpu best ${Math.min(...cpu)
      .toFixed(0)
      .padStart(5)} ms`,
  );
}

const ds = await readCsv(path, opts);
console.log(
  `${path}: ${ds.n} rows, ${ds.d} features, ${ds.classNames.length} classes, categorical ${ds.categories.map((c) => `${c.column}(${c.values.length})`).join(" ")}`,
);
const gz = readFileSync(path);
const text = gunzipSync(gz);
console.log(
  `gzip ${(gz.length / 1e6).toFixed(1)} MB -> text ${(text.length / 1e6).toFixed(1)} MB; node ${process.version}`,
);
await time("gunzipSync only", () => gunzipSync(gz));
await time("parseCsv(bytes) (no I/O, no gunzip)", () => parseCsv(text, opts));
await time("readCsvSync (read+gunzip+parse)", () => readCsvSync(path, opts));
await time("readCsv (streaming)", () => readCsv(path, opts));
