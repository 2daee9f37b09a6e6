// A Cloudflare Worker serving a pruned bsfnet model. Workers forbid compiling wasm at run time, so
// the kernels are imported as a WebAssembly.Module and the model file as data; nothing else loads.
//   curl -X POST localhost:8787 -d '{"rows": [[14.23,1.71,2.43,15.6,127,2.8,3.06,0.28,2.29,5.64,1.04,3.92,1065]]}'
// Build: npm run example:worker (esbuild bundle + workerd config in examples/worker/dist/), then
// `npx workerd serve examples/worker/dist/config.capnp`; with wrangler, wrangler.toml here.
import { InferenceModel } from "../../src/infer/index.js";
import { handle } from "../shared/handler.js";
import wasm from "./bsfnet.wasm";
import modelFile from "./wine.bsfnet";

let model: InferenceModel | undefined;

export default {
  async fetch(req: Request): Promise<Response> {
    model ??= InferenceModel.fromModule(wasm, new Uint8Array(modelFile));
    return handle(model, req);
  },
};
