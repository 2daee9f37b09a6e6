// The browser page: compiles the kernels with compileStreaming, loads the pruned model file and
// classifies the rows in the text box. On load it classifies rows.json and writes the result as
// JSON into <pre id="result"> (what the test reads from headless Chromium).
import { InferenceModel } from "../../src/infer/index.js";
import { predict, type Prediction } from "../shared/handler.js";

const $ = (id: string) => document.getElementById(id)!;

function show(p: Prediction): void {
  const head = `<tr><th>#</th><th>class</th>${p.classes.map((c) => `<th>p(${c})</th>`).join("")}</tr>`;
  const body = p.predictions
    .map(
      (r, i) =>
        `<tr><td>${i + 1}</td><td>${r.class}</td>${r.probabilities.map((v) => `<td>${v.toFixed(4)}</td>`).join("")}</tr>`,
    )
    .join("");
  $("table").innerHTML = `<table>${head}${body}</table>`;
}

async function main(): Promise<void> {
  const [mod, bytes, rows] = await Promise.all([
    WebAssembly.compileStreaming(fetch("bsfnet.wasm")),
    fetch("wine.bsfnet").then((r) => r.arrayBuffer()),
    fetch("rows.json").then((r) => r.json() as Promise<number[][]>),
  ]);
  const model = InferenceModel.fromModule(mod, new Uint8Array(bytes));
  $("status").textContent =
    `model "${model.name}": ${model.inputSize} inputs, ${model.classes} classes, ${bytes.byteLength} bytes`;
  ($("rows") as HTMLTextAreaElement).value = rows.map((r) => r.join(", ")).join("\n");
  const first = predict(model, rows);
  show(first);
  $("result").textContent = JSON.stringify(first);
  $("go").addEventListener("click", () => {
    try {
      const text = ($("rows") as HTMLTextAreaElement).value.trim();
      show(
        predict(
          model,
          text.split("\n").map((l) => l.split(",").map(Number)),
        ),
      );
    } catch (e) {
      $("table").textContent = (e as Error).message;
    }
  });
}

main().catch((e) => {
  $("status").textContent = `error: ${(e as Error).message}`;
  $("result").textContent = JSON.stringify({ error: (e as Error).message });
});
