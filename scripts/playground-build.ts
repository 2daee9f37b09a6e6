// npm run playground:build [-- --out DIR] [--data DIR]: the browser playground as static files in
// dist-playground/ (index.html, main.js, worker.js, both wasm builds, examples.json and, when the
// data directory has it, wine.csv). Serve the folder with any static server, e.g.
//   npx http-server dist-playground   or   python3 -m http.server -d dist-playground
// Wine is not in the repository: it is read here from the data directory (--data DIR, else
// $BSFNET_DATA, else ../shared/data) and written with a header line; without it the page hides
// nothing else and says why the Wine button is disabled.
import { build, type Metafile } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { dataDir } from "../src/data/datadir.js";
import { WINE_NAMES } from "./lib/common.js";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

export interface PlaygroundBuild {
  dir: string;
  wine: boolean;
  /** bytes of the page's code (main.js + worker.js + index.html) and of the wasm module, raw and gzip */
  code: { raw: number; gzip: number };
  wasm: { raw: number; gzip: number };
  /** every source file with code in the page or its worker */
  inputs: string[];
}

/** wine.data has no header and the label first: the page's CSV gets the UCI column names. */
function wineCsv(dir: string): string | undefined {
  const p = join(dir, "wine/wine.data");
  if (!existsSync(p)) return undefined;
  const body = readFileSync(p, "utf8");
  return `${["class", ...WINE_NAMES].join(",")}\n${body.endsWith("\n") ? body : `${body}\n`}`;
}

export async function buildPlayground(outDir: string, data?: string, quiet = false): Promise<PlaygroundBuild> {
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    platform: "browser" as const,
    target: "es2022",
    logLevel: "warning" as const,
    metafile: true,
    // the page shows the library's error class (DataError, ConfigError) as the CLI names it
    keepNames: true,
    // wasm.ts reaches node:fs only by a dynamic import on paths; the page passes bytes, so the
    // import is never evaluated in the browser and stays a bare specifier in the bundle
    external: ["node:*"],
  };
  const [main, worker] = await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, "playground/main.ts")],
      format: "esm",
      outfile: join(outDir, "main.js"),
    }),
    build({
      ...common,
      entryPoints: [join(root, "playground/worker.ts")],
      format: "esm",
      outfile: join(outDir, "worker.js"),
    }),
  ]);
  copyFileSync(join(root, "playground/index.html"), join(outDir, "index.html"));
  for (const w of ["bsfnet.wasm", "bsfnet.relaxed.wasm"]) {
    const src = join(root, "build", w);
    if (!existsSync(src)) throw new Error(`${src} is missing: run npm run asbuild first`);
    copyFileSync(src, join(outDir, w));
  }
  const dir = dataDir(data);
  const wine = wineCsv(dir);
  if (wine) writeFileSync(join(outDir, "wine.csv"), wine);
  else if (!quiet)
    process.stderr.write(
      `playground: Wine not found in ${dir} (pass --data DIR or set BSFNET_DATA): the page's Wine button is disabled\n`,
    );
  writeFileSync(
    join(outDir, "examples.json"),
    `${JSON.stringify({
      wine: Boolean(wine),
      note: wine
        ? undefined
        : "Wine was not found in the data directory when this page was built (npm run playground:build -- --data DIR); drop wine.data with a header line instead, or use the synthetic example.",
    })}\n`,
  );
  const size = (files: string[]) => {
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(outDir, f))));
    return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  // what reaches the output: an import esbuild tree-shakes away (export/onnx.ts's saveOnnx and the
  // atomic writer it uses) is listed in the metafile's inputs but contributes no byte
  const inputs = (m: Metafile) =>
    Object.values(m.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([k]) => k),
    );
  return {
    dir: outDir,
    wine: Boolean(wine),
    code: size(["index.html", "main.js", "worker.js"]),
    wasm: size(["bsfnet.relaxed.wasm"]),
    inputs: [...new Set([...inputs(main.metafile!), ...inputs(worker.metafile!)])],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const opt = (k: string) => {
    const i = args.indexOf(k);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = resolve(opt("--out") ?? join(root, "dist-playground"));
  const b = await buildPlayground(out, opt("--data"));
  console.log(
    `wrote ${out}: page code ${(b.code.raw / 1024).toFixed(1)} KB (${(b.code.gzip / 1024).toFixed(1)} KB gzip), ` +
      `wasm ${(b.wasm.raw / 1024).toFixed(1)} KB (${(b.wasm.gzip / 1024).toFixed(1)} KB gzip); Wine ${b.wine ? "included from the data directory" : "not found"}`,
  );
}
