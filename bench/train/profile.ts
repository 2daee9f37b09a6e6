// Where a bsfnet training step's time goes: trains the Musk2-shaped network at one batch size for
// a few seconds, to be run under the V8 profiler, then summarises the profile by function.
//   node --cpu-prof --cpu-prof-dir=/tmp/bsfnet-prof --import tsx bench/train/profile.ts [batch] [seconds]
//   npx tsx bench/train/profile.ts --summarize /tmp/bsfnet-prof/<file>.cpuprofile
import { readFileSync } from "node:fs";
import { bsfnetModel, randomData } from "./musk2.js";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Export names of the wasm functions, by function index (V8 names them wasm-function[i]). */
function wasmNames(file: string): Map<number, string> {
  const b = readFileSync(file);
  const names = new Map<number, string>();
  let i = 8;
  const leb = () => {
    let r = 0,
      s = 0,
      x = 0;
    do {
      x = b[i++];
      r |= (x & 0x7f) << s;
      s += 7;
    } while (x & 0x80);
    return r >>> 0;
  };
  let imported = 0;
  while (i < b.length) {
    const id = b[i++];
    const size = leb();
    const end = i + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        i += leb();
        i += leb();
        const kind = b[i++];
        if (kind === 0) {
          leb();
          imported++;
        } else break; // bsfnet imports no functions; other kinds are not parsed
      }
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const len = leb();
        const name = b.subarray(i, i + len).toString("utf8");
        i += len;
        const kind = b[i++];
        const index = leb();
        if (kind === 0) names.set(index, name);
      }
    }
    i = end;
  }
  void imported;
  return names;
}

function summarize(file: string): void {
  const names = wasmNames(new URL("../../build/bsfnet.wasm", import.meta.url).pathname);
  const p = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // only samples inside Sequential.fit (leaves out module loading, data generation, idle)
  const inFit = (id: number): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (f.functionName === "fit" && f.url.includes("sequential")) return true;
    }
    return false;
  };
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    if (inFit(id)) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const agg = new Map<string, number>();
  for (const [id, t] of self) {
    const f = byId.get(id)!.callFrame;
    const where = f.url
      ? `${f.url.replace(/^.*\/(src|bench|assembly|node_modules)\//, "$1/")}:${f.lineNumber + 1}`
      : "";
    const wasm = /^wasm-function\[(\d+)\]$/.exec(f.functionName);
    const key = wasm
      ? `wasm ${names.get(Number(wasm[1])) ?? f.functionName}`
      : `${f.functionName || "(anonymous)"} ${where}`.trim();
    agg.set(key, (agg.get(key) ?? 0) + t);
  }
  const rows = [...agg].sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.log(`${(total / 1000).toFixed(0)} ms sampled inside Sequential.fit`);
  for (const [k, t] of rows) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}

if (process.argv[2] === "--summarize") {
  summarize(process.argv[3]);
} else {
  const B = Number(process.argv[2] ?? 32);
  const seconds = Number(process.argv[3] ?? 5);
  const n = 4096;
  const { x, y } = randomData(n, 3);
  const model = bsfnetModel(0);
  await model.build();
  const t0 = performance.now();
  let samples = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await model.fit(x, y, { epochs: 1, batchSize: B, shuffle: true, verbose: 0 });
    samples += n;
  }
  const sps = (samples / (performance.now() - t0)) * 1000;
  console.log(`batch ${B}: ${sps.toFixed(0)} samples/s, ${((B / sps) * 1e6).toFixed(0)} µs per step`);
}
