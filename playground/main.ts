// The playground's page thread: the form, the figures and the downloads. It never parses or
// trains (the worker does), so it imports no library code but the SVG charts; the file itself
// goes to the worker as a Blob, unread here, so a file too large for the tab is refused there
// before any of it is read into memory.
import { barChart, waterfall, xyChart } from "./figures.js";
import type { DoneMessage, EpochMessage, FromWorker, ToWorker } from "./protocol.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);

interface State {
  wasm?: string;
  source?: string;
  columns: string[];
  summary?: { n: number; d: number; task: string; featureNames: string[]; classNames: string[] };
  epochs: EpochMessage[];
  done?: DoneMessage;
  error?: string;
  training: boolean;
  /** a parse of the current form is pending: Train waits for it */
  parsing: boolean;
}
const state: State = { columns: [], epochs: [], training: false, parsing: false };
// what the browser test reads (the page's own state, not a test-only code path)
(globalThis as { __playground?: State }).__playground = state;

const worker = new Worker(`worker.js${location.search}`, { type: "module" });
const send = (m: ToWorker) => worker.postMessage(m);

function showError(msg: string | undefined, kind = ""): void {
  state.error = msg;
  const box = $("error");
  box.textContent = msg ?? "";
  box.dataset.kind = kind;
  box.classList.toggle("shown", Boolean(msg));
}

function setBusy(training: boolean): void {
  state.training = training;
  for (const id of ["label", "task", "lambda", "k", "epochs", "seed", "gates", "header", "ex-synthetic", "file"])
    input(id).disabled = training;
  for (const el of Array.from(document.querySelectorAll<HTMLInputElement>("#drops input, input[name=mode]")))
    el.disabled = training;
  if (!training) syncMode();
  $<HTMLButtonElement>("ex-wine").disabled = training || !wineAvailable;
  $<HTMLButtonElement>("train").disabled = training || !state.summary || state.parsing || !state.wasm;
  $<HTMLButtonElement>("stop").disabled = !training;
  $<HTMLButtonElement>("curve").disabled = training || !state.done;
}

function syncMode(): void {
  const k = mode() === "k";
  input("k").disabled = !k;
  input("lambda").disabled = false;
  input("lambda").title = k
    ? "L1 penalty of the gates (the ranking it produces is cut at k)"
    : "L1 penalty of the gates";
}
const mode = () => document.querySelector<HTMLInputElement>("input[name=mode]:checked")?.value ?? "lambda";

// ---- data ----------------------------------------------------------------------------------

let wineAvailable = false;
let wineBlob: Promise<Blob> | undefined;

async function loadExamples(): Promise<void> {
  const note = $("wine-note");
  try {
    const ex = (await (await fetch("examples.json")).json()) as { wine: boolean; note?: string };
    wineAvailable = ex.wine;
    // fetched now, so the example still loads once the tab is offline
    if (ex.wine) wineBlob = fetch("wine.csv").then((r) => r.blob());
    if (!ex.wine) {
      note.textContent = ex.note ?? "Wine was not found when this page was built.";
      note.classList.remove("hidden");
    }
  } catch {
    note.textContent = "examples.json is missing: the Wine example is unavailable.";
    note.classList.remove("hidden");
  }
  $<HTMLButtonElement>("ex-wine").disabled = !wineAvailable;
}

function newFile(what: string): void {
  showError(undefined);
  state.summary = undefined;
  state.source = what;
  $("summary").textContent = `reading ${what}…`;
  setBusy(false);
}

function pickFile(f: File): void {
  newFile(f.name);
  send({ type: "load", name: f.name, file: f, header: input("header").checked });
}

$("drop").addEventListener("click", () => input("file").click());
$("drop").addEventListener("keydown", (e) => {
  if (e.key === "Enter" || e.key === " ") input("file").click();
});
input("file").addEventListener("change", () => {
  const f = input("file").files?.[0];
  if (f) pickFile(f);
  input("file").value = "";
});
for (const ev of ["dragenter", "dragover"])
  $("drop").addEventListener(ev, (e) => {
    e.preventDefault();
    $("drop").classList.add("over");
  });
for (const ev of ["dragleave", "drop"]) $("drop").addEventListener(ev, () => $("drop").classList.remove("over"));
$("drop").addEventListener("drop", (e) => {
  e.preventDefault();
  const f = (e as DragEvent).dataTransfer?.files?.[0];
  if (f && !state.training) pickFile(f);
});
$("ex-synthetic").addEventListener("click", () => {
  newFile("the synthetic example");
  input("header").checked = true;
  send({ type: "synthetic", seed: Number(input("seed").value) || 0 });
});
$("ex-wine").addEventListener("click", async () => {
  newFile("wine.csv");
  input("header").checked = true;
  const blob = await (wineBlob ?? fetch("wine.csv").then((r) => r.blob()));
  send({ type: "load", name: "wine.csv", file: blob, header: true });
});
input("header").addEventListener("change", () => {
  if (!state.source) return;
  showError(undefined);
  send({ type: "inspect", header: input("header").checked });
});

function fillColumns(columns: string[], label: string, task: string): void {
  state.columns = columns;
  const sel = $<HTMLSelectElement>("label");
  sel.innerHTML = "";
  for (const c of columns) sel.add(new Option(c, c, false, c === label));
  $<HTMLSelectElement>("task").value = task;
  const drops = $("drops");
  drops.innerHTML = "";
  drops.classList.remove("note");
  for (const c of columns) {
    const l = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = c;
    box.addEventListener("change", reparse);
    l.append(box, document.createTextNode(c));
    drops.append(l);
  }
  markLabel();
}

function markLabel(): void {
  const label = $<HTMLSelectElement>("label").value;
  for (const box of Array.from(document.querySelectorAll<HTMLInputElement>("#drops input"))) {
    box.disabled = box.value === label;
    if (box.value === label) box.checked = false;
  }
}

function reparse(): void {
  if (!state.columns.length) return;
  markLabel();
  showError(undefined);
  state.summary = undefined;
  state.parsing = true;
  setBusy(false);
  const drop = Array.from(document.querySelectorAll<HTMLInputElement>("#drops input:checked")).map((b) => b.value);
  send({
    type: "parse",
    options: {
      label: $<HTMLSelectElement>("label").value,
      drop,
      task: $<HTMLSelectElement>("task").value as "classification" | "regression",
      header: input("header").checked,
    },
  });
}
$("label").addEventListener("change", reparse);
$("task").addEventListener("change", reparse);
for (const r of Array.from(document.querySelectorAll<HTMLInputElement>("input[name=mode]")))
  r.addEventListener("change", syncMode);

// ---- training ------------------------------------------------------------------------------

$("train").addEventListener("click", () => {
  if (!state.summary) return;
  showError(undefined);
  state.epochs = [];
  state.done = undefined;
  $("results").classList.add("hidden");
  $("fig-curve").innerHTML = "";
  for (const id of ["fig-gates", "fig-loss", "fig-acc", "fig-hidden"]) $(id).innerHTML = "";
  setBusy(true);
  $<HTMLProgressElement>("progress").value = 0;
  $("eta").textContent = "starting…";
  send({
    type: "train",
    options: {
      lambda: Number(input("lambda").value),
      k: mode() === "k" ? Number(input("k").value) : undefined,
      epochs: Number(input("epochs").value),
      gates: $<HTMLSelectElement>("gates").value as "input" | "hidden" | "all",
      seed: Number(input("seed").value),
    },
  });
});
$("stop").addEventListener("click", () => {
  send({ type: "stop" });
  $("eta").textContent = "stopping after this batch…";
});

function eta(fraction: number, elapsed: number, what: string): void {
  $<HTMLProgressElement>("progress").value = fraction;
  const left = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : Number.NaN;
  $("eta").textContent =
    `${what}: ${(fraction * 100).toFixed(0)}%, ${elapsed.toFixed(1)} s` +
    (Number.isFinite(left)
      ? `, about ${left < 60 ? `${left.toFixed(0)} s` : `${(left / 60).toFixed(1)} min`} left`
      : "");
}

let drawPending = false;
function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  // one redraw per frame at most: a fast run sends epochs quicker than SVG can be rebuilt
  setTimeout(() => {
    drawPending = false;
    drawLive();
  }, 60);
}

function drawLive(): void {
  const ep = state.epochs;
  if (!ep.length) return;
  const names = state.summary?.featureNames ?? [];
  const xs = ep.map((e) => e.epoch + 1);
  if (ep[0].input)
    $("fig-gates").innerHTML = waterfall(
      ep.map((e) => e.input ?? []),
      names,
      "Input gate weights per feature",
    );
  else $("fig-gates").innerHTML = "";
  const loss = [{ label: "training", x: xs, y: ep.map((e) => e.loss) }];
  if (ep[0].valLoss !== undefined) loss.push({ label: "validation", x: xs, y: ep.map((e) => e.valLoss ?? Number.NaN) });
  $("fig-loss").innerHTML = xyChart(loss, { title: "Loss per epoch", xLabel: "epoch", yLabel: "loss" });
  if (ep[0].accuracy !== undefined) {
    const acc = [{ label: "training", x: xs, y: ep.map((e) => e.accuracy ?? Number.NaN) }];
    if (ep[0].valAccuracy !== undefined)
      acc.push({ label: "validation", x: xs, y: ep.map((e) => e.valAccuracy ?? Number.NaN) });
    $("fig-acc").innerHTML = xyChart(acc, {
      title: "Accuracy per epoch (training under the gates' masks)",
      xLabel: "epoch",
      yLabel: "accuracy",
      y01: true,
    });
  } else $("fig-acc").innerHTML = "";
  const hidden = Object.keys(ep[0].hidden);
  $("fig-hidden").innerHTML = hidden.length
    ? xyChart(
        hidden.map((h) => ({ label: h, x: xs, y: ep.map((e) => e.hidden[h]) })),
        { title: "Mean gate weight of each hidden layer", xLabel: "epoch", yLabel: "mean gate", y01: true },
      )
    : "";
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[c]};`);

function showResults(m: DoneMessage): void {
  drawLive();
  $("results").classList.remove("hidden");
  const sel = new Set(m.selected);
  const names = m.features;
  $("selected").textContent = names.length
    ? `${m.selected.length} of ${names.length} features selected${m.stopped ? ` (stopped after ${m.epochsDone} epochs; what was learned is kept)` : ""}: ` +
      (m.selected.map((j) => names.find((f) => f.index === j)?.name).join(", ") || "none") +
      `. The pruned model reads ${m.prunedInputs} of the ${names.length} inputs (gate weight after the last epoch > 0.1; the ranking averages the last 10% of epochs).`
    : `no input gate: the hidden layers were pruned (${m.epochsDone} epochs${m.stopped ? ", stopped" : ""}).`;
  $("ranking").innerHTML = names.length
    ? `<table><tr><th>rank</th><th>feature</th><th>index</th><th>importance</th></tr>${names
        .map(
          (f, i) =>
            `<tr class="${sel.has(f.index) ? "sel" : ""}"><td class="num">${i + 1}</td><td>${esc(f.name)}</td><td class="num">${f.index}</td><td class="num">${f.importance.toFixed(4)}</td></tr>`,
        )
        .join("")}</table>`
    : "";
  const top = names.slice(0, 30);
  $("fig-importance").innerHTML = top.length
    ? barChart(
        top.map((f) => f.name),
        top.map((f) => f.importance),
        { title: "Importance (gate weight, last 10% of epochs)", max: 1, highlight: top.map((f) => sel.has(f.index)) },
      )
    : "";
  $("prune-summary").textContent = m.pruneSummary;
  $("snippet").textContent = snippet(base());
}

const base = () => (state.source ?? "data").replace(/\.[^.]*$/, "").replace(/[^\w.-]+/g, "_") || "data";

function snippet(name: string): string {
  const cols = state.summary?.featureNames ?? [];
  return `// worker.js: serve it beside ${name}.pruned.bsfnet and bsfnet.wasm (npm i bsfnet: node_modules/bsfnet/build/)
import { InferenceModel } from "bsfnet/infer";

const model = await InferenceModel.load(
  await (await fetch("bsfnet.wasm")).arrayBuffer(),
  await (await fetch("${name}.pruned.bsfnet")).arrayBuffer(),
);
// e.data: rows of the CSV's ${cols.length} feature columns in file order (label and dropped columns
// removed): ${cols.slice(0, 6).join(", ")}${cols.length > 6 ? ", …" : ""}
// prepareInput keeps the columns the pruned model reads; its first layer standardizes them.
self.onmessage = (e) => {
  const x = model.prepareInput(e.data.flat());
  self.postMessage({ probabilities: model.predict(x), classes: model.predictClasses(x) });
};
`;
}

function download(what: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = what;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
$("dl-ranking").addEventListener("click", () => {
  if (state.done) download(`${base()}.ranking.json`, state.done.rankingJson, "application/json");
});
$("dl-csv").addEventListener("click", () => {
  if (state.done) download(`${base()}.reduced.csv`, state.done.reducedCsv, "text/csv");
});
$("dl-model").addEventListener("click", () => {
  if (state.done) download(`${base()}.pruned.bsfnet`, state.done.model as BlobPart, "application/octet-stream");
});
$("dl-onnx").addEventListener("click", () => {
  if (state.done) download(`${base()}.pruned.onnx`, state.done.onnx as BlobPart, "application/octet-stream");
});
$("curve").addEventListener("click", () => {
  if (!state.done) return;
  setBusy(true);
  $<HTMLButtonElement>("stop").disabled = true;
  $("fig-curve").textContent = "5-fold cross-validation with the top k features…";
  send({ type: "curve" });
});

// ---- the worker's side -----------------------------------------------------------------------

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case "ready":
      state.wasm = m.wasm;
      $("engine").textContent =
        `kernels: ${m.wasm === "relaxed" ? "relaxed SIMD (fused multiply-add)" : "SIMD128"}, in a Web Worker`;
      setBusy(false);
      return;
    case "columns":
      state.source = m.source;
      fillColumns(m.columns, m.label, m.task);
      reparse();
      return;
    case "parsed": {
      state.parsing = false;
      state.summary = m.summary;
      const s = m.summary;
      $("summary").textContent =
        `${s.source}: ${s.n} rows, ${s.d} features, ${s.task === "regression" ? "a numeric target" : `${s.classNames.length} classes`} (label: ${s.label})`;
      const k = input("k");
      k.max = String(s.d);
      if (Number(k.value) > s.d) k.value = String(s.d);
      setBusy(false);
      return;
    }
    case "progress":
      eta(m.fraction, m.elapsed, m.what);
      return;
    case "epochs":
      state.epochs.push(...m.list);
      scheduleDraw();
      return;
    case "done":
      state.done = m;
      setBusy(false);
      $<HTMLProgressElement>("progress").value = m.stopped
        ? m.epochsDone / Math.max(1, state.epochs[0]?.epochs ?? 1)
        : 1;
      $("eta").textContent =
        `${m.stopped ? "stopped" : "done"}: ${m.epochsDone} epochs in ${m.seconds < 10 ? m.seconds.toFixed(2) : m.seconds.toFixed(1)} s`;
      showResults(m);
      return;
    case "curve":
      setBusy(false);
      $("eta").textContent = "cross-validation done";
      $("fig-curve").innerHTML = xyChart(
        [{ label: m.metric, x: m.points.map((p) => p.k), y: m.points.map((p) => p.mean) }],
        {
          title: `5-fold cross-validated ${m.metric} with the top k features`,
          xLabel: "features kept (top k)",
          yLabel: m.metric,
        },
      );
      return;
    case "error":
      state.parsing = false;
      if (m.during === "parse" || m.during === "load" || m.during === "inspect" || m.during === "synthetic") {
        state.summary = undefined;
        $("summary").textContent = "No usable data: fix the file or the options, or load another.";
      }
      if (m.during === "curve") $("fig-curve").textContent = "";
      showError(`bsfnet: ${m.error.message}`, m.error.name);
      setBusy(false);
      if (m.during === "train") $("eta").textContent = "training failed";
      return;
  }
};
worker.onerror = (e) => {
  showError(`bsfnet: the worker failed: ${e.message}`, "Error");
  setBusy(false);
};

void loadExamples();
setBusy(false);
