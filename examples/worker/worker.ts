// A Cloudflare Worker serving a pruned bsfnet model. Workers forbid compiling wasm at run time, so
// the kernels are imported as a WebAssembly.Module and the model file as data; nothing else loads.
//   curl -X POST localhost:8787 -d '{"rows": [[14.23,1.71,2.43,15.6,127,2.8,3.06,0.28,2.29,5.64,1.04,3.92,1065]]}'
// Build: npm run example:worker (esbuild bundle + workerd config in examples/worker/dist/), then
// `npx workerd serve examples/worker/dist/config.capnp`; with wrangler, wrangler.toml here.
import { InferenceModel } from "../../src/infer/index.js";
import { handle } from "../shared/handler.js";
import wasm from "./bsfnet.wasm";
import modelFile from "./wine.bsfnet";

/** The largest body read: 10,000 rows (the handler's limit) of 13 numbers fit in well under 2 MiB
 * of JSON; anything longer is refused before it is buffered or parsed. (Not exported: workerd
 * takes a main module's named exports for entrypoints.) */
const MAX_BODY = 2 * 1024 * 1024;

let model: InferenceModel | undefined;

const tooLarge = () => Response.json({ error: `the body is larger than ${MAX_BODY} bytes` }, { status: 413 });

/** The body, at most MAX_BODY bytes, or null when it is longer (a chunked body has no length to
 * check up front, so it is counted as it arrives and the rest is never read). */
async function boundedBody(req: Request): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > MAX_BODY) return null;
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY) {
      await reader.cancel();
      return null;
    }
    parts.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.byteLength;
  }
  return body;
}

export default {
  async fetch(req: Request): Promise<Response> {
    try {
      if (req.method === "POST") {
        const body = await boundedBody(req);
        if (body === null) return tooLarge();
        req = new Request(req.url, { method: "POST", headers: req.headers, body });
      }
      model ??= InferenceModel.fromModule(wasm, new Uint8Array(modelFile));
      return await handle(model, req);
    } catch (e) {
      // whatever slipped past the handler's own checks: a JSON error, and the isolate lives on
      return Response.json({ error: `internal error: ${(e as Error).message}` }, { status: 500 });
    }
  },
};
