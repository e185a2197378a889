import { GraphError } from './errors.js';
import type { Graph, Value } from './graph.js';
import { add, concat, cos, mul, reshape, sin, slice, sub } from './ops.js';

/**
 * Rotary position embeddings (RoPE; Su et al., 2021) as Hugging Face's Llama/Qwen2 apply them: the head
 * dimension is split in two halves `x1, x2` and rotated by the angle `position · θ^(-2i/headDim)`:
 * `[x1·cos − x2·sin, x2·cos + x1·sin]` (the `rotate_half` form). Built from differentiable ops, so its VJP
 * is theirs: the transposed rotation.
 */

/** The cosines and sines of {@link rotaryAngles}, `[batch, 1, length, headDim / 2]` each. */
export interface RotaryAngles {
  cos: Value;
  sin: Value;
}

/**
 * Angles for `[batch, length]` float `positions` (so padded or shifted rows can have their own positions):
 * `positions[b, s] · theta^(-2i / headDim)` for `i < headDim / 2`.
 */
export function rotaryAngles(g: Graph, positions: Value, headDim: number, theta = 10000): RotaryAngles {
  if (positions.shape.length !== 2 || headDim % 2 !== 0) {
    throw new GraphError(
      `rotaryAngles: expected [batch, length] positions and an even head dimension, got ${positions.toString()} and ${headDim}`,
    );
  }
  const [batch, length] = positions.shape;
  const half = headDim / 2;
  const inv = Float64Array.from({ length: half }, (_, i) => theta ** ((-2 * i) / headDim));
  const freqs = g.constant(
    positions.dtype === 'float64' ? inv : Float32Array.from(inv),
    [1, 1, half],
    positions.dtype,
  );
  const angles = reshape(mul(reshape(positions, [batch, length, 1]), freqs), [batch, 1, length, half]);
  return { cos: cos(angles), sin: sin(angles) };
}

/** Rotates `[batch, heads, length, headDim]` queries or keys by {@link rotaryAngles}. */
export function applyRotary(x: Value, angles: RotaryAngles): Value {
  const headDim = x.shape[x.shape.length - 1];
  const [batch, , length] = x.shape;
  const want = [batch, 1, length, headDim / 2];
  if (x.shape.length !== 4 || angles.cos.shape.some((d, i) => d !== want[i])) {
    throw new GraphError(
      `applyRotary: expected x [batch, heads, length, headDim] and angles [${want.join(', ')}], got ${x.toString()} and ${angles.cos.toString()}`,
    );
  }
  const half = headDim / 2;
  const x1 = slice(x, -1, 0, half);
  const x2 = slice(x, -1, half, headDim);
  return concat(
    [sub(mul(x1, angles.cos), mul(x2, angles.sin)), add(mul(x2, angles.cos), mul(x1, angles.sin))],
    -1,
  );
}
