// What a user expects of a command line (issue 10, point 5), one test each: --version, --help
// with defaults for every command, unknown options named, negative numbers as values, one error
// format, output paths checked before any training, atomic writes through symlinks and to
// devices, directory/unreadable/stdin inputs, identifier columns refused, progress and --quiet,
// evaluate --json, attention --help writing nothing, train -> predict from raw rows.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commands, main } from "../../src/cli/main.js";
import { progress } from "../../src/cli/progress.js";
import { parseCsv } from "../../src/data/csv.js";
import { makeClassification } from "../../src/data/synthetic.js";
import { readModelFile } from "../../src/io/file.js";

const root = join(__dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");
const mainTs = join(root, "src/cli/main.ts");
const isRoot = process.getuid?.() === 0;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** exit 2, one line `bsfnet: ...` matching `what`, no stack */
async function userError(argv: string[], what: RegExp): Promise<string> {
  const r = await cli(argv);
  expect(r.code, argv.join(" ")).toBe(2);
  expect(r.err.split("\n"), r.err).toHaveLength(1);
  expect(r.err).toMatch(/^bsfnet: /);
  expect(r.err).toMatch(what);
  expect(r.err).not.toMatch(/\.tmp|\n\s+at /);
  return r.err;
}

const dir = mkdtempSync(join(tmpdir(), "bsfnet-conventions-"));
/** A small CSV with a header, the label last, a row-name column and a category. */
function dataCsv(): string {
  const ds = makeClassification({ nSamples: 120, nInformative: 2, nRedundant: 0, nNoise: 2, seed: 5 });
  const lines = ["name,a,b,colour,c,d,class"];
  for (let i = 0; i < ds.n; i++) {
    const r = Array.from(ds.x.subarray(i * ds.d, (i + 1) * ds.d), (v) => (v * 10 + 50).toFixed(3));
    lines.push([`row-${i}`, r[0], r[1], i % 3 === 0 ? "red" : "blue", r[2], r[3], ds.y[i] ? "yes" : "no"].join(","));
  }
  const f = join(dir, "data.csv");
  writeFileSync(f, `${lines.join("\n")}\n`);
  return f;
}
const csv = dataCsv();
const quick = ["--epochs", "3", "--quiet"];

describe("command-line conventions", () => {
  it("--version prints the package's version", async () => {
    const r = await cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });

  it("no command prints the usage on stderr and exits 2, like every usage mistake", async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^bsfnet: Binary Stochastic Filtering/);
    expect(r.out).toBe("");
  });

  it("every command has --help listing its options with their defaults, and exits 0", async () => {
    for (const c of commands) {
      const r = await cli([c.name, "--help"]);
      expect(r.code, c.name).toBe(0);
      expect(r.out, c.name).toBe(c.usage);
      expect(r.out, c.name).toMatch(/^Usage: bsfnet /);
      expect(r.out, c.name).toMatch(/\n {2}-h, --help +show this help/);
    }
    const train = (await cli(["train", "--help"])).out;
    for (const o of [
      "--epochs <E> +training epochs \\(default: 300\\)",
      "--gates <none\\|input\\|hidden\\|all> .*\\(default: input\\)",
      "--validation-split <F> .*\\(default: 0.2\\)",
      "-o, --out <model.bsfnet>",
    ]) {
      expect(train).toMatch(new RegExp(o));
    }
    expect((await cli(["evaluate", "--help"])).out).toMatch(/--folds <K> +stratified folds \(default: 10\)/);
  });

  it("an unknown option is an error naming it, for every command", async () => {
    for (const c of commands) await userError([c.name, "--frobnicate"], /Unknown option '--frobnicate'.*--help/);
  });

  it("a negative number is an option's value (--label -1)", async () => {
    const r = await cli(["train", csv, "--label", "-1", "--drop", "name", "-o", join(dir, "neg.bsfnet"), ...quick]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect((await readModelFile(join(dir, "neg.bsfnet"))).meta.label).toBe("class");
    const s = await cli(["select", csv, "--label", "-1", "--drop", "0", ...quick]);
    expect(s.code, s.err).toBe(0);
  });

  it("output paths are checked before any training: a missing directory, a directory, a read-only place", async () => {
    const t0 = performance.now();
    const train = (o: string[]) => ["train", csv, "--label", "class", "--drop", "name", "--epochs", "200", ...o];
    await userError(
      train(["-o", join(dir, "nope/m.bsfnet")]),
      /-o .*nope\/m\.bsfnet: the directory .*nope does not exist/,
    );
    await userError(train(["-o", dir]), new RegExp(`-o ${dir}: is a directory`));
    await userError(
      train(["-o", join(dir, "ok.bsfnet"), "--history", join(dir, "nope/h.json")]),
      /--history .*nope\/h\.json/,
    );
    await userError(
      ["select", csv, "--label", "class", "--drop", "name", "--json", join(dir, "nope/s.json")],
      /--json .*nope\/s\.json/,
    );
    await userError(
      ["select", csv, "--label", "class", "--drop", "name", "--transform", join(dir, "nope/t.csv")],
      /--transform .*nope\/t\.csv/,
    );
    await userError(
      ["evaluate", csv, "--label", "class", "--drop", "name", "--json", join(dir, "nope/e.json")],
      /--json .*nope\/e\.json/,
    );
    expect(performance.now() - t0).toBeLessThan(5000); // nothing trained
    // root writes anywhere a mode allows nothing; /proc/sys refuses even root
    let ro = "/proc/sys";
    if (!isRoot) {
      ro = join(dir, "readonly");
      mkdirSync(ro);
      chmodSync(ro, 0o555);
    }
    await userError(
      train(["-o", join(ro, "m.bsfnet")]),
      new RegExp(`-o ${ro}/m\\.bsfnet: cannot write in ${ro}: permission denied`),
    );
  });

  it("an atomic write keeps a symlink a symlink and writes a device directly", async () => {
    const target = join(dir, "target.bsfnet");
    writeFileSync(target, "old");
    const link = join(dir, "link.bsfnet");
    symlinkSync(target, link);
    const r = await cli(["train", csv, "--label", "class", "--drop", "name", "-o", link, ...quick]);
    expect(r.code, r.err).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target).subarray(0, 4).toString()).toBe("BSFN");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    // a device: predictions to /dev/stdout of a real process
    const p = spawnSync(tsx, [mainTs, "predict", target, csv, "-o", "/dev/stdout"], { encoding: "utf8" });
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout.split("\n")[0]).toBe("class,p_no,p_yes");
    expect(p.stdout.split("\n").filter((l) => /^(yes|no),/.test(l))).toHaveLength(120);
  }, 60000);

  it("inputs: a directory or an unreadable path is a one-line error; - reads stdin", async () => {
    await userError(["select", dir, "--label", "class"], /is a directory/);
    await userError(["predict", join(dir, "target.bsfnet"), dir], /is a directory/);
    await userError(
      ["select", join(dir, "missing.csv"), "--label", "class"],
      /missing\.csv: cannot open: no such file/,
    );
    if (!isRoot) {
      const locked = join(dir, "locked.csv");
      writeFileSync(locked, "a,b\n1,2\n");
      chmodSync(locked, 0o000);
      await userError(["select", locked, "--label", "b"], /locked\.csv: cannot read: permission denied/);
    }
    const model = join(dir, "target.bsfnet");
    const rows = readFileSync(csv, "utf8");
    const p = spawnSync(tsx, [mainTs, "predict", model, "-", "--format", "json"], { input: rows, encoding: "utf8" });
    expect(p.status, p.stderr).toBe(0);
    const first = JSON.parse(p.stdout.split("\n")[0]);
    expect(Object.keys(first.probabilities)).toEqual(["no", "yes"]);
  }, 60000);

  it("a text column of nearly all distinct values is refused, naming it; --drop or --categorical decide", async () => {
    await userError(
      ["select", csv, "--label", "class", ...quick],
      /column name: 120 distinct text values in 120 rows: .*--drop name.*--categorical name/,
    );
    expect((await cli(["select", csv, "--label", "class", "--drop", "name", ...quick])).code).toBe(0);
    expect((await cli(["select", csv, "--label", "class", "--categorical", "name", ...quick])).code).toBe(0);
  });

  it("progress with an ETA on a terminal; nothing with --quiet or off a terminal", () => {
    const written: string[] = [];
    const tty = { isTTY: true, write: (s: string) => void written.push(s) } as unknown as NodeJS.WriteStream;
    const p = progress(false, tty);
    p.update(1, 4, "folds ");
    p.update(4, 4, "folds ");
    p.end();
    expect(written.join("")).toMatch(/folds \[=+ *\] 1\/4 elapsed \d+:\d\d ETA \d+:\d\d/);
    const quiet: string[] = [];
    progress(true, { isTTY: true, write: (s: string) => void quiet.push(s) } as unknown as NodeJS.WriteStream).update(
      1,
      2,
    );
    progress(false, { isTTY: false, write: (s: string) => void quiet.push(s) } as unknown as NodeJS.WriteStream).update(
      1,
      2,
    );
    expect(quiet).toEqual([]);
  });

  it("evaluate --json writes the per-fold accuracies", async () => {
    const out = join(dir, "eval.json");
    const r = await cli([
      "evaluate",
      csv,
      "--label",
      "class",
      "--drop",
      "name",
      "--folds",
      "2",
      "--epochs",
      "3",
      "--quiet",
      "--json",
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc.accuracies).toHaveLength(2);
    expect(r.out).toContain(`accuracy: ${doc.mean.toFixed(4)}`);
  });

  it("attention --help writes nothing to disk", () => {
    const cwd = mkdtempSync(join(tmpdir(), "bsfnet-attention-help-"));
    const p = spawnSync(tsx, [mainTs, "attention", "--help"], { cwd, encoding: "utf8" });
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^Usage: bsfnet attention mnist\|spectra/);
    expect(readdirSync(cwd)).toEqual([]);
  }, 30000);

  it("select --transform writes the selected columns and the label, read back as the same values", async () => {
    const out = join(dir, "reduced.csv");
    const r = await cli([
      "select",
      csv,
      "--label",
      "class",
      "--drop",
      "name",
      "--top",
      "2",
      "--epochs",
      "20",
      "--quiet",
      "--transform",
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    const reduced = parseCsv(readFileSync(out), { label: "class" });
    const full = parseCsv(readFileSync(csv), { label: "class", drop: ["name"] });
    expect(reduced.columns).toHaveLength(3);
    expect(reduced.columns.at(-1)).toBe("class");
    expect(reduced.classNames).toEqual(full.classNames);
    for (const [j, name] of reduced.featureNames.entries()) {
      const k = full.featureNames.indexOf(name);
      for (let i = 0; i < full.n; i++) {
        const v = reduced.categories.find((c) => c.column === name)
          ? reduced.categories.find((c) => c.column === name)!.values[reduced.x[i * 2 + j]]
          : reduced.x[i * 2 + j];
        const w = full.categories.find((c) => c.column === name)
          ? full.categories.find((c) => c.column === name)!.values[full.x[i * full.d + k]]
          : full.x[i * full.d + k];
        expect(v).toBe(w);
      }
    }
  });

  it("train -> predict: raw rows in, class names and probabilities out; columns by name, a missing one named", async () => {
    const model = join(dir, "m.bsfnet");
    expect(
      (await cli(["train", csv, "--label", "class", "--drop", "name", "--epochs", "40", "--quiet", "-o", model])).code,
    ).toBe(0);
    const r = await cli(["predict", model, csv, "--label", "class"]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("class,p_no,p_yes");
    expect(lines).toHaveLength(121);
    expect(r.err).toMatch(/^accuracy: 0\.\d{4} \(\d+ of 120 rows\)\ntrue \\ predicted/);
    // the columns in another order, the label and the row names gone: the same predictions
    const parsed = readFileSync(csv, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(","));
    const shuffled = join(dir, "shuffled.csv");
    writeFileSync(shuffled, `${parsed.map((f) => [f[4], f[3], f[1], f[5], f[2]].join(",")).join("\n")}\n`);
    const again = await cli(["predict", model, shuffled]);
    expect(again.out).toBe(lines.join("\n"));
    const missing = join(dir, "missing-col.csv");
    writeFileSync(missing, `${parsed.map((f) => [f[1], f[2], f[3], f[4]].join(",")).join("\n")}\n`);
    await userError(["predict", model, missing], /no column "d", which the model reads/);
    expect(existsSync(model)).toBe(true);
  });
});

describe("older model files", () => {
  it("a model file without meta.columns (examples/shared/wine.bsfnet) still loads and predicts from raw rows", async () => {
    const { hasData, dataPath } = await import("../util/data.js");
    if (!hasData("wine/wine.data")) return;
    const r = await cli([
      "predict",
      join(root, "examples/shared/wine.bsfnet"),
      dataPath("wine/wine.data"),
      "--no-header",
      "--label",
      "0",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split("\n")[0]).toBe("class,p_1,p_2,p_3");
    expect(Number(/accuracy: (\d\.\d+)/.exec(r.err)?.[1])).toBeGreaterThan(0.95);
  });
});
