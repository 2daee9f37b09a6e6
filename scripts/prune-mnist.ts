// Kernel pruning on MNIST: the paper's Table 6 CNN (conv 3x3x32, conv 3x3x64, max pool, dense 128,
// dropout, softmax) with a channel gate after each convolution and a unit gate after the dense
// layer; trained, pruned (closed channels delete their kernels: output channels of the conv,
// input channels of the next conv, and every (h, w, c) row of the dense layer after Flatten),
// fine-tuned at lr / 10, and compared with the same CNN trained without gates.
// Writes docs/prune-mnist.md and docs/results/prune-mnist.json (and the pruned model with --save).
//   npx tsx scripts/prune-mnist.ts [--train 10000] [--epochs 6] [--fine-tune 3] [--penalty 0.02] [--init 0.9]
//                                  [--save pruned.bsfnet] [--out docs]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { loadMnist, sampleSubsets } from "../src/data/mnist.js";
import { Sequential } from "../src/model/sequential.js";
import { Dense } from "../src/layers/dense.js";
import { BSF } from "../src/layers/bsf.js";
import { Conv2D } from "../src/layers/conv.js";
import { MaxPool2D } from "../src/layers/pool.js";
import { Flatten } from "../src/layers/flatten.js";
import { Dropout } from "../src/layers/dropout.js";
import { Adam } from "../src/optim/optimizer.js";
import type { Layer } from "../src/layers/layer.js";
import { ready } from "../src/runtime/runtime.js";
import { prune, fineTune, summary } from "../src/prune/index.js";
import { modelToBytes } from "../src/io/file.js";
import { toOnnx } from "../src/export/onnx.js";
import { InferenceModel } from "../src/infer/index.js";
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const opt = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const root = fileURLToPath(new URL("..", import.meta.url));
const TRAIN = Number(opt("train", "10000"));
const EPOCHS = Number(opt("epochs", "6"));
const FINE = Number(opt("fine-tune", "3"));
const PENALTY = Number(opt("penalty", "0.02"));
const INIT = Number(opt("init", "0.9"));
const SAVE = opt("save", "");
const OUT = opt("out", join(root, "docs"));
const BATCH = 64;

function cnn(gates: boolean): Sequential {
  const g = (name: string, channel: boolean) =>
    gates
      ? [new BSF({ name, penalty: PENALTY, init: INIT, ...(channel ? { shareAxis: "channel" as const } : {}) })]
      : [];
  const layers: Layer[] = [
    new Conv2D({ filters: 32, kernelSize: 3, activation: "relu", name: "conv_1" }),
    ...g("gate_1", true),
    new Conv2D({ filters: 64, kernelSize: 3, activation: "relu", name: "conv_2" }),
    ...g("gate_2", true),
    new MaxPool2D({ poolSize: 2, name: "pool" }),
    new Flatten({ name: "flatten" }),
    new Dense({ units: 128, activation: "relu", name: "dense" }),
    ...g("gate_3", false),
    new Dropout({ rate: 0.5, name: "dropout" }),
    new Dense({ units: 10, activation: "softmax", name: "output" }),
  ];
  const m = new Sequential(layers, { inputShape: [28, 28, 1], name: gates ? "table6_gated" : "table6" });
  m.compile({ optimizer: new Adam({ learningRate: 0.001 }), seed: 0 });
  return m;
}

function latency(m: InferenceModel, x: Float32Array, B: number): number {
  const d = m.inputSize;
  const batch = x.subarray(0, B * d);
  for (let i = 0; i < 3; i++) m.predict(batch);
  const t: number[] = [];
  const t0 = performance.now();
  while (t.length < 5 || performance.now() - t0 < 1000) {
    const s = performance.now();
    m.predict(batch);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1] / 1000;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const rt = await ready();
  const [train] = sampleSubsets(await loadMnist("train"), [TRAIN], 0);
  const test = await loadMnist("test");
  const log = (s: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}\n`);

  const plain = cnn(false);
  await plain.build(undefined, rt);
  await plain.fit(train.x, train.y, { epochs: EPOCHS, batchSize: BATCH, verbose: 0 });
  const accPlain = (await plain.evaluate(test.x, test.y)).accuracy;
  log(`plain: test accuracy ${accPlain.toFixed(4)}`);

  const gated = cnn(true);
  await gated.build(undefined, rt);
  await gated.fit(train.x, train.y, { epochs: EPOCHS, batchSize: BATCH, verbose: 0 });
  const accGated = (await gated.evaluate(test.x, test.y)).accuracy;
  const { model: pruned, plan } = prune(gated);
  const accPruned = (await pruned.evaluate(test.x, test.y)).accuracy;
  log(
    `gated ${accGated.toFixed(4)}, pruned ${accPruned.toFixed(4)}; kept ${plan.gates.map((g) => `${g.gate} ${g.keep.length}/${g.units}`).join(", ")}`,
  );
  if (FINE > 0) await fineTune(pruned, train.x, train.y, { epochs: FINE, batchSize: BATCH, baseLearningRate: 0.001 });
  const accFine = (await pruned.evaluate(test.x, test.y)).accuracy;
  log(`fine-tuned ${accFine.toFixed(4)}`);

  const files = { plain: modelToBytes(plain), gated: modelToBytes(gated), pruned: modelToBytes(pruned) };
  mkdirSync(join(OUT, "results"), { recursive: true });
  if (SAVE) writeFileSync(SAVE, files.pruned);
  const wasm = readFileSync(join(root, "build/bsfnet.wasm"));
  const infPlain = await InferenceModel.load(wasm, files.plain);
  const infPruned = await InferenceModel.load(wasm, files.pruned);
  const speed = {
    plain: { batch1: latency(infPlain, test.x, 1), batch256: latency(infPlain, test.x, 256) },
    pruned: { batch1: latency(infPruned, test.x, 1), batch256: latency(infPruned, test.x, 256) },
  };
  const count = (m: Sequential) => m.layers.filter((l) => l.className !== "BSF").reduce((s, l) => s + l.paramCount, 0);
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    network:
      "Table 6 CNN: conv 3x3x32 relu, conv 3x3x64 relu, max pool 2, flatten, dense 128 relu, dropout 0.5, dense 10 softmax; channel gates after each conv, a unit gate after the dense layer",
    settings: {
      train: train.n,
      test: test.n,
      epochs: EPOCHS,
      fineTuneEpochs: FINE,
      batchSize: BATCH,
      penalty: PENALTY,
      gateInit: INIT,
      threshold: 0.1,
    },
    before: { units: plan.before.units, weights: count(plain), accuracy: accPlain },
    gated: { accuracy: accGated, weights: plan.before.weights },
    after: {
      units: plan.after.units,
      weights: plan.after.weights,
      accuracy: accFine,
      accuracyBeforeFineTune: accPruned,
    },
    kept: Object.fromEntries(plan.gates.map((g) => [g.gate, { kept: g.keep.length, of: g.units }])),
    sizes: {
      plainFile: files.plain.length,
      prunedFile: files.pruned.length,
      prunedFileGzip: gzipSync(files.pruned, { level: 9 }).length,
      prunedOnnx: toOnnx(pruned).length,
    },
    inferenceSeconds: speed,
    seconds,
  };
  writeFileSync(join(OUT, "results/prune-mnist.json"), `${JSON.stringify(result, null, 2)}\n`);
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const ms = (s: number) => (s < 1e-3 ? `${(s * 1e6).toFixed(0)} µs` : `${(s * 1e3).toFixed(2)} ms`);
  const md = `# Kernel pruning on MNIST

Produced by \`npx tsx scripts/prune-mnist.ts\` (${seconds.toFixed(0)} s on this machine, one thread); figures in
\`docs/results/prune-mnist.json\` (\`--save FILE\` writes the pruned model).

${result.network}. Trained ${EPOCHS} epochs (Adam 0.001, batch ${BATCH}) on ${train.n.toLocaleString("en")} training images
(fixed-seed sample), tested on the 10,000 test images. Gates: init ${INIT}, penalty ${PENALTY}, threshold 0.1.
Pruning deletes each closed channel's kernel (output channel of its conv, input channel of the next conv,
and its ${12 * 12} (h, w) rows of the dense layer after Flatten) and each closed dense unit, then
${FINE} epoch(s) of fine-tuning at lr 0.0001. Channel counts are rounded up to a multiple of 4 with
zero-weight channels (exact), so the convolutions stay on their SIMD/Winograd paths.

| | channels conv_1 / conv_2 / dense | weights | test accuracy |
| --- | ---: | ---: | ---: |
| Table 6 CNN, no gates | 32 / 64 / 128 | ${result.before.weights.toLocaleString("en")} | ${pct(accPlain)} |
| with gates (inference) | 32 / 64 / 128 | ${result.gated.weights.toLocaleString("en")} + gates | ${pct(accGated)} |
| pruned, before fine-tuning | ${plan.gates.map((g) => g.keep.length).join(" / ")} | ${plan.after.weights.toLocaleString("en")} | ${pct(accPruned)} |
| **pruned + fine-tuned** | **${plan.gates.map((g) => g.keep.length).join(" / ")}** | **${plan.after.weights.toLocaleString("en")}** | **${pct(accFine)}** |

Weights: ${pct(1 - plan.after.weights / result.before.weights)} fewer than the ungated CNN.

Model files: ungated ${(files.plain.length / 1024).toFixed(1)} KiB, pruned ${(files.pruned.length / 1024).toFixed(1)} KiB
(gzip ${(result.sizes.prunedFileGzip / 1024).toFixed(1)} KiB; ONNX ${(result.sizes.prunedOnnx / 1024).toFixed(1)} KiB).

bsfnet/infer (one thread, median): batch 1 ${ms(speed.plain.batch1)} → ${ms(speed.pruned.batch1)} per image;
batch 256 ${ms(speed.plain.batch256)} → ${ms(speed.pruned.batch256)} per batch.

\`\`\`
${summary(gated, pruned)}
\`\`\`
`;
  writeFileSync(join(OUT, "prune-mnist.md"), md);
  console.log(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
