import { describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import { grayPng } from "../../src/report/png.js";
import { crc32 } from "../../src/io/crc32.js";

describe("grayPng", () => {
  it("writes a valid 8-bit grayscale PNG whose pixels decode back", () => {
    const v = [0, 0.5, 1, 0.25, 2, -1];
    const png = grayPng(v, 3, 2, 2);
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const dv = new DataView(png.buffer, png.byteOffset);
    let o = 8;
    const chunks: Record<string, Uint8Array> = {};
    while (o < png.length) {
      const len = dv.getUint32(o);
      const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
      const data = png.subarray(o + 8, o + 8 + len);
      expect(dv.getUint32(o + 8 + len)).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
      chunks[type] = data;
      o += 12 + len;
    }
    const ih = new DataView(chunks.IHDR.buffer, chunks.IHDR.byteOffset);
    expect([ih.getUint32(0), ih.getUint32(4), chunks.IHDR[8], chunks.IHDR[9]]).toEqual([6, 4, 8, 0]);
    const raw = inflateSync(chunks.IDAT);
    expect(raw.length).toBe(4 * 7);
    expect(Array.from(raw.subarray(1, 7))).toEqual([0, 0, 128, 128, 255, 255]);
    expect(Array.from(raw.subarray(2 * 7 + 1, 3 * 7))).toEqual([64, 64, 255, 255, 0, 0]);
  });
});
