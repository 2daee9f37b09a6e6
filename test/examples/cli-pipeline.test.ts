// The whole job from the shell (issue 10): Wine with a header and the label last, `train --label -1
// --gates all` -> `prune` -> `export --format onnx` -> `predict` on the raw rows; then the same raw
// rows through onnxruntime and through the Worker example under workerd serving the pruned model.
// All three must give the same probabilities (to 1e-5), from unstandardized values.
import { expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { buildWorker } from "../../examples/worker/build.js";
import { readModelFile } from "../../src/io/file.js";
import { maxAbsDiff } from "../util/wasm.js";
import { describeWithData } from "../util/data.js";
import { freePort, root, waitFor } from "./helpers.js";

const NAMES = [
  "alcohol",
  "malic_acid",
  "ash",
  "alcalinity_of_ash",
  "magnesium",
  "total_phenols",
  "flavanoids",
  "nonflavanoid_phenols",
  "proanthocyanins",
  "color_intensity",
  "hue",
  "od280_od315",
  "proline",
];

function bsfnet(args: string[], cwd: string): string {
  const p = spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/cli/main.ts"), ...args], {
    cwd,
    encoding: "utf8",
  });
  if (p.status !== 0) throw new Error(`bsfnet ${args.join(" ")} exited ${p.status}:\n${p.stderr}`);
  return p.stdout;
}

describeWithData(
  "the command line from CSV to predictions in Node, onnxruntime and workerd",
  "wine/wine.data",
  (winePath) => {
    it("train --gates all -> prune -> export onnx -> predict: the same probabilities everywhere (1e-5), from raw rows", async () => {
      const dir = mkdtempSync(join(tmpdir(), "bsfnet-pipeline-"));
      // UCI's file has the class first and no header: give it a header and put the class last
      const raw = readFileSync(winePath, "utf8")
        .trim()
        .split("\n")
        .map((l) => l.trim().split(","));
      writeFileSync(
        join(dir, "wine.csv"),
        `${[[...NAMES, "cultivar"].join(","), ...raw.map((r) => [...r.slice(1), `cultivar_${r[0]}`].join(","))].join(
          "\n",
        )}\n`,
      );

      const trained = bsfnet(
        ["train", "wine.csv", "--label", "-1", "--gates", "all", "-o", "wine.bsfnet", "--quiet"],
        dir,
      );
      const val = Number(/validation accuracy: (\d\.\d+)/.exec(trained)![1]);
      expect(val).toBeGreaterThan(0.9);
      bsfnet(["prune", "wine.bsfnet", "-o", "small.bsfnet"], dir);
      bsfnet(["export", "small.bsfnet", "--format", "onnx", "-o", "small.onnx"], dir);
      const out = bsfnet(["predict", "small.bsfnet", "wine.csv", "--label", "cultivar", "-o", "pred.csv"], dir);
      const acc = Number(/accuracy: (\d\.\d+)/.exec(out)![1]);
      expect(acc).toBeGreaterThan(0.9);

      const lines = readFileSync(join(dir, "pred.csv"), "utf8").trim().split("\n");
      expect(lines[0]).toBe("class,p_cultivar_1,p_cultivar_2,p_cultivar_3");
      const node = Float32Array.from(lines.slice(1).flatMap((l) => l.split(",").slice(1).map(Number)));
      expect(node.length).toBe(178 * 3);

      // onnxruntime: the pruned model's columns of the raw rows (meta.inputKeep); it standardizes itself
      const file = await readModelFile(join(dir, "small.bsfnet"));
      const keep = file.meta.inputKeep ?? NAMES.map((_, j) => j);
      expect(keep.length).toBeLessThanOrEqual(13);
      const rows = raw.map((r) => r.slice(1).map(Number));
      const x = Float32Array.from(rows.flatMap((r) => keep.map((j) => r[j])));
      const session = await ort.InferenceSession.create(join(dir, "small.onnx"));
      const onnx = (await session.run({ input: new ort.Tensor("float32", x, [rows.length, keep.length]) })).output
        .data as Float32Array;

      // workerd: the Worker example serving the pruned model, given the full raw rows
      const port = await freePort();
      const config = await buildWorker(join(dir, "worker"), port, join(dir, "small.bsfnet"));
      const proc = spawn(join(root, "node_modules/.bin/workerd"), ["serve", config], {
        cwd: dirname(config),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let log = "";
      proc.stderr.on("data", (d) => (log += d));
      let worker: Float32Array;
      try {
        await waitFor(`http://127.0.0.1:${port}/`);
        const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify({ rows }) });
        expect(res.status, log).toBe(200);
        const body = (await res.json()) as {
          classes: string[];
          predictions: { class: string; probabilities: number[] }[];
        };
        expect(body.classes).toEqual(["cultivar_1", "cultivar_2", "cultivar_3"]);
        worker = Float32Array.from(body.predictions.flatMap((p) => p.probabilities));
        expect(body.predictions.map((p) => p.class)).toEqual(lines.slice(1).map((l) => l.split(",")[0]));
      } finally {
        proc.kill("SIGTERM");
      }
      const diffs = {
        onnx: maxAbsDiff(onnx, node),
        workerd: maxAbsDiff(worker, node),
        onnxVsWorkerd: maxAbsDiff(onnx, worker),
      };
      console.log(
        `[bsfnet] CLI pipeline on Wine: validation ${val}, accuracy ${acc}, ${keep.length} of 13 columns kept; max |diff| vs predict: onnxruntime ${diffs.onnx.toExponential(2)}, workerd ${diffs.workerd.toExponential(2)}; onnx vs workerd ${diffs.onnxVsWorkerd.toExponential(2)}`,
      );
      expect(diffs.onnx).toBeLessThan(1e-5);
      expect(diffs.workerd).toBeLessThan(1e-5);
    }, 120000);
  },
);
