// A grayscale PNG encoder (8-bit, one IDAT), enough for gate maps; Node's zlib does the deflate.
import { deflateSync } from "node:zlib";
import { crc32 } from "../io/crc32.js";

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** values[h*w] in [0, 1] (clamped) -> PNG bytes, each value drawn as a scale x scale block. */
export function grayPng(values: ArrayLike<number>, w: number, h: number, scale = 1): Uint8Array {
  const W = w * scale;
  const H = h * scale;
  const raw = new Uint8Array(H * (W + 1));
  for (let y = 0; y < H; y++) {
    raw[y * (W + 1)] = 0; // filter: none
    for (let x = 0; x < W; x++) {
      const v = values[Math.floor(y / scale) * w + Math.floor(x / scale)];
      raw[y * (W + 1) + 1 + x] = Math.round(255 * Math.max(0, Math.min(1, v)));
    }
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, W);
  dv.setUint32(4, H);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  const sig = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [sig, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
