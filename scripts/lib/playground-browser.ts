// What the playground's test and its measurement script share: a loopback static server for
// dist-playground and the system Chromium driven by playwright-core (it downloads no browser).
import { spawnSync } from "node:child_process";
export { serve } from "./loopback.js";
import type { Browser, Page } from "playwright-core";

/** The first Chromium that answers --version: $CHROMIUM, then Debian's and the usual names. */
export function findChromium(): string | undefined {
  for (const c of [process.env.CHROMIUM, "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"]) {
    if (!c) continue;
    const r = spawnSync(c, ["--version"], { encoding: "utf8", timeout: 20000 });
    if (r.status === 0) {
      // playwright wants a path, not a name on PATH
      const w = c.includes("/") ? c : spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).stdout.trim();
      if (w) return w;
    }
  }
  return undefined;
}

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch(executablePath: string): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  // playwright refuses --user-data-dir in a plain launch: it gives every launch a fresh temporary
  // profile of its own, which is what the flag was for
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, timeout: 60000 });
}

/** Poll the page's state (window.__playground) until `pred` holds, failing with the page's error. */
export async function waitState(page: Page, pred: string, timeout = 120000): Promise<void> {
  await page.waitForFunction(
    `(() => { const s = globalThis.__playground; if (!s) return false; if (s.error && !(${pred})) throw new Error("page error: " + s.error); return ${pred}; })()`,
    undefined,
    { timeout, polling: 100 },
  );
}
