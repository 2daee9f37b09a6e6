// The PyTorch reference of the Table 6 CNN in one command (`npm run repro:table6-pytorch`): exports
// the paper's MNIST split as `bsfnet attention mnist --seed S` draws it (export-mnist-split.ts), then
// trains the same CNN in PyTorch on it (table6_pytorch.py), which writes
// docs/results/table6-pytorch-seed<S>.json. Without python3 or torch it prints a notice and exits 0:
// the reference is an independent check, not part of the package.
//   npx tsx scripts/reference/table6-pytorch.ts [--seed 0] [--data DIR] [--split DIR] [--epochs 20] [--fine-tune 5] [--out docs]
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const USAGE =
  "npx tsx scripts/reference/table6-pytorch.ts [--seed 0] [--data DIR] [--split DIR] [--epochs 20] [--fine-tune 5] [--out docs]";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
const value = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

const python = process.env.PYTHON ?? "python3";
const probe = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
if (probe.error || probe.status !== 0) {
  const why = probe.error ? `${python} not found` : `${python} cannot import torch`;
  console.log(`[bsfnet] skipping the PyTorch reference: ${why} (install Python 3 and torch to run it)`);
  process.exit(0);
}
console.log(`[bsfnet] PyTorch ${probe.stdout.trim()}`);

const seed = value("--seed") ?? "0";
const split = value("--split") ?? mkdtempSync(join(tmpdir(), "bsfnet-mnist-split-"));
const run = (cmd: string, argv: string[]): void => {
  console.log(`$ ${cmd} ${argv.join(" ")}`);
  const r = spawnSync(cmd, argv, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const exportArgs = ["--out", split, "--seed", seed];
const data = value("--data");
if (data) exportArgs.push("--data", data);
run(process.execPath, ["--import", "tsx", join(here, "export-mnist-split.ts"), ...exportArgs]);

const pyArgs = [join(here, "table6_pytorch.py"), split];
for (const flag of ["--epochs", "--fine-tune", "--out"]) {
  const v = value(flag);
  if (v !== undefined) pyArgs.push(flag, v);
}
run(python, pyArgs);
