// Builds the browser page into OUTDIR (default examples/browser/dist): index.html, main.js
// (esbuild bundle), bsfnet.wasm, wine.bsfnet, rows.json. Serve the folder with any static server:
//   npx tsx examples/browser/build.ts && npx http-server examples/browser/dist   (or python3 -m http.server)
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export async function buildBrowser(outDir: string): Promise<void> {
  const here = fileURLToPath(new URL(".", import.meta.url));
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    minify: true,
    outfile: join(outDir, "main.js"),
    logLevel: "warning",
  });
  copyFileSync(join(here, "index.html"), join(outDir, "index.html"));
  copyFileSync(join(here, "rows.json"), join(outDir, "rows.json"));
  copyFileSync(join(here, "../../build/bsfnet.wasm"), join(outDir, "bsfnet.wasm"));
  copyFileSync(join(here, "../shared/wine.bsfnet"), join(outDir, "wine.bsfnet"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildBrowser(process.argv[2] ?? fileURLToPath(new URL("./dist", import.meta.url)));
}
