// bench/summary.json and the headline table of RESULTS.md (issue 12, "What it must show"), from
// the figures of one `npm run bench` run. Pure: everything measured comes in as arguments, so the
// assembly (and what it says when a peer or a suite is missing) is tested without timing anything.
import type { PeerResults } from "./peers/peers.js";
import { assembleCeiling, type CeilingMeasured, type CeilingSummary } from "./ceiling/ceilings.js";

export type Num = number | null;
type GemmSet = { "512": Num; "1024": Num; tn: Num };

export interface LoadFigures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  rssGrowthMiB: number | null;
}

export interface Summary {
  cnnTwoThreadSpeedup: { b32: Num; b128: Num };
  gemmGflops: { simd128: GemmSet; relaxed: GemmSet };
  inferB256VsOrt: { musk2: Num; kdd99: Num; cnn: Num };
  musk2B128: { steadyOverFresh: Num; overTorch1t: Num };
  cnnB1VsOrt: Num;
  load: { rps: Num; p50: Num; p99: Num; errors: Num; rssGrowthMiB: Num };
  /** what this machine's instruction sets allow: the wasm peak, the peers' SGEMM and, for each
   * target above, the best ratio one thread could reach at that peak (bench/ceiling/) */
  ceiling: CeilingSummary;
  /** measured on two threads against a peer on one (or two, where it ran on two): beside the
   * one-thread targets, never in their place */
  twoThreads: TwoThreadRows;
  commit: string;
  date: string;
  /** why a value is null, keyed by its path ("gemmGflops.relaxed.512") */
  reasons: Record<string, string>;
}

export interface TwoThreadRows {
  /** bsfnet on two threads / PyTorch on one, Musk2 net training at batch 128 */
  musk2B128OverTorch1t: { fresh: Num; steady: Num };
  /** bsfnet on two threads / onnxruntime-node on one and on two, inference at batch 256 and the
   * CNN at batch 1: only when the peers measured those engines */
  inferB256VsOrt1t?: { musk2: Num; kdd99: Num; cnn: Num };
  inferB256VsOrt2t?: { musk2: Num; kdd99: Num; cnn: Num };
  cnnB1VsOrt1t?: Num;
  cnnB1VsOrt2t?: Num;
}

/** Engine names of the two-thread rows: bsfnet's default engine plus " 2t"; onnxruntime-node on two. */
export const ORT_2T = "ort 2t";

/** A suite's figures, or null and why. */
export type Maybe<T> = { value: T; reason?: undefined } | { value: null; reason: string };

export interface SummaryInput {
  peers: Maybe<PeerResults>;
  /** measureThreads({ quick }) of bench/train/threads.ts */
  threads: Maybe<{ cnn?: { b32?: number; b128?: number } }>;
  gemm: {
    simd128: Maybe<Partial<Record<"512" | "1024" | "tn", number>>>;
    relaxed: Maybe<Partial<Record<"512" | "1024" | "tn", number>>>;
  };
  load: Maybe<LoadFigures>;
  /** bench/ceiling/ceiling.ts measureCeiling; the ceilings use this run's peers */
  ceiling?: Maybe<CeilingMeasured>;
  commit: string;
  date: string;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** a / b, or null and why. */
function ratio(a: Num | undefined, b: Num | undefined, whatA: string, whatB: string): Maybe<number> {
  if (!finite(a)) return { value: null, reason: `${whatA} not measured` };
  if (!finite(b) || b <= 0) return { value: null, reason: `${whatB} not measured` };
  return { value: a / b };
}

export function trainFigure(p: PeerResults, net: string, B: number, engine: string, kind: "fresh" | "steady"): Num {
  return p.train.find((r) => r.net === net && r.B === B && r.engine === engine)?.[kind] ?? null;
}

export function inferFigure(p: PeerResults, net: string, B: number, engine: string): Num {
  return p.infer.find((r) => r.net === net && r.B === B && r.engine === engine)?.sps ?? null;
}

/** Why an engine has no figure: its note, else "not measured". */
const noteOf = (p: PeerResults, engine: string) => p.notes[engine] ?? `${engine} not measured`;

export function assembleSummary(i: SummaryInput): Summary {
  const reasons: Record<string, string> = {};
  const take = (key: string, m: Maybe<number>): Num => {
    if (m.value === null) reasons[key] = m.reason;
    return m.value;
  };
  const peerRatio = (key: string, f: (p: PeerResults) => Maybe<number>): Num =>
    take(key, i.peers.value ? f(i.peers.value) : { value: null, reason: `peers: ${i.peers.reason}` });

  const thr = (b: "b32" | "b128"): Num => {
    if (i.threads.value === null) return take(`cnnTwoThreadSpeedup.${b}`, { value: null, reason: i.threads.reason });
    const v = i.threads.value.cnn?.[b];
    return take(
      `cnnTwoThreadSpeedup.${b}`,
      finite(v) ? { value: v } : { value: null, reason: `measureThreads gave no cnn.${b}` },
    );
  };
  const gemm = (build: "simd128" | "relaxed"): GemmSet => {
    const g = i.gemm[build];
    const one = (s: "512" | "1024" | "tn"): Num => {
      const key = `gemmGflops.${build}.${s}`;
      if (g.value === null) return take(key, { value: null, reason: g.reason });
      const v = g.value[s];
      return take(key, finite(v) ? { value: v } : { value: null, reason: `no ${s} figure` });
    };
    return { "512": one("512"), "1024": one("1024"), tn: one("tn") };
  };
  const vsOrt = (net: string, B: number) => (p: PeerResults) =>
    ratio(
      inferFigure(p, net, B, p.defaultEngine),
      inferFigure(p, net, B, "ort 1t"),
      p.defaultEngine,
      noteOf(p, "ort 1t"),
    );
  const loadKey = (k: keyof LoadFigures): Num => {
    if (i.load.value === null) return take(`load.${k}`, { value: null, reason: i.load.reason });
    const v = i.load.value[k];
    return take(`load.${k}`, finite(v) ? { value: v } : { value: null, reason: `the load test gave no ${k}` });
  };

  const p = i.peers.value;
  const twoT = p ? `${p.defaultEngine} 2t` : "";
  const twoTrain = (kind: "fresh" | "steady"): Num =>
    peerRatio(`twoThreads.musk2B128OverTorch1t.${kind}`, (q) =>
      ratio(
        trainFigure(q, "musk2", 128, twoT, kind),
        trainFigure(q, "musk2", 128, "torch 1t", kind),
        q.notes[twoT] ?? `${twoT} not measured`,
        noteOf(q, "torch 1t"),
      ),
    );
  const twoThreads: TwoThreadRows = { musk2B128OverTorch1t: { fresh: twoTrain("fresh"), steady: twoTrain("steady") } };
  const has = (engine: string) => !!p?.infer.some((r) => r.engine === engine && r.sps !== null);
  for (const [peer, key, b1] of [
    ["ort 1t", "inferB256VsOrt1t", "cnnB1VsOrt1t"],
    [ORT_2T, "inferB256VsOrt2t", "cnnB1VsOrt2t"],
  ] as const) {
    if (!p || !has(twoT) || !has(peer)) continue;
    const r = (net: string, B: number) => {
      const a = inferFigure(p, net, B, twoT);
      const b = inferFigure(p, net, B, peer);
      return finite(a) && finite(b) && b > 0 ? a / b : null;
    };
    twoThreads[key] = { musk2: r("musk2", 256), kdd99: r("kdd99", 256), cnn: r("cnn", 256) };
    twoThreads[b1] = r("cnn", 1);
  }
  const ceiling = assembleCeiling(
    {
      measured: i.ceiling ?? { value: null, reason: "ceiling not measured" },
      peers: i.peers,
      peersSource: "this run",
    },
    reasons,
  );

  return {
    cnnTwoThreadSpeedup: { b32: thr("b32"), b128: thr("b128") },
    gemmGflops: { simd128: gemm("simd128"), relaxed: gemm("relaxed") },
    inferB256VsOrt: {
      musk2: peerRatio("inferB256VsOrt.musk2", vsOrt("musk2", 256)),
      kdd99: peerRatio("inferB256VsOrt.kdd99", vsOrt("kdd99", 256)),
      cnn: peerRatio("inferB256VsOrt.cnn", vsOrt("cnn", 256)),
    },
    musk2B128: {
      steadyOverFresh: peerRatio("musk2B128.steadyOverFresh", (p) =>
        ratio(
          trainFigure(p, "musk2", 128, p.defaultEngine, "steady"),
          trainFigure(p, "musk2", 128, p.defaultEngine, "fresh"),
          `${p.defaultEngine} steady`,
          `${p.defaultEngine} fresh`,
        ),
      ),
      overTorch1t: peerRatio("musk2B128.overTorch1t", (p) =>
        ratio(
          trainFigure(p, "musk2", 128, p.defaultEngine, "steady"),
          trainFigure(p, "musk2", 128, "torch 1t", "steady"),
          p.defaultEngine,
          noteOf(p, "torch 1t"),
        ),
      ),
    },
    cnnB1VsOrt: peerRatio("cnnB1VsOrt", vsOrt("cnn", 1)),
    load: {
      rps: loadKey("rps"),
      p50: loadKey("p50"),
      p99: loadKey("p99"),
      errors: loadKey("errors"),
      rssGrowthMiB: loadKey("rssGrowthMiB"),
    },
    ceiling,
    twoThreads,
    commit: i.commit,
    date: i.date,
    reasons,
  };
}

export interface Check {
  target: string;
  measured: string;
  /** null: could not be checked (a figure is missing) */
  met: boolean | null;
  /** the best this machine allows one thread (bench/ceiling/ceilings.ts), "–" where no ceiling applies */
  ceiling: string;
  /** a row measured on two threads beside a one-thread target: for reference, not checked */
  reference?: boolean;
}

/** RSS growth over the load test that still counts as flat: 8 MiB or a tenth of the starting RSS,
 * whichever is larger (a V8 heap's collection sawtooth alone spans about a tenth). */
export function flatLimitMiB(startMiB: number | null | undefined): number {
  return Math.max(8, 0.1 * (startMiB ?? 0));
}

const x2 = (v: number) => `${v.toFixed(2)}×`;

/** The issue's headline checks, each as target / measured / met. */
export function headlineChecks(s: Summary, peers: PeerResults | null, loadStartMiB: number | null = null): Check[] {
  const out: Check[] = [];
  const all = (vals: Num[], ok: (v: number) => boolean, why: string[]): Check["met"] | string => {
    if (vals.some((v) => v === null)) return why.filter(Boolean).join("; ") || "not measured";
    return vals.every((v) => ok(v as number));
  };
  const push = (
    target: string,
    vals: Num[],
    labels: string[],
    fmt: (v: number) => string,
    ok: (v: number) => boolean,
    why: string[],
    ceiling = "–",
  ) => {
    const r = all(vals, ok, why);
    const measured = vals.map((v, k) => `${labels[k]} ${v === null ? "–" : fmt(v)}`).join(", ");
    out.push({
      target,
      measured: typeof r === "string" ? `${measured} (${r})` : measured,
      met: typeof r === "string" ? null : r,
      ceiling,
    });
  };
  const R = s.reasons;
  const C = s.ceiling;
  // a ceiling cell: each figure with its label, or "–" and the reason
  const cells = (vals: Num[], labels: string[], keys: string[], prefix = "") =>
    vals
      .map((v, k) => `${prefix}${labels[k]} ${v === null ? `– (${R[`ceiling.${keys[k]}`] ?? "not measured"})` : x2(v)}`)
      .join(", ");
  const peakCell = (b: "simd128" | "relaxed") => {
    const v = C.wasmPeakGflops[b];
    // the simd128 loop has its multiply on the chain: a GEMM (products off the chain) may pass it
    const what = b === "relaxed" ? "fused multiply-add loop" : "multiply-then-add loop";
    return v === null ? `– (${R[`ceiling.wasmPeakGflops.${b}`]})` : `wasm peak ${v.toFixed(1)} (${what})`;
  };
  push(
    "two threads ≥ 1.7× one thread, Table 6 CNN training, batch 32 and 128",
    [s.cnnTwoThreadSpeedup.b32, s.cnnTwoThreadSpeedup.b128],
    ["b32", "b128"],
    x2,
    (v) => v >= 1.7,
    [R["cnnTwoThreadSpeedup.b32"]],
    "2.00× (two cores)",
  );
  // bsfnet on two threads against PyTorch on two, every training row
  if (peers) {
    const twoT = `${peers.defaultEngine} 2t`;
    const rows = peers.trainBatches.flatMap((B) => ["musk2", "kdd99", "cnn"].map((net) => ({ net, B })));
    const vals = rows.map(({ net, B }) => {
      const a = trainFigure(peers, net, B, twoT, "steady");
      const b = trainFigure(peers, net, B, "torch 2t", "steady");
      return finite(a) && finite(b) ? a / b : null;
    });
    const why = [peers.notes[twoT], peers.notes["torch 2t"]].filter((w): w is string => !!w);
    const worst = vals.every(finite) ? Math.min(...(vals as number[])) : null;
    push(
      "two threads ahead of PyTorch on two threads on every training row (steady state)",
      [worst],
      [`worst of ${rows.length} rows`],
      x2,
      (v) => v >= 1,
      why,
    );
  }
  for (const [build, min] of [
    ["simd128", 40],
    ["relaxed", 48],
  ] as const) {
    const g = s.gemmGflops[build];
    push(
      `GEMM ≥ ${min} GFLOP/s (${build}) at 512³, 1024³ and the tn kernel-gradient shape`,
      [g["512"], g["1024"], g.tn],
      ["512³", "1024³", "tn"],
      (v) => v.toFixed(1),
      (v) => v >= min,
      [R[`gemmGflops.${build}.512`]],
      peakCell(build),
    );
  }
  const inf = s.inferB256VsOrt;
  push(
    "inference at batch 256 ≥ 0.5× onnxruntime-node on the MLPs",
    [inf.musk2, inf.kdd99],
    ["Musk2", "KDD99"],
    x2,
    (v) => v >= 0.5,
    [R["inferB256VsOrt.musk2"]],
    cells(
      [C.inferB256VsOrt.musk2, C.inferB256VsOrt.kdd99],
      ["Musk2", "KDD99"],
      ["inferB256VsOrt.musk2", "inferB256VsOrt.kdd99"],
    ),
  );
  push(
    "inference at batch 256 ≥ 1.0× onnxruntime-node on the CNN (relaxed)",
    [inf.cnn],
    ["CNN"],
    x2,
    (v) => v >= 1,
    [R["inferB256VsOrt.cnn"]],
    cells([C.inferB256VsOrt.cnn], ["CNN"], ["inferB256VsOrt.cnn"]),
  );
  if (peers) {
    const e = peers.defaultEngine;
    const fresh = ratio(
      trainFigure(peers, "musk2", 128, e, "fresh"),
      trainFigure(peers, "musk2", 128, "torch 1t", "fresh"),
      e,
      "torch 1t",
    );
    push(
      `Musk2 net, batch 128, ≥ 1.0× PyTorch one thread (${e}), fresh and steady state`,
      [fresh.value, s.musk2B128.overTorch1t],
      ["fresh", "steady"],
      x2,
      (v) => v >= 1,
      [fresh.reason ?? "", R["musk2B128.overTorch1t"]],
      cells(
        [C.musk2B128.overTorch1tFresh, C.musk2B128.overTorch1t],
        ["fresh", "steady"],
        ["musk2B128.overTorch1tFresh", "musk2B128.overTorch1t"],
      ),
    );
    const two = s.twoThreads.musk2B128OverTorch1t;
    const ceil2 = C.twoThreads.musk2B128OverTorch1t;
    out.push({
      target: `for reference, **two threads** against one: Musk2 net, batch 128, ${e} 2t / PyTorch **one** thread`,
      measured: `fresh ${two.fresh === null ? `– (${R["twoThreads.musk2B128OverTorch1t.fresh"]})` : x2(two.fresh)}, steady ${two.steady === null ? "–" : x2(two.steady)}`,
      met: two.steady === null ? null : two.steady >= 1,
      ceiling: `two threads: steady ${ceil2 === null ? `– (${R["ceiling.twoThreads.musk2B128OverTorch1t"]})` : x2(ceil2)}`,
      reference: true,
    });
  }
  push(
    "CNN inference at batch 1 ≥ 1.0× onnxruntime-node",
    [s.cnnB1VsOrt],
    ["CNN b1"],
    x2,
    (v) => v >= 1,
    [R.cnnB1VsOrt],
    cells([C.cnnB1VsOrt], ["CNN b1"], ["cnnB1VsOrt"]),
  );
  // two-thread inference rows, where the peers measured them (bsfnet's default engine on two threads)
  const t = s.twoThreads;
  for (const [rows, b1, peer] of [
    [t.inferB256VsOrt1t, t.cnnB1VsOrt1t, "onnxruntime-node **one** thread"],
    [t.inferB256VsOrt2t, t.cnnB1VsOrt2t, "onnxruntime-node on two threads"],
  ] as const) {
    if (!rows) continue;
    const f = (v: Num | undefined) => (v === null || v === undefined ? "–" : x2(v));
    out.push({
      target: `for reference, **two threads**: inference, bsfnet on two threads / ${peer}, batch 256 and the CNN at batch 1`,
      measured: `Musk2 ${f(rows.musk2)}, KDD99 ${f(rows.kdd99)}, CNN ${f(rows.cnn)}, CNN b1 ${f(b1)}`,
      met: null,
      ceiling: "–",
      reference: true,
    });
  }
  const L = s.load;
  const limit = flatLimitMiB(loadStartMiB);
  const loadOk = L.errors === null ? null : L.errors === 0 && L.rssGrowthMiB !== null && L.rssGrowthMiB <= limit;
  out.push({
    target: `load test: 0 errors, p99 reported, workerd's memory flat (RSS growth ≤ ${limit.toFixed(0)} MiB: 8 or a tenth of the start)`,
    measured:
      L.errors === null
        ? `– (${R["load.errors"]})`
        : `${L.errors} errors, p99 ${L.p99?.toFixed(1)} ms, ${L.rps?.toFixed(0)} requests/s, RSS growth ${L.rssGrowthMiB?.toFixed(1)} MiB`,
    met: loadOk,
    ceiling: "–",
  });
  return out;
}

export function checksMarkdown(checks: Check[]): string[] {
  const met = (c: Check) =>
    c.reference
      ? `(two threads: not the target's terms${c.met === null ? "" : c.met ? "; above 1" : "; below 1"})`
      : c.met === null
        ? "not measured"
        : c.met
          ? "yes"
          : "**no**";
  return [
    "| target | measured | met? | ceiling on this machine (one thread) |",
    "|---|---|---|---|",
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${met(c)} | ${c.ceiling} |`),
  ];
}
