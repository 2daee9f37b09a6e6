// Bun: classify Wine rows with the pruned example model. Bun's import of a .wasm file gives its path.
//   echo '{"rows": [[14.23,1.71,2.43,15.6,127,2.8,3.06,0.28,2.29,5.64,1.04,3.92,1065]]}' | bun examples/bun/main.ts
//   bun examples/bun/main.ts --serve 3000
import { InferenceModel } from "../../src/infer/index.js";
import { handle, predict } from "../shared/handler.js";
// biome-ignore lint/suspicious/noTsIgnore: Bun resolves a file import to its path (ts-expect-error would be unused under the root tsconfig)
// @ts-ignore: Bun resolves a file import to its path
import wasmPath from "../../build/bsfnet.wasm";

declare const Bun: {
  file(p: string | URL): { arrayBuffer(): Promise<ArrayBuffer> };
  serve(o: { hostname: string; port: number; fetch(req: Request): Promise<Response> }): unknown;
  stdin: { text(): Promise<string> };
  argv: string[];
};

const wasm = await Bun.file(wasmPath as string).arrayBuffer();
const model = await InferenceModel.load(
  wasm,
  await Bun.file(new URL("../shared/wine.bsfnet", import.meta.url)).arrayBuffer(),
);

const i = Bun.argv.indexOf("--serve");
if (i >= 0) {
  Bun.serve({ hostname: "127.0.0.1", port: Number(Bun.argv[i + 1] ?? 3000), fetch: (req) => handle(model, req) });
} else {
  const body = JSON.parse(await Bun.stdin.text());
  console.log(JSON.stringify(predict(model, body.rows)));
}
