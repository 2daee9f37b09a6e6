// Paper Table 4 (and Fig. 5): kernel pruning on the paper's schedule. First stage: the CNN without
// gates, N_tr epochs (Adam 0.001) then N_ft epochs at a tenth of the learning rate. Second stage,
// per L1 coefficient: the same CNN with a channel BSF gate after every convolution, N_tr epochs,
// pruned (closed channels delete their kernels and the next layer's inputs; no rounding of channel
// counts, so the weights are the pruned model's own), then N_ft epochs of fine-tuning at lr / 10.
// Every accuracy and loss is on held-out images (the validation split), never the training data.
//   MNIST: the Table 6 CNN, 15,000 training and 5,000 validation images drawn from the 60,000.
//   CIFAR-10: the Keras documentation CNN (1,250,858 weights) on the 4,000 + 1,000 images of
//   cifar10-subset (the paper used all 60,000 images and 500+ epochs).
// Writes docs/results/table4-<dataset>.json (after every stage, so a stopped run keeps what it did)
// and docs/table4-<dataset>.md.
//   npx tsx scripts/table4-kernels.ts --dataset mnist|cifar10 [--epochs N] [--fine-tune N] [--lambdas 1e-3,1e-2]
//        [--train 15000 --validation 5000] [--batch 32] [--init 0.9] [--seed 0] [--data DIR] [--out docs]
import { join } from "node:path";
import { loadMnistPaperSplit, sampleSubsets, type ImageDataset } from "../src/data/mnist.js";
import { loadCifar10Subset } from "../src/data/cifar.js";
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
import type { History } from "../src/model/callbacks.js";
import { lineChart } from "../src/report/svg.js";
import { ConfigError } from "../src/errors.js";
import { Opts, commandLine, logger, writeJson, writeText } from "./lib/common.js";

const USAGE =
  "npx tsx scripts/table4-kernels.ts --dataset mnist|cifar10 [--epochs N] [--fine-tune N] [--lambdas 1e-3,1e-2] [--train N --validation N] [--batch 32] [--init 0.9] [--seed 0] [--data DIR] [--out docs]";
const o = new Opts(process.argv.slice(2), USAGE);
const DATASET = o.str("dataset", "mnist");
if (DATASET !== "mnist" && DATASET !== "cifar10")
  throw new ConfigError(`--dataset must be mnist or cifar10\n\n${USAGE}`);
const MNIST = DATASET === "mnist";
const PAPER = MNIST
  ? {
      baseline: { weights: 1199882, accuracy: 0.99, loss: 0.0488, size: "13.8 MiB" },
      runs: [
        { lambda: 1e-3, weights: 279508, accuracy: 0.988, loss: 0.06, size: "3.2 MiB" },
        { lambda: 1e-2, weights: 112144, accuracy: 0.9818, loss: 0.1131, size: "1.3 MiB" },
      ],
      protocol: "15,000 training + 5,000 validation images; the learning rate changes near epoch 80 (Fig. 5b)",
    }
  : {
      baseline: { weights: 1250858, accuracy: 0.7972, loss: 0.6143, size: "9.6 MiB" },
      runs: [
        { lambda: 1e-4, weights: 391519, accuracy: 0.7885, loss: 0.6479, size: "3.1 MiB" },
        { lambda: 1e-3, weights: 269273, accuracy: 0.7583, loss: 0.7277, size: "2.1 MiB" },
      ],
      protocol: "all 60,000 CIFAR-10 images (50,000 training, 10,000 validation); the change after epoch 500 (Fig. 5a)",
    };
// defaults: the schedules of the committed reports (docs/table4-*.md); the paper ran about 80 (MNIST) and 500+ (CIFAR-10)
const EPOCHS = o.num("epochs", MNIST ? 20 : 5);
const FINE = o.num("fine-tune", MNIST ? 5 : 2);
/** --lambdas none: the CNN without gates only */
const LAMBDAS =
  o.str("lambdas", "") === "none"
    ? []
    : o.list("lambdas", MNIST ? [1e-3, 3e-3, 1e-2, 3e-2] : PAPER.runs.map((r) => r.lambda));
const BATCH = o.num("batch", 32);
const INIT = o.num("init", 0.9);
const SEED = o.num("seed", 0);
const TRAIN = o.num("train", MNIST ? 15000 : 4000);
const VALID = o.num("validation", MNIST ? 5000 : 1000);
const OUT = o.out;
/** --skip-baseline: no CNN without gates (for an extra lambda run in a second process, merged later) */
const SKIP_BASELINE = o.flag("skip-baseline");
/** --merge FILE: no training; add FILE's runs (another process's JSON) to OUT's JSON and rewrite the report */
const MERGE = o.str("merge", "");
const command = commandLine(
  `repro:table4-${DATASET}`,
  process.argv.slice(2).filter((a, i, v) => a !== "--dataset" && v[i - 1] !== "--dataset"),
);

/** The Table 6 CNN (MNIST) or the Keras CIFAR-10 example CNN, with channel gates after each conv. */
function cnn(lambda?: number): Sequential {
  const gate = (i: number): Layer[] =>
    lambda === undefined ? [] : [new BSF({ name: `gate_${i}`, penalty: lambda, init: INIT, shareAxis: "channel" })];
  const layers: Layer[] = MNIST
    ? [
        new Conv2D({ filters: 32, kernelSize: 3, activation: "relu", name: "conv_1" }),
        ...gate(1),
        new Conv2D({ filters: 64, kernelSize: 3, activation: "relu", name: "conv_2" }),
        ...gate(2),
        new MaxPool2D({ poolSize: 2, name: "pool" }),
        new Flatten({ name: "flatten" }),
        new Dense({ units: 128, activation: "relu", name: "dense" }),
        new Dropout({ rate: 0.5, name: "dropout" }),
        new Dense({ units: 10, activation: "softmax", name: "output" }),
      ]
    : [
        new Conv2D({ filters: 32, kernelSize: 3, padding: "same", activation: "relu", name: "conv_1" }),
        ...gate(1),
        new Conv2D({ filters: 32, kernelSize: 3, activation: "relu", name: "conv_2" }),
        ...gate(2),
        new MaxPool2D({ poolSize: 2, name: "pool_1" }),
        new Dropout({ rate: 0.25, name: "dropout_1" }),
        new Conv2D({ filters: 64, kernelSize: 3, padding: "same", activation: "relu", name: "conv_3" }),
        ...gate(3),
        new Conv2D({ filters: 64, kernelSize: 3, activation: "relu", name: "conv_4" }),
        ...gate(4),
        new MaxPool2D({ poolSize: 2, name: "pool_2" }),
        new Dropout({ rate: 0.25, name: "dropout_2" }),
        new Flatten({ name: "flatten" }),
        new Dense({ units: 512, activation: "relu", name: "dense" }),
        new Dropout({ rate: 0.5, name: "dropout_3" }),
        new Dense({ units: 10, activation: "softmax", name: "output" }),
      ];
  const m = new Sequential(layers, {
    inputShape: MNIST ? [28, 28, 1] : [32, 32, 3],
    name: `${DATASET}_${lambda === undefined ? "plain" : "gated"}`,
  });
  m.compile({ optimizer: new Adam({ learningRate: 0.001 }), seed: SEED });
  return m;
}

const weightsOf = (m: Sequential) =>
  m.layers.filter((l) => l.className !== "BSF").reduce((s, l) => s + l.paramCount, 0);
const curve = (h: History) => ({ valAccuracy: h.valAccuracy, valLoss: h.valLoss, loss: h.loss });

interface Row {
  lambda: number;
  weights: number;
  accuracy: number;
  loss: number;
  bytes: number;
  channels: Record<string, { kept: number; of: number }>;
  accuracyBeforePrune: number;
  accuracyAfterPruneBeforeFineTune: number;
  seconds: number;
  curve: { train: ReturnType<typeof curve>; fineTune: ReturnType<typeof curve>; gates: Record<string, number[]> };
  summary: string;
}

async function merge(): Promise<void> {
  const { readFileSync } = await import("node:fs");
  const mine = JSON.parse(readFileSync(join(OUT, "results", `table4-${DATASET}.json`), "utf8"));
  const other = JSON.parse(readFileSync(MERGE, "utf8"));
  const runs: Row[] = [
    ...mine.runs.filter((r: Row) => !other.runs.some((q: Row) => q.lambda === r.lambda)),
    ...other.runs,
  ];
  runs.sort((a, b) => a.lambda - b.lambda);
  const baseline = other.baseline ?? mine.baseline;
  const from: string[] = mine.mergedFrom ?? [mine.command];
  const again = from.includes(other.command);
  const merged = {
    ...mine,
    baseline,
    runs,
    // every stage present and finished (a stage's row is written when it finishes)
    complete: baseline !== undefined && runs.length > 0 && other.complete !== false,
    // merging the same process's JSON twice changes nothing
    ...(again ? {} : { seconds: mine.seconds + other.seconds, mergedFrom: [...from, other.command] }),
  };
  await writeJson(OUT, `table4-${DATASET}.json`, merged);
  if (baseline) await writeReport(merged);
}

async function main(): Promise<void> {
  if (MERGE) return merge();
  const t0 = performance.now();
  const log = logger(t0);
  const rt = await ready();
  let train: ImageDataset;
  let val: ImageDataset;
  if (MNIST) {
    ({ train, validation: val } = await loadMnistPaperSplit({
      dir: join(o.data, "mnist"),
      seed: SEED,
      train: TRAIN,
      validation: VALID,
    }));
  } else {
    const dir = join(o.data, "cifar10-subset");
    const tr = await loadCifar10Subset("train", { dir });
    const te = await loadCifar10Subset("test", { dir });
    [train] = TRAIN < tr.n ? sampleSubsets(tr, [TRAIN], SEED) : [tr];
    [val] = VALID < te.n ? sampleSubsets(te, [VALID], SEED) : [te];
  }
  log(
    `${DATASET}: ${train.n} training, ${val.n} validation images; N_tr ${EPOCHS}, N_ft ${FINE}, lambdas ${LAMBDAS.join(", ")}`,
  );
  const valData: [Float32Array, Int32Array] = [val.x, val.y];
  const fitOpts = (seed: number) => ({ batchSize: BATCH, seed, verbose: 0 as const, validationData: valData });
  const epochLog = (tag: string, model?: Sequential) => ({
    onEpochEnd: (e: number, l: { loss: number; valAccuracy?: number; valLoss?: number; seconds: number }) => {
      const open = model
        ? ` open ${Object.values(model.gateWeights())
            .map((w) => `${w.filter((v) => v > 0.1).length}/${w.length}`)
            .join(" ")}`
        : "";
      log(
        `${tag} epoch ${e + 1}: loss ${l.loss.toFixed(4)} val acc ${l.valAccuracy?.toFixed(4)} val loss ${l.valLoss?.toFixed(4)}${open} (${l.seconds.toFixed(0)} s)`,
      );
    },
  });

  const result: Record<string, unknown> & { runs: Row[] } = {
    dataset: DATASET,
    command,
    complete: false,
    settings: {
      train: train.n,
      validation: val.n,
      epochs: EPOCHS,
      fineTuneEpochs: FINE,
      batchSize: BATCH,
      learningRate: 0.001,
      fineTuneLearningRate: 0.0001,
      gateInit: INIT,
      threshold: 0.1,
      channelMultiple: 1,
      seed: SEED,
    },
    paper: PAPER,
    runs: [],
  };
  const save = async () => {
    result.seconds = (performance.now() - t0) / 1000;
    await writeJson(OUT, `table4-${DATASET}.json`, result);
  };

  // the gated runs first (their gate counts show early whether a run prunes), then the CNN without gates
  for (const lambda of LAMBDAS) {
    const s0 = performance.now();
    const g = cnn(lambda);
    await g.build(undefined, rt);
    const h1 = await g.fit(train.x, train.y, {
      ...fitOpts(SEED),
      epochs: EPOCHS,
      callbacks: [epochLog(`lambda ${lambda}`, g)],
    });
    const gatedAcc = (await g.evaluate(val.x, val.y)).accuracy;
    const { model: p, plan } = prune(g, { channelMultiple: 1 });
    const prunedAcc = (await p.evaluate(val.x, val.y)).accuracy;
    const h2 =
      FINE > 0
        ? await fineTune(p, train.x, train.y, {
            ...fitOpts(SEED + 1000),
            epochs: FINE,
            baseLearningRate: 0.001,
            callbacks: [epochLog(`lambda ${lambda} fine-tune`)],
          })
        : undefined;
    const ev = await p.evaluate(val.x, val.y);
    const gates: Record<string, number[]> = {};
    for (const [name, hist] of Object.entries(h1.gates)) gates[name] = hist.map((w) => w.filter((v) => v > 0.1).length);
    const row: Row = {
      lambda,
      weights: plan.after.weights,
      accuracy: ev.accuracy,
      loss: ev.loss,
      bytes: modelToBytes(p).length,
      channels: Object.fromEntries(plan.gates.map((q) => [q.gate, { kept: q.keep.length, of: q.units }])),
      accuracyBeforePrune: gatedAcc,
      accuracyAfterPruneBeforeFineTune: prunedAcc,
      seconds: (performance.now() - s0) / 1000,
      curve: { train: curve(h1), fineTune: h2 ? curve(h2) : { valAccuracy: [], valLoss: [], loss: [] }, gates },
      summary: summary(g, p),
    };
    result.runs.push(row);
    log(
      `lambda ${lambda}: ${row.weights} weights, channels ${plan.gates.map((q) => `${q.keep.length}/${q.units}`).join(" ")}, val acc ${ev.accuracy.toFixed(4)}, loss ${ev.loss.toFixed(4)}`,
    );
    g.dispose();
    p.dispose();
    await save();
  }
  // no gates
  if (!SKIP_BASELINE) {
    const s0 = performance.now();
    const m = cnn();
    await m.build(undefined, rt);
    const h1 = await m.fit(train.x, train.y, { ...fitOpts(SEED), epochs: EPOCHS, callbacks: [epochLog("baseline")] });
    const h2 =
      FINE > 0
        ? await fineTune(m, train.x, train.y, {
            ...fitOpts(SEED + 1000),
            epochs: FINE,
            baseLearningRate: 0.001,
            callbacks: [epochLog("baseline fine-tune")],
          })
        : undefined;
    const ev = await m.evaluate(val.x, val.y);
    result.baseline = {
      weights: weightsOf(m),
      accuracy: ev.accuracy,
      loss: ev.loss,
      bytes: modelToBytes(m).length,
      accuracyBeforeFineTune: h1.valAccuracy[h1.valAccuracy.length - 1],
      seconds: (performance.now() - s0) / 1000,
      curve: { train: curve(h1), fineTune: h2 ? curve(h2) : undefined },
    };
    log(`baseline: ${weightsOf(m)} weights, val acc ${ev.accuracy.toFixed(4)}, loss ${ev.loss.toFixed(4)}`);
    m.dispose();
    await save();
  }
  result.complete = true;
  await save();
  if (result.baseline) await writeReport(result);
  log(`wrote ${OUT}/table4-${DATASET}.md`);
}

async function writeReport(r: Record<string, unknown> & { runs: Row[] }): Promise<void> {
  const b = r.baseline as {
    weights: number;
    accuracy: number;
    loss: number;
    bytes: number;
    accuracyBeforeFineTune: number;
    curve: { train: ReturnType<typeof curve>; fineTune?: ReturnType<typeof curve> };
  };
  const MiB = (x: number) => `${(x / 1048576).toFixed(2)} MiB`;
  const f4 = (x: number) => x.toFixed(4);
  const name = MNIST ? "MNIST" : "CIFAR-10 (subset)";
  const series = [
    { label: "no gates", values: [...b.curve.train.valAccuracy, ...(b.curve.fineTune?.valAccuracy ?? [])] },
    ...r.runs.map((x) => ({
      label: `BSF ${x.lambda}`,
      values: [...x.curve.train.valAccuracy, ...x.curve.fineTune.valAccuracy],
    })),
  ];
  const lo = Math.min(...series.flatMap((s) => s.values));
  const span = Math.max(1e-6, 1 - lo);
  await writeText(
    OUT,
    `table4-${DATASET}-curves.svg`,
    lineChart(
      series.map((s) => ({ ...s, values: s.values.map((v) => (v - lo) / span) })),
      {
        title: `${name}: validation accuracy per epoch (y from ${lo.toFixed(3)} to 1; dashed: lr / 10, pruning)`,
        xLabel: "epoch",
        marks: [EPOCHS],
      },
    ),
  );
  const rows = [
    `| ${name} | — | ${f4(b.accuracy)} | ${f4(b.loss)} | ${b.weights.toLocaleString("en")} | ${MiB(b.bytes)} | ${PAPER.baseline.accuracy} / ${PAPER.baseline.loss} / ${PAPER.baseline.weights.toLocaleString("en")} / ${PAPER.baseline.size} |`,
    ...r.runs.map((x) => {
      const p = PAPER.runs.find((q) => q.lambda === x.lambda);
      return `| ${name}+BSF | ${x.lambda} | ${f4(x.accuracy)} | ${f4(x.loss)} | ${x.weights.toLocaleString("en")} | ${MiB(x.bytes)} | ${p ? `${p.accuracy} / ${p.loss} / ${p.weights.toLocaleString("en")} / ${p.size}` : "not in the paper"} |`;
    }),
  ];
  const s = r.settings as { train: number; validation: number };
  await writeText(
    OUT,
    `table4-${DATASET}.md`,
    `# Kernel pruning on ${name} (paper Table 4, Fig. 5)

Produced by \`${((r.mergedFrom as string[] | undefined) ?? [command]).join("` and `")}\` (scripts/table4-kernels.ts${r.mergedFrom ? `; each command after the first ran as a parallel process, its JSON joined with \`--merge\`; one command makes the same rows in sequence: \`npm run repro:table4-${DATASET} -- --lambdas ${r.runs.map((x) => x.lambda).join(",")}\`` : ""}) in ${((r.seconds as number) / 60).toFixed(0)} min${r.mergedFrom ? " (the sum of the processes' run times)" : ""} on Node ${process.version};
figures in [results/table4-${DATASET}.json](results/table4-${DATASET}.json). Do not edit by hand.

Data: ${s.train.toLocaleString("en")} training and ${s.validation.toLocaleString("en")} validation images${MNIST ? ` drawn without overlap from the 60,000 MNIST training images (seed ${SEED})` : " of cifar10-subset (the first 4,000 images of data_batch_1, the first 1,000 of test_batch): a subset figure; the paper trained on all 60,000 images"}.
Paper: ${PAPER.protocol}. Schedule here: N_tr = ${EPOCHS} epochs (Adam 0.001, batch ${BATCH}), N_ft = ${FINE} epochs at 0.0001, for the CNN
without gates and for each gated CNN (channel BSF gate after every convolution, init ${INIT}, threshold 0.1; pruned after N_tr,
channel counts not rounded). Accuracy and loss of the final model on the validation images; size = our model file (float32
weights + JSON topology; the paper's sizes are Keras HDF5 files, which hold more than the weights).

| model | L1 coef. | accuracy | loss | weights | size | paper: accuracy / loss / weights / size |
|---|---|---|---|---|---|---|
${rows.join("\n")}

Channels kept: ${r.runs
      .map(
        (x) =>
          `λ ${x.lambda}: ${Object.values(x.channels)
            .map((c) => `${c.kept}/${c.of}`)
            .join(", ")}`,
      )
      .join("; ")}.
Before pruning (gated, inference): ${r.runs.map((x) => `λ ${x.lambda} ${f4(x.accuracyBeforePrune)}`).join(", ")}; pruned before fine-tuning: ${r.runs.map((x) => f4(x.accuracyAfterPruneBeforeFineTune)).join(", ")} (exact pruning: equal).

![validation accuracy per epoch](table4-${DATASET}-curves.svg)

${r.runs.map((x) => `λ ${x.lambda}:\n\n\`\`\`\n${x.summary}\n\`\`\``).join("\n\n")}
`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
