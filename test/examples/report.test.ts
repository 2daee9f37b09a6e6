// The HTML reports of `select --report` and `train --report`: one self-contained file (inline SVG,
// no script, nothing fetched) with the ranked importances, the gate weights over the epochs and,
// for select, the accuracy against the number of top features kept. Opened in headless Chromium
// where it is installed (skipped with a notice elsewhere), as test/examples/browser.test.ts does.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { makeClassification } from "../../src/data/synthetic.js";

const dir = mkdtempSync(join(tmpdir(), "bsfnet-report-"));
const csv = join(dir, "data.csv");
{
  const ds = makeClassification({ nSamples: 100, nInformative: 2, nRedundant: 0, nNoise: 3, seed: 2 });
  const lines = ["f0,f1,f2,f3,f4,label"];
  for (let i = 0; i < ds.n; i++)
    lines.push(
      [...Array.from(ds.x.subarray(i * ds.d, (i + 1) * ds.d), (v) => v.toFixed(3)), String(ds.y[i])].join(","),
    );
  writeFileSync(csv, `${lines.join("\n")}\n`);
}

async function cli(argv: string[]): Promise<number> {
  return main(argv, { out: () => {}, err: (s) => process.stderr.write(`${s}\n`) });
}

function selfContained(html: string): void {
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
  // the only URLs are SVG namespaces
  expect((html.match(/https?:\/\/[^"' )]+/g) ?? []).filter((u) => u !== "http://www.w3.org/2000/svg")).toEqual([]);
}

function findChromium(): string | undefined {
  for (const c of [process.env.CHROMIUM, "chromium", "chromium-browser", "google-chrome"]) {
    if (!c) continue;
    if (spawnSync(c, ["--version"], { encoding: "utf8", timeout: 20000 }).status === 0) return c;
  }
  return undefined;
}
const chromium = findChromium();
const why = "no chromium found (apt-get install chromium, or set CHROMIUM)";
if (!chromium) process.stderr.write(`[bsfnet tests] SKIPPED rendering the HTML reports in Chromium: ${why}\n`);

async function render(file: string): Promise<string> {
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    `--user-data-dir=${join(dir, "profile")}`,
    "--dump-dom",
    `file://${file}`,
  ];
  const proc = spawn(chromium!, args, { stdio: ["ignore", "pipe", "pipe"] });
  let dom = "";
  proc.stdout.on("data", (d) => (dom += d));
  const code = await new Promise<number | null>((res) => {
    const t = setTimeout(() => proc.kill("SIGKILL"), 60000);
    proc.on("close", (c) => {
      clearTimeout(t);
      res(c);
    });
  });
  expect(code).toBe(0);
  return dom;
}

describe("HTML reports", () => {
  it("select --report: importances, gate weights over epochs, accuracy against top-k kept", async () => {
    const file = join(dir, "select.html");
    expect(await cli(["select", csv, "--label", "label", "--epochs", "30", "--quiet", "--report", file])).toBe(0);
    const html = readFileSync(file, "utf8");
    selfContained(html);
    expect(html).toContain("Ranked importances");
    expect(html).toContain("Gate weights over epochs");
    expect(html).toMatch(
      /Cross-validated accuracy against the number of top features kept[\s\S]*<td>1<\/td>[\s\S]*<td>5<\/td>/,
    );
    for (const f of ["f0", "f1", "f2", "f3", "f4"]) expect(html).toContain(`>${f}<`);
    if (chromium) expect((await render(file)).match(/<svg/g)?.length).toBe(3);
  }, 120000);

  it("train --report: gate weights and accuracy over epochs", async () => {
    const file = join(dir, "train.html");
    expect(
      await cli([
        "train",
        csv,
        "--label",
        "label",
        "--epochs",
        "20",
        "--quiet",
        "-o",
        join(dir, "m.bsfnet"),
        "--report",
        file,
      ]),
    ).toBe(0);
    const html = readFileSync(file, "utf8");
    selfContained(html);
    expect(html).toContain("Input gate weights after training");
    expect(html).toContain("Accuracy over epochs");
    if (chromium) expect((await render(file)).match(/<svg/g)?.length).toBe(3);
  }, 60000);
});
