// The playground's dedicated worker: holds the file, parses it and trains on the wasm kernels, so
// the page's thread only draws. One job at a time; "stop" is read between batches (the worker
// yields to its message queue at most every 100 ms, which costs well under 1% of the run).
import { Runtime } from "../src/runtime/runtime.js";
import type { CsvDataset } from "../src/data/csv.js";
import { BsfnetError } from "../src/errors.js";
import {
  MAX_FILE_BYTES,
  accuracyCurve,
  checkSize,
  guessLabel,
  guessTask,
  parseDataset,
  peekColumns,
  runJob,
  syntheticCsv,
} from "./core.js";
import type { EpochMessage, FromWorker, ToWorker } from "./protocol.js";

interface WorkerScope {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  location: { search: string };
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker, transfer?: Transferable[]) => scope.postMessage(m, transfer);

let bytes: Uint8Array | undefined;
let source = "";
let ds: CsvDataset | undefined;
let busy = false;
let stopRequested = false;
/** the last run's ranking and seed, for the accuracy curve */
let lastRanking: number[] | undefined;
let lastSeed = 0;

/** The relaxed-SIMD build where this engine validates it (fused multiply-add), else SIMD128;
 * ?wasm=simd128 forces the latter (what the bit-for-bit comparison with Node 20 uses). */
const params = new URLSearchParams(scope.location.search);
/** ?max=BYTES lowers the file-size limit (a small tab, or a test that wants the refusal) */
const maxBytes = Math.min(MAX_FILE_BYTES, Number(params.get("max")) || MAX_FILE_BYTES);
const runtime = (async () => {
  const force = params.get("wasm");
  if (force !== "simd128") {
    const relaxed = new Uint8Array(await (await fetch("bsfnet.relaxed.wasm")).arrayBuffer());
    if (WebAssembly.validate(relaxed)) return { rt: await Runtime.load(relaxed), wasm: "relaxed" };
  }
  return { rt: await Runtime.load(await (await fetch("bsfnet.wasm")).arrayBuffer()), wasm: "simd128" };
})();

const info = (e: unknown) =>
  e instanceof BsfnetError
    ? { name: e.name, message: e.message }
    : e instanceof RangeError
      ? { name: "DataError", message: `${source}: too large for this tab's memory (${e.message})` }
      : { name: (e as Error)?.name ?? "Error", message: String((e as Error)?.message ?? e) };

const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

function takeFile(name: string, b: Uint8Array, header: boolean): void {
  bytes = b;
  source = name;
  inspect(header);
}

function inspect(header: boolean): void {
  if (!bytes) throw new BsfnetError("no file loaded yet");
  ds = undefined;
  lastRanking = undefined;
  const { columns, sample } = peekColumns(bytes, source, header, maxBytes);
  const label = guessLabel(columns);
  const li = columns.indexOf(label);
  post({ type: "columns", source, columns, label, task: guessTask(sample.map((r) => r[li] ?? "")) });
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case "stop":
      stopRequested = true;
      return;
    case "load":
      // the size first: a file too large for the tab is refused before it is read into memory
      bytes = undefined;
      ds = undefined;
      source = m.name;
      checkSize(m.file.size, m.name, maxBytes);
      return takeFile(m.name, new Uint8Array(await m.file.arrayBuffer()), m.header);
    case "inspect":
      return inspect(m.header);
    case "synthetic":
      return takeFile(`synthetic-seed${m.seed}.csv`, new TextEncoder().encode(syntheticCsv(m.seed)), true);
    case "parse": {
      if (!bytes) throw new BsfnetError("no file loaded yet");
      ds = undefined;
      lastRanking = undefined;
      const d = parseDataset(bytes, source, m.options, maxBytes);
      ds = d;
      post({
        type: "parsed",
        summary: {
          source: d.source ?? source,
          n: d.n,
          d: d.d,
          label: d.labelColumn,
          task: d.target ? "regression" : "classification",
          classNames: d.classNames,
          featureNames: d.featureNames,
        },
      });
      return;
    }
    case "train": {
      if (!ds) throw new BsfnetError("no dataset parsed yet (fix the file or the options above)");
      const { rt, wasm } = await runtime;
      const t0 = performance.now();
      let last = t0;
      // epochs go to the page in batches, at most one message per 50 ms: a small net runs
      // thousands of epochs a second, and a message each would cost the worker a measurable share
      // of its time; the page draws at most once a frame anyway
      let pending: EpochMessage[] = [];
      let lastPost = t0;
      const flush = () => {
        if (pending.length) post({ type: "epochs", list: pending });
        pending = [];
        lastPost = performance.now();
      };
      stopRequested = false;
      const r = await runJob(ds, m.options, rt, {
        onBatch: async (f) => {
          const now = performance.now();
          if (now - last < 100) return;
          last = now;
          post({ type: "progress", fraction: f, elapsed: (now - t0) / 1000, what: "training" });
          await yieldNow();
        },
        shouldStop: () => stopRequested,
        onEpoch: (e) => {
          const hidden: Record<string, number> = {};
          for (const [k, w] of Object.entries(e.gates))
            if (k !== "input_gate") hidden[k] = w.reduce((a, b) => a + b, 0) / w.length;
          pending.push({
            type: "epoch",
            epoch: e.epoch,
            epochs: e.epochs,
            loss: e.loss,
            accuracy: e.accuracy,
            valLoss: e.valLoss,
            valAccuracy: e.valAccuracy,
            input: e.gates.input_gate ? Array.from(e.gates.input_gate) : undefined,
            hidden,
            elapsed: (performance.now() - t0) / 1000,
          });
          if (performance.now() - lastPost >= 50) flush();
        },
      });
      flush();
      lastRanking = r.features.map((f) => f.index);
      lastSeed = m.options.seed;
      post(
        {
          type: "done",
          stopped: r.stopped,
          epochsDone: r.epochsDone,
          seconds: r.seconds,
          features: r.features.map((f) => ({
            index: f.index,
            name: f.name,
            importance: f.importance,
            runMean: f.runMean,
          })),
          selected: r.selected,
          rankingJson: r.rankingJson,
          reducedCsv: r.reducedCsv,
          model: r.model,
          onnx: r.onnx,
          pruneSummary: r.pruneSummary,
          predictions: r.predictions,
          outputs: r.outputs,
          prunedInputs: r.prunedInputs,
          gateHistory: (r.history.gates.input_gate ?? []).map((w) => Array.from(w)),
          gates: m.options.gates,
          wasm,
        },
        [r.model.buffer, r.onnx.buffer, r.predictions.buffer] as Transferable[],
      );
      return;
    }
    case "curve": {
      if (!ds || !lastRanking) throw new BsfnetError("train first: the curve follows the ranking");
      const { rt } = await runtime;
      const t0 = performance.now();
      const points = await accuracyCurve(ds, lastRanking, lastSeed, rt, async (i, n) => {
        post({ type: "progress", fraction: i / n, elapsed: (performance.now() - t0) / 1000, what: "cross-validation" });
        await yieldNow();
      });
      post({ type: "curve", points, metric: ds.target ? "R²" : "accuracy" });
      return;
    }
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === "stop") {
    stopRequested = true;
    return;
  }
  if (busy) {
    post({
      type: "error",
      during: m.type,
      error: { name: "ConfigError", message: "busy: wait for the current job or Stop it" },
    });
    return;
  }
  busy = true;
  handle(m)
    .catch((err) => post({ type: "error", during: m.type, error: info(err) }))
    .finally(() => {
      busy = false;
    });
};

runtime.then(
  ({ wasm }) => post({ type: "ready", wasm }),
  (err) => post({ type: "error", during: "wasm", error: info(err) }),
);
