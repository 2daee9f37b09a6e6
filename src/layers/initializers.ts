// Weight initialization from the in-wasm counter PRNG, so a seed fixes every initial weight.
import type { Runtime } from "../runtime/runtime.js";
import type { Param } from "./layer.js";
import { ConfigError } from "../errors.js";

export function initParam(rt: Runtime, p: Param, seed: number, stream: number): void {
  const k = rt.k;
  const init = p.init;
  const [fanIn, fanOut] = p.fans ?? [p.size, p.size];
  switch (init.kind) {
    case "zeros":
      k.fill_f32(p.ptr, p.size, 0);
      return;
    case "values":
      if (init.values.length !== p.size)
        throw new ConfigError(`parameter ${p.name}: ${init.values.length} initial values for ${p.size} elements`);
      rt.f32(p.ptr, p.size).set(init.values);
      return;
    case "constant":
      k.fill_f32(p.ptr, p.size, init.value);
      return;
    case "glorotUniform":
    case "uniform": {
      const [lo, hi] =
        init.kind === "uniform" ? [init.min, init.max] : ((l) => [-l, l])(Math.sqrt(6 / (fanIn + fanOut)));
      k.rng_uniform(p.ptr, p.size, seed, stream);
      const v = rt.f32(p.ptr, p.size);
      for (let i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * v[i];
      return;
    }
    case "heNormal":
      k.rng_normal(p.ptr, p.size, seed, stream, 0, Math.sqrt(2 / fanIn));
      return;
    default:
      throw new ConfigError(`parameter ${p.name}: unknown initializer ${JSON.stringify(init)}`);
  }
}
