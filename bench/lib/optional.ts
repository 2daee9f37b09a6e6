// Functions other suites may or may not provide yet (bench/train/threads.ts: measureThreads,
// bench/train/gemm-speed.ts: measureGemm): imported only when the file exports the name, so a
// file that is still a top-level script is never executed by the import.
import { existsSync, readFileSync } from "node:fs";

export type Optional<F> = { fn: F } | { fn: null; reason: string };

/** `name` exported by the module at `url` (a file URL), or null and why not. */
export async function optionalExport<F>(url: URL, name: string, what: string): Promise<Optional<F>> {
  if (!existsSync(url))
    return { fn: null, reason: `${what} not available in this build (no ${url.pathname.split("/bench/").pop()})` };
  const src = readFileSync(url, "utf8");
  const exported = new RegExp(
    `export\\s+(async\\s+)?(function|const|let)\\s+${name}\\b|export\\s*\\{[^}]*\\b${name}\\b`,
  );
  if (!exported.test(src)) return { fn: null, reason: `${what} not available in this build (no ${name} export)` };
  try {
    const mod = (await import(url.href)) as Record<string, unknown>;
    const fn = mod[name];
    return typeof fn === "function" ? { fn: fn as F } : { fn: null, reason: `${name} is not a function` };
  } catch (e) {
    return { fn: null, reason: `${what}: importing ${name} failed: ${(e as Error).message.split("\n")[0]}` };
  }
}
