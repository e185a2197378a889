import type { Graph, Value } from './graph.js';
import { xavierUniform } from './init.js';
import { add, matMul } from './ops.js';

/** Options of {@link linear}. */
export interface LinearOptions {
  /** Add a bias; default true. */
  bias?: boolean;
  /** Seed of the weight initializer; default 0. */
  seed?: number;
}

/** `x @ W + b` over the last axis, with parameters `${name}.weight` `[in, out]` and `${name}.bias` `[out]`. */
export function linear(
  g: Graph,
  x: Value,
  name: string,
  outFeatures: number,
  options: LinearOptions = {},
): Value {
  const inFeatures = x.shape[x.shape.length - 1];
  const weight = g.parameter(
    `${name}.weight`,
    [inFeatures, outFeatures],
    toDtype(xavierUniform(inFeatures * outFeatures, inFeatures, outFeatures, options.seed ?? 0), x),
  );
  const y = matMul(x.shape.length >= 2 ? x : x, weight);
  if (options.bias === false) return y;
  const bias = g.parameter(`${name}.bias`, [outFeatures], toDtype(new Float32Array(outFeatures), x));
  return add(y, bias);
}

function toDtype(values: Float32Array, like: Value): Float32Array | Float64Array {
  return like.dtype === 'float64' ? Float64Array.from(values) : values;
}
