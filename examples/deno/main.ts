// Deno: classify Wine rows with the pruned example model.
//   echo '{"rows": [[14.23,1.71,2.43,15.6,127,2.8,3.06,0.28,2.29,5.64,1.04,3.92,1065]]}' | \
//     deno run --unstable-sloppy-imports --allow-read examples/deno/main.ts
// (--unstable-sloppy-imports lets Deno resolve the sources' Node-style ".js" specifiers to .ts.)
// Or serve HTTP: deno run --unstable-sloppy-imports --allow-read --allow-net=127.0.0.1 examples/deno/main.ts --serve 8000
import { InferenceModel } from "../../src/infer/index.ts";
import { handle, predict } from "../shared/handler.ts";

const here = new URL(".", import.meta.url);
const wasm = await Deno.readFile(new URL("../../build/bsfnet.wasm", here));
const model = await InferenceModel.load(wasm, await Deno.readFile(new URL("../shared/wine.bsfnet", here)));

const i = Deno.args.indexOf("--serve");
if (i >= 0) {
  Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.args[i + 1] ?? 8000) }, (req) => handle(model, req));
} else {
  const body = JSON.parse(await new Response(Deno.stdin.readable).text());
  console.log(JSON.stringify(predict(model, body.rows)));
}
