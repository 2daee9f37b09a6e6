// npm run playground:measure [-- --reps R --data DIR]: the playground against Node, written to
// docs/playground.md, and the screenshot docs/playground.png.
//
// For Wine and for a Musk2-sized net (synthetic, seeded: 6,598 rows x 168 features, the shape of
// Musk2's 166 features and 2 ids), on each wasm build (SIMD128; relaxed SIMD, which Node 20
// validates only with --experimental-wasm-relaxed-simd, so the npm script passes it): the page
// trains through its own form and worker, and Node runs the same function (playground/core.ts
// runJob) on the same parsed rows with the same options. Both time model.fit alone (runJob's
// `seconds`), alternating page and Node R times; the ratio is of the medians (Node / page: above 1
// the page is faster). The input gate weights of every epoch are compared bit for bit.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus, loadavg } from "node:os";
import { buildPlayground } from "./playground-build.js";
import { findChromium, launch, serve, waitState } from "./lib/playground-browser.js";
import { MUSK2_SHAPE, parseDataset, runJob, syntheticCsv, type TrainOptions } from "../playground/core.js";
import { Runtime } from "../src/runtime/runtime.js";
import type { Page } from "playwright-core";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const args = process.argv.slice(2);
const opt = (k: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : undefined;
};
const reps = Number(opt("--reps") ?? 5);
const out = join(root, "dist-playground");
const built = await buildPlayground(out, opt("--data"));
if (!built.wine) throw new Error("Wine is needed for the measurement: pass --data DIR or set BSFNET_DATA");
const chromium = findChromium();
if (!chromium) throw new Error("no chromium found (apt-get install chromium, or set CHROMIUM)");
const relaxedOk = WebAssembly.validate(readFileSync(join(root, "build/bsfnet.relaxed.wasm")));
if (!relaxedOk)
  process.stderr.write("node does not validate the relaxed build: run with --experimental-wasm-relaxed-simd\n");

const { url, server } = await serve(out);
const browser = await launch(chromium);
const chromeVersion = browser.version();

interface Case {
  name: string;
  file: string;
  csv: Uint8Array;
  options: TrainOptions;
}
const musk = new TextEncoder().encode(syntheticCsv(0, MUSK2_SHAPE));
const cases: Case[] = [
  {
    name: "Wine (178 x 13, 3 classes)",
    file: "wine.csv",
    csv: new Uint8Array(readFileSync(join(out, "wine.csv"))),
    options: { lambda: 0.01, epochs: 300, gates: "input", seed: 0 },
  },
  {
    // the CLI's 300 epochs last 30-60 ms, where run-to-run spread is larger than a 10% difference:
    // the same job ten times longer resolves it
    name: "Wine (178 x 13, 3 classes)",
    file: "wine.csv",
    csv: new Uint8Array(readFileSync(join(out, "wine.csv"))),
    options: { lambda: 0.01, epochs: 3000, gates: "input", seed: 0 },
  },
  {
    name: "Musk2-sized (6,598 x 168, 2 classes, synthetic)",
    file: "musk2-sized.csv",
    csv: musk,
    options: { lambda: 0.01, epochs: 10, gates: "input", seed: 0 },
  },
];

async function pageRun(page: Page, c: Case): Promise<{ seconds: number; gates: number[][] }> {
  await page.setInputFiles("#file", { name: c.file, mimeType: "text/csv", buffer: Buffer.from(c.csv) });
  await waitState(page, "!!s.summary && !s.parsing");
  await page.fill("#epochs", String(c.options.epochs));
  await page.fill("#lambda", String(c.options.lambda));
  await page.fill("#seed", String(c.options.seed));
  await page.selectOption("#gates", c.options.gates);
  await page.click("#train");
  await waitState(page, "!!s.done", 600000);
  const r = (await page.evaluate(
    "(() => { const d = globalThis.__playground.done; return { seconds: d.seconds, gates: d.gateHistory }; })()",
  )) as { seconds: number; gates: number[][] };
  // the page draws its results after "done": let that finish so it does not share the two cores
  // with the Node run that follows
  await page.evaluate("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 500)))");
  return r;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Row {
  build: string;
  case: string;
  epochs: number;
  page: number[];
  node: number[];
  same: boolean;
}
const rows: Row[] = [];
const load0 = loadavg()[0];
for (const build of relaxedOk ? ["simd128", "relaxed"] : ["simd128"]) {
  const page = await browser.newPage();
  await page.goto(`${url}index.html${build === "simd128" ? "?wasm=simd128" : ""}`);
  await waitState(page, "!!s.wasm", 60000);
  const wasm = await page.evaluate("globalThis.__playground.wasm");
  if (wasm !== build) throw new Error(`the page loaded ${wasm}, wanted ${build}`);
  const rt = await Runtime.load(
    readFileSync(join(root, build === "simd128" ? "build/bsfnet.wasm" : "build/bsfnet.relaxed.wasm")),
  );
  for (const c of cases) {
    const ds = parseDataset(c.csv, c.file, { label: "class" });
    const row: Row = { build, case: c.name, epochs: c.options.epochs, page: [], node: [], same: true };
    // one untimed run each first: compilation and the first allocations are not training speed
    await pageRun(page, c);
    await runJob(ds, c.options, rt);
    for (let r = 0; r < reps; r++) {
      const p = await pageRun(page, c);
      const n = await runJob(ds, c.options, rt);
      row.page.push(p.seconds);
      row.node.push(n.seconds);
      const ng = n.history.gates.input_gate.map((w) => Array.from(w));
      row.same &&= JSON.stringify(ng) === JSON.stringify(p.gates);
      process.stderr.write(
        `${build} ${c.file} rep ${r + 1}: page ${p.seconds.toFixed(3)} s, node ${n.seconds.toFixed(3)} s\n`,
      );
    }
    rows.push(row);
  }
  await page.close();
}

// the screenshot: Wine, the page's defaults but λ 0.05 so gates visibly close, and the accuracy curve
const shot = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await shot.goto(`${url}index.html`);
await waitState(shot, "!!s.wasm", 60000);
await shot.click("#ex-wine");
await waitState(shot, "!!s.summary");
await shot.fill("#epochs", "300");
await shot.fill("#lambda", "0.05");
await shot.click("#train");
await waitState(shot, "!!s.done", 600000);
await shot.click("#curve");
await shot.waitForSelector("#fig-curve svg", { timeout: 600000 });
await shot.screenshot({ path: join(root, "docs/playground.png"), fullPage: true });
await browser.close();
server.close();

const f = (v: number) => v.toFixed(3);
const table = rows.map((r) => {
  const p = median(r.page);
  const n = median(r.node);
  return `| ${r.build} | ${r.case} | ${r.epochs} | ${f(p)} (${f(Math.min(...r.page))}–${f(Math.max(...r.page))}) | ${f(n)} (${f(Math.min(...r.node))}–${f(Math.max(...r.node))}) | **${(n / p).toFixed(2)}×** | ${(Math.min(...r.node) / Math.min(...r.page)).toFixed(2)}× | ${r.same ? "identical" : "DIFFER"} |`;
});
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const md = `# The browser playground

\`npm run playground:build\` writes the page to \`dist-playground/\` (serve it with any static server:
\`python3 -m http.server -d dist-playground\`, then open http://localhost:8000/). Drop a CSV or load an
example, pick the label and the columns to drop, train; the page ranks the features and gives you
the ranking JSON (\`bsfnet select --json\`'s format), the reduced CSV (\`select --transform\`'s), the
pruned model (\`bsfnet train\` then \`bsfnet prune\`, carrying its standardization and columns), its
ONNX export and a Worker snippet. Parsing and training run in a Web Worker on the wasm kernels.

![the playground after training on Wine](playground.png)

## Measured

Made by \`npm run playground:measure\` (this file and the screenshot). ${reps} timed runs per cell
after one untimed run, page and Node alternating; seconds of \`model.fit\` (the same
\`playground/core.ts\` \`runJob\` in both: the page's worker and Node), median (min–max). The speed
ratio is Node's time over the page's, of the medians and of the minima (the least disturbed runs on a
loaded machine): at least 0.9× was the target. The page's time includes its main thread drawing the
figures each epoch on the same two cores; after each page run the script waits for the page to
finish drawing before Node starts. Gate weights: the input gate's
weights after every epoch, page against Node, compared bit for bit.

Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), shared with other jobs (load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end),
so single timings are noisy; ${chromeVersion} headless, Node ${process.version}.

| wasm build | data | epochs | page (s) | Node (s) | page speed / Node (medians) | (minima) | gate weights |
|---|---|---|---|---|---|---|---|
${table.join("\n")}

The relaxed build (fused multiply-add) is what the page uses where the browser validates it; Node 20
validates it only with \`--experimental-wasm-relaxed-simd\` (the npm script passes it).

## What the page does, and where it differs from the CLI

The page's run is \`bsfnet train --gates input|hidden|all\` (Normalization fitted on the training
80%, gates starting at 0.99, dense D, D, 2D, D) followed by \`bsfnet prune\`; the ranking applies
\`select\`'s rule (\`rankGates\`: the gate weight averaged over the last 10% of epochs) to that run's
input gate, so it is \`select\`'s format but not \`select\`'s network (which starts its gates at 0.5
and trains on every row). A target k keeps the k best-ranked features and cuts the pruned model's
input gate to exactly them; \`select --k\` instead searches λ until k gates stay open. The
file-size limit is fixed (256 MB, lowered with \`?max=BYTES\`), not measured from the tab's memory;
an allocation failure while parsing is reported as the same kind of DataError.

## Bundle

The page's code (index.html, main.js, worker.js), minified: ${kb(built.code.raw)}, **${kb(built.code.gzip)} gzip**
(budget 60 KB gzip, checked by test/playground/playground.test.ts); the relaxed wasm module
${kb(built.wasm.raw)} (${kb(built.wasm.gzip)} gzip), loaded by the worker; Wine (wine.csv, ${kb(readFileSync(join(out, "wine.csv")).length)}) is read from the
data directory at build time, not from the repository.
`;
writeFileSync(join(root, "docs/playground.md"), md);
console.log(md);
