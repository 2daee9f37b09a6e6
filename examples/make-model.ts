// Makes the model the examples serve: the paper's Wine classifier with an input gate and a gate
// after every hidden layer, trained on all of UCI Wine, pruned and fine-tuned, saved in the bsfnet
// format with what a server needs to take raw rows: the standardizer, the full input width, the
// kept features and the class names.
//   npx tsx examples/make-model.ts [--data DIR] [-o examples/shared/wine.bsfnet]
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readCsv } from "../src/data/csv-node.js";
import { Standardizer } from "../src/data/standardize.js";
import { Sequential } from "../src/model/sequential.js";
import { Dense } from "../src/layers/dense.js";
import { BSF } from "../src/layers/bsf.js";
import { Adam } from "../src/optim/optimizer.js";
import { ready } from "../src/runtime/runtime.js";
import { prune, fineTune, summary } from "../src/prune/index.js";
import { saveModel } from "../src/io/file.js";

const args = process.argv.slice(2);
const opt = (n: string, d: string) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const root = fileURLToPath(new URL("..", import.meta.url));
const data = resolve(opt("--data", process.env.BSFNET_DATA ?? join(root, "../shared/data")));
const out = resolve(opt("-o", join(root, "examples/shared/wine.bsfnet")));

const ds = await readCsv(join(data, "wine/wine.data"), { header: false, label: 0 });
const D = ds.d;
const st = Standardizer.fit(ds.x, D);
const x = st.transform(ds.x);
const gate = { penalty: 0.005, init: 0.99 };
const model = new Sequential(
  [
    new BSF({ ...gate, name: "input_gate" }),
    new Dense({ units: D, activation: "relu", name: "dense_1" }),
    new BSF({ ...gate, name: "gate_1" }),
    new Dense({ units: D, activation: "relu", name: "dense_2" }),
    new BSF({ ...gate, name: "gate_2" }),
    new Dense({ units: 2 * D, activation: "relu", name: "dense_3" }),
    new BSF({ ...gate, name: "gate_3" }),
    new Dense({ units: D, activation: "relu", name: "dense_4" }),
    new BSF({ ...gate, name: "gate_4" }),
    new Dense({ units: 3, activation: "softmax", name: "output" }),
  ],
  { inputShape: [D], name: "wine" },
);
model.compile({ optimizer: new Adam({ learningRate: 0.001 }), seed: 0 });
await model.build(undefined, await ready());
await model.fit(x, ds.y, { epochs: 500, batchSize: 32, verbose: 0 });
const { model: pruned, plan } = prune(model);
await fineTune(pruned, (await import("../src/prune/plan.js")).reduceRows(x, D, plan.inputKeep), ds.y, {
  epochs: 50,
  batchSize: 32,
});
await saveModel(pruned, out, {
  meta: {
    inputKeep: plan.inputKeep,
    fullInputSize: D,
    classNames: ds.classNames,
    featureNames: ds.featureNames,
    standardize: { mean: Array.from(st.mean), std: Array.from(st.std) },
  },
});
console.log(summary(model, pruned));
console.log(
  `training accuracy ${(await pruned.evaluate((await import("../src/prune/plan.js")).reduceRows(x, D, plan.inputKeep), ds.y)).accuracy.toFixed(4)}; wrote ${out}`,
);
