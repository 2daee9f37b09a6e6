// The inference section of RESULTS.md: sizes and latencies from the last `npx tsx bench/infer/infer.ts`
// run (bench/infer-results.json), quoted with that run's date and commit. Measuring inference takes
// minutes of training first, so `npm run bench` quotes it rather than re-running it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

interface InferRow {
  net: string;
  engine: string;
  batch: number;
  seconds: number;
  samplesPerSecond: number;
}

export function inferMarkdown(benchDir: string): string[] {
  const file = path.join(benchDir, "infer-results.json");
  if (!existsSync(file))
    return ["", "## Inference and sizes", "", "No `bench/infer-results.json` yet: run `npx tsx bench/infer/infer.ts`."];
  const r = JSON.parse(readFileSync(file, "utf8"));
  const s = r.sizes;
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  const out = [
    "",
    "## Inference and sizes",
    "",
    `Quoted from \`bench/infer-results.json\`, written by \`npx tsx bench/infer/infer.ts\` on ${r.date} (commit ${r.commit}, load average ${r.loadavg.join(", ")}); the full report, with the nets and how they were pruned, is [INFERENCE.md](INFERENCE.md).`,
    "",
    "| artifact | bytes |",
    "|---|---:|",
    `| wasm module (release) | ${s.wasm} (${kb(s.wasmGzip)} gzipped) |`,
    `| inference bundle \`bsfnet/infer\` (minified) | ${s.inferBundle} (${kb(s.inferBundleGzip)} gzipped) |`,
    `| pruned MNIST MLP, bsfnet model file | ${s.modelPruned} (unpruned, gated: ${s.modelGated}) |`,
    `| pruned Table 6 CNN, bsfnet model file | ${r.cnn.files.pruned} (gated: ${r.cnn.files.gated}) |`,
    "",
    "| net | engine | batch | µs per batch | samples/s |",
    "|---|---|---:|---:|---:|",
    ...(r.results as InferRow[]).map(
      (x) =>
        `| ${x.net} | ${x.engine} | ${x.batch} | ${(x.seconds * 1e6).toFixed(1)} | ${Math.round(x.samplesPerSecond).toLocaleString("en-US")} |`,
    ),
  ];
  return out;
}
