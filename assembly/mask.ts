// What every BSF gate kind shares: the mask draw (bsf.ts: dense and channel gates; bsf_position.ts:
// position gates) and the row product with gate values (bsf.ts, gates.ts). Not a kernel file:
// index.ts does not export it.
import { rngKey, rngU01At, rngU01x4 } from "./rng";

// Draws mask[B,G] (0/1 floats) for G gates w[G]: gate g of sample b is kept when u((row0 + b)*G + g)
// < w[g], u the uniform values of (seed, stream). row0 is the slice's first row in the whole batch,
// so a thread that draws rows row0.. of a batch draws what one thread would for those rows. Four
// draws per f32x4 and a scalar tail per row; both give exactly that value of the stream, so the
// TypeScript side can redraw any mask from (seed, stream).
@inline export function draw_mask(mask: usize, w: usize, B: i32, G: i32, seed: u32, stream: u32, row0: i32): void {
  const key = rngKey(seed, stream);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const base = <u32>(row0 + b) * <u32>G;
    const mrow = mask + ((<usize>b * <usize>G) << 2);
    let g = 0;
    for (; g + 4 <= G; g += 4) {
      const o = <usize>g << 2;
      const u = rngU01x4(key, base + <u32>g);
      v128.store(mrow + o, v128.and(f32x4.lt(u, v128.load(w + o)), one));
    }
    for (; g < G; g++) {
      const keep = rngU01At(key, <u64>(base + <u32>g)) < load<f32>(w + (<usize>g << 2));
      store<f32>(mrow + (<usize>g << 2), keep ? 1 : 0);
    }
  }
}

// y = x * g over C columns, g a row of C gate values (a mask row, an inference gate or a sampled z).
@inline export function mul_row(out: usize, inp: usize, g: usize, C: i32): void {
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const o = <usize>c << 2;
    v128.store(out + o, f32x4.mul(v128.load(inp + o), v128.load(g + o)));
  }
  for (; c < C; c++) {
    const o = <usize>c << 2;
    store<f32>(out + o, load<f32>(inp + o) * load<f32>(g + o));
  }
}
