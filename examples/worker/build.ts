// Bundles the Worker for workerd: dist/worker.js (esbuild), dist/bsfnet.wasm, dist/wine.bsfnet and
// dist/config.capnp listening on 127.0.0.1:PORT (default 8787).
//   npx tsx examples/worker/build.ts [PORT] [OUTDIR] [MODEL.bsfnet]
import { build } from "esbuild";
import { copyFileSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** `model`: the model file to serve (default the examples' shared/wine.bsfnet). */
export async function buildWorker(outDir: string, port: number, model?: string): Promise<string> {
  const here = fileURLToPath(new URL(".", import.meta.url));
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, "worker.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    minify: true,
    outfile: join(outDir, "worker.js"),
    external: ["./bsfnet.wasm", "./wine.bsfnet"],
    logLevel: "warning",
  });
  copyFileSync(join(here, "../../build/bsfnet.wasm"), join(outDir, "bsfnet.wasm"));
  copyFileSync(model ?? join(here, "../shared/wine.bsfnet"), join(outDir, "wine.bsfnet"));
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "./bsfnet.wasm", wasm = embed "bsfnet.wasm"),
    (name = "./wine.bsfnet", data = embed "wine.bsfnet"),
  ],
  compatibilityDate = "2024-09-23",
);
`;
  const path = join(outDir, "config.capnp");
  writeFileSync(path, config);
  return path;
}

// (real paths: the script may be reached through a symlinked directory)
if (process.argv[1] && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1])) {
  const port = Number(process.argv[2] ?? 8787);
  const out = process.argv[3] ?? fileURLToPath(new URL("./dist", import.meta.url));
  console.log(await buildWorker(out, port, process.argv[4]));
}
