// What every example server does with a request: raw rows in, class probabilities out. Rows may
// have the model's full input width (they are then standardized with the saved statistics and
// reduced to the features a pruned model kept) or already be the model's reduced input.
import type { InferenceModel } from "../../src/infer/index.js";

export interface Prediction {
  classes: string[];
  predictions: { class: string; probabilities: number[] }[];
}

export function prepare(model: InferenceModel, rows: unknown): Float32Array {
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > 10000)
    throw new Error("rows must be a non-empty array of at most 10000 rows");
  const full = (model.meta.fullInputSize as number | undefined) ?? model.inputSize;
  const width = (rows[0] as unknown[])?.length;
  if (width !== full && width !== model.inputSize)
    throw new Error(`each row needs ${full} values (or ${model.inputSize} pre-processed ones)`);
  // f64 until the model's preprocessing has run: standardizing raw values rounded to f32 first would
  // move the result by up to ~1e-6
  const x = new Float64Array(rows.length * width);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== width || !r.every((v) => typeof v === "number" && Number.isFinite(v))) {
      throw new Error(`row ${i} must hold ${width} finite numbers`);
    }
    x.set(r, i * width);
  });
  // full-width rows get the model file's own preprocessing; reduced rows are taken as they are
  return width === full ? model.prepareInput(x) : Float32Array.from(x);
}

export function predict(model: InferenceModel, rows: unknown): Prediction {
  const x = prepare(model, rows);
  const p = model.predict(x);
  const V = model.classes;
  const names = (model.meta.classNames as string[] | undefined) ?? Array.from({ length: V }, (_, i) => String(i));
  const predictions = [];
  for (let i = 0; i < p.length / V; i++) {
    const probs = Array.from(p.subarray(i * V, (i + 1) * V));
    predictions.push({ class: names[probs.indexOf(Math.max(...probs))], probabilities: probs });
  }
  return { classes: names, predictions };
}

/** A fetch handler: POST {"rows": [[...], ...]} -> {"classes", "predictions"}. */
export async function handle(model: InferenceModel, req: Request): Promise<Response> {
  if (req.method !== "POST") {
    return Response.json(
      {
        error: 'POST a JSON body {"rows": [[...], ...]}',
        inputs: (model.meta.fullInputSize as number) ?? model.inputSize,
      },
      { status: 405 },
    );
  }
  let body: { rows?: unknown };
  try {
    body = await req.json();
  } catch {
    return Response.json({ error: "the body is not JSON" }, { status: 400 });
  }
  try {
    return Response.json(predict(model, body?.rows));
  } catch (e) {
    return Response.json({ error: (e as Error).message }, { status: 400 });
  }
}
