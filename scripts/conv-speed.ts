// Speed of the conv kernels at the paper's Table 6 shapes (MNIST CNN, batch 32, one thread):
// conv1 28x28x1 -> 26x26x32 (3x3), conv2 26x26x32 -> 24x24x64 (3x3), valid padding; and the
// 2x2 max pool after conv2. Prints ms per call (the minimum over the repetitions: the machines are
// shared, and the minimum is the least disturbed) and "effective" GFLOP/s: the flops of a direct
// convolution (2 per multiply-add; backward counts dkernel and, where computed, dinp) divided by
// the time, whatever algorithm ran (the 3x3 layers with C, OC multiples of 4 use Winograd
// F(4x4,3x3), which does 4x fewer multiplies in its GEMMs).
//   npm run asbuild && npx tsx scripts/conv-speed.ts [--reps N] [--json]
import { Runtime } from "../src/runtime/runtime.js";

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf("--reps") + 1]) || 30;
const asJson = args.includes("--json");

const rt = await Runtime.load();
const k = rt.k;

function fillRandom(ptr: number, n: number, seed: number): void {
  const a = rt.f32(ptr, n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
}

function time(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn(); // warm up (tier-up)
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return Math.min(...t);
}

interface Row {
  name: string;
  ms: number;
  gflops: number;
}
const rows: Row[] = [];

function conv(name: string, B: number, H: number, W: number, C: number, OC: number, KH: number, KW: number, same: number, withDinp: boolean) {
  const OH = same ? H : H - KH + 1, OW = same ? W : W - KW + 1;
  const inp = rt.alloc(B * H * W * C * 4), out = rt.alloc(B * OH * OW * OC * 4);
  const ker = rt.alloc(KH * KW * C * OC * 4), bias = rt.alloc(OC * 4);
  const dinp = withDinp ? rt.alloc(B * H * W * C * 4) : 0;
  const dker = rt.alloc(KH * KW * C * OC * 4), dbias = rt.alloc(OC * 4);
  const dout = rt.alloc(B * OH * OW * OC * 4);
  const scratch = rt.alloc(Math.max(16, k.conv2d_scratch_bytes(B, H, W, C, OC, KH, KW, same, 1, withDinp ? 1 : 0)));
  fillRandom(inp, B * H * W * C, 1);
  fillRandom(ker, KH * KW * C * OC, 2);
  fillRandom(dout, B * OH * OW * OC, 3);
  const macs = B * OH * OW * OC * KH * KW * C;
  const fwd = time(() => k.conv2d_forward(out, inp, ker, bias, scratch, B, H, W, C, OC, KH, KW, same));
  rows.push({ name: `${name} forward`, ms: fwd, gflops: (2 * macs) / fwd / 1e6 });
  const bwd = time(() => k.conv2d_backward(dinp, dker, dbias, dout, inp, ker, scratch, B, H, W, C, OC, KH, KW, same));
  rows.push({ name: `${name} backward${withDinp ? "" : " (no dinp)"}`, ms: bwd, gflops: (2 * macs * (withDinp ? 2 : 1)) / bwd / 1e6 });
}

conv("conv1 28x28x1->26x26x32", 32, 28, 28, 1, 32, 3, 3, 0, false);
conv("conv2 26x26x32->24x24x64", 32, 26, 26, 32, 64, 3, 3, 0, true);
conv("conv2 same 24x24x32->24x24x64", 32, 24, 24, 32, 64, 3, 3, 1, true);

{
  const B = 32, H = 24, W = 24, C = 64;
  const inp = rt.alloc(B * H * W * C * 4), out = rt.alloc((B * H * W * C) / 4 * 4);
  const idx = rt.alloc((B * H * W * C) / 4 * 4), dinp = rt.alloc(B * H * W * C * 4);
  fillRandom(inp, B * H * W * C, 4);
  const f = time(() => k.maxpool2d_forward(out, idx, inp, B, H, W, C, 2, 2));
  rows.push({ name: "maxpool 2x2 24x24x64 forward", ms: f, gflops: NaN });
  const b = time(() => k.maxpool2d_backward(dinp, out, idx, B, H, W, C, 2, 2));
  rows.push({ name: "maxpool 2x2 24x24x64 backward", ms: b, gflops: NaN });
}

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  for (const r of rows) {
    console.log(`${r.name.padEnd(42)} ${r.ms.toFixed(2).padStart(8)} ms  ${Number.isNaN(r.gflops) ? "" : r.gflops.toFixed(1).padStart(6) + " GFLOP/s (effective)"}`);
  }
  const sum = (prefix: string) => rows.filter((r) => r.name.startsWith(prefix)).reduce((s, r) => s + r.ms, 0);
  console.log(`conv2 forward+backward per batch-32 step: ${sum("conv2 26").toFixed(1)} ms`);
  console.log(`conv1 + conv2 + maxpool, forward+backward: ${(sum("conv1") + sum("conv2 26") + sum("maxpool")).toFixed(1)} ms per batch of 32`);
}
