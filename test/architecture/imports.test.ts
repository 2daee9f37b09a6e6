// The import graph of src/ (dependency-cruiser, rules in .dependency-cruiser.cjs; `npm run check:imports`
// prints the same violations): no import cycle (type-only imports count), no import from src/io/ into
// src/prune/, and nothing src/infer/ reaches is training code or a Node built-in.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
let graph: ICruiseResult;

beforeAll(async () => {
  const options = await extractDepcruiseOptions(join(root, ".dependency-cruiser.cjs"));
  const tsConfig = extractTSConfig(join(root, "tsconfig.json"));
  const r = await cruise(["src"], { ...options, baseDir: root, validate: true }, undefined, { tsConfig });
  graph = r.output as ICruiseResult;
}, 60_000);

/** src/ modules and the src/ modules each imports (type-only imports included). */
function edges(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const m of graph.modules) {
    if (!m.source.startsWith("src/")) continue;
    g.set(
      m.source,
      m.dependencies.map((d) => d.resolved).filter((to) => to.startsWith("src/")),
    );
  }
  return g;
}

/** Every strongly connected component of more than one module (or a module importing itself), each
 * shown as one shortest cycle through its first module. */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || (g.get(v) ?? []).includes(v)) sccs.push(c.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!idx.has(v)) visit(v);
  return sccs.map((c) => {
    // breadth-first from c[0] back to c[0] inside the component
    const inC = new Set(c);
    const prev = new Map<string, string>();
    const queue = [c[0]];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of g.get(v) ?? []) {
        if (!inC.has(w) || prev.has(w)) continue;
        prev.set(w, v);
        if (w === c[0]) queue.length = 0;
        else queue.push(w);
      }
    }
    const path = [c[0]];
    for (let v = prev.get(c[0])!; v !== c[0]; v = prev.get(v)!) path.unshift(v);
    path.unshift(c[0]);
    return path;
  });
}

const violations = (rule: string): IViolation[] => graph.summary.violations.filter((v) => v.rule.name === rule);
/** One line per violation: the importing module, the modules in between (reachability rules), the target. */
const lines = (vs: IViolation[]): string[] =>
  vs.map((v) => [v.from, ...(v.via ?? []).map((d) => d.name), v.to].join(" → "));

describe("the import graph of src/", () => {
  it("is read whole: every relative import (.js specifiers of .ts files) resolves", () => {
    const src = graph.modules.filter((m) => m.source.startsWith("src/"));
    expect(src.length).toBeGreaterThan(50);
    const unresolved = src.flatMap((m) =>
      m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} → ${d.module}`),
    );
    expect(unresolved, `unresolved imports:\n${unresolved.join("\n")}`).toEqual([]);
    const index = src.find((m) => m.source === "src/index.ts");
    expect(index?.dependencies.map((d) => d.resolved)).toContain("src/runtime/runtime.ts");
  });

  it("finds every cycle of a graph (the checker itself)", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c", "a"]],
      ["c", ["a"]],
      ["d", ["d", "e"]],
      ["e", []],
    ]);
    expect(cycles(g)).toEqual([
      ["a", "b", "a"],
      ["d", "d"],
    ]);
  });

  it("has no import cycle", () => {
    // one line per strongly connected component: a shortest cycle through its first module
    const found = cycles(edges()).map((c) => c.join(" → "));
    expect(found, `${found.length} import cycle(s) in src/ (type-only imports count)`).toEqual([]);
    expect(lines(violations("no-cycle"))).toEqual([]);
  });

  it("has no import from src/io/ into src/prune/", () => {
    expect(lines(violations("io-not-prune")), "src/io/ imports src/prune/").toEqual([]);
  });

  it("lets src/infer/ reach no training code (Sequential, optimizers, pruning) and no Node built-in", () => {
    expect(lines(violations("infer-not-training")), "src/infer/ reaches training code or a Node built-in").toEqual([]);
  });
});
