// A 32-bit seed from a parameter name (FNV-1a) with the model seed mixed in.
import { seedFromName as seedOf } from '@roboalign/utils';
import { GraphError } from './errors.js';
import type { Graph, Value } from './graph.js';
import { normalInit, xavierUniform } from './init.js';
import {
  add,
  cast,
  cos,
  div,
  erf,
  gather,
  geluExact,
  greater,
  layerNormalization,
  matMul,
  mul,
  randomUniformLike,
  reduceMean,
  reshape,
  rmsNormalization,
  sigmoid,
  sin,
  softmax,
  sqrt,
  sub,
  tanh,
  transpose,
  transposeLast,
} from './ops.js';

/**
 * Layers as small functions over the builder. Parameters are named hierarchically from `name`
 * (`blocks.3.attn.q.weight`) and initialized from a seed derived from that name, so a model's
 * initialization does not depend on the order layers are built in.
 */

function typed(values: Float32Array, like: Value): Float32Array | Float64Array {
  return like.dtype === 'float64' ? Float64Array.from(values) : values;
}

const last = (x: Value) => x.shape[x.shape.length - 1];

/** Options shared by the layers. */
export interface LayerOptions {
  /** Model seed mixed into every parameter's seed; default 0. */
  seed?: number;
  /** Float type of parameters a layer creates from ids (embeddings); default float32. */
  dtype?: 'float32' | 'float64';
}

/** Options of {@link linear}. */
export interface LinearOptions extends LayerOptions {
  /** Add a bias; default true. */
  bias?: boolean;
}

/** `x @ W + b` over the last axis, with `${name}.weight` `[in, out]` (Xavier) and `${name}.bias` `[out]` (zeros). */
export function linear(
  g: Graph,
  x: Value,
  name: string,
  outFeatures: number,
  options: LinearOptions = {},
): Value {
  const inFeatures = last(x);
  const w = g.parameter(
    `${name}.weight`,
    [inFeatures, outFeatures],
    typed(
      xavierUniform(
        inFeatures * outFeatures,
        inFeatures,
        outFeatures,
        seedOf(`${name}.weight`, options.seed ?? 0),
      ),
      x,
    ),
  );
  // Batch and time are flattened into one [rows, in] matrix, so the weight gradient is a single
  // [in, rows] @ [rows, out] product instead of one product per batch entry summed afterwards.
  const leading = x.shape.slice(0, -1);
  const rows = leading.reduce((n, d) => n * d, 1);
  const flat = x.shape.length > 2 ? reshape(x, [rows, inFeatures]) : x;
  let y = matMul(flat, w);
  if (options.bias !== false) {
    y = add(y, g.parameter(`${name}.bias`, [outFeatures], typed(new Float32Array(outFeatures), x)));
  }
  return x.shape.length > 2 ? reshape(y, [...leading, outFeatures]) : y;
}

/** Layer normalization over the last axis with `${name}.weight` (ones) and `${name}.bias` (zeros). */
export function layerNorm(g: Graph, x: Value, name: string, eps = 1e-5): Value {
  const d = last(x);
  const weight = g.parameter(`${name}.weight`, [d], typed(new Float32Array(d).fill(1), x));
  const bias = g.parameter(`${name}.bias`, [d], typed(new Float32Array(d), x));
  if (x.dtype === 'float32') return layerNormalization(x, weight, bias, eps);
  return add(mul(layerNormComposed(g, x, eps), weight), bias);
}

/** RMS normalization over the last axis with `${name}.weight` (ones). */
export function rmsNorm(g: Graph, x: Value, name: string, eps = 1e-6): Value {
  const d = last(x);
  const weight = g.parameter(`${name}.weight`, [d], typed(new Float32Array(d).fill(1), x));
  if (x.dtype === 'float32') return rmsNormalization(x, weight, eps);
  const rms = sqrt(add(reduceMean(mul(x, x), [-1], true), g.scalar(eps, x)));
  return mul(div(x, rms), weight);
}

/**
 * GELU: exact `0.5 · x · (1 + erf(x / √2))` by default, or PyTorch's `approximate="tanh"` form
 * `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³)))`. (ONNX Runtime's CPU Erf has no float64 kernel.)
 */
export function gelu(x: Value, approximate: 'none' | 'tanh' = 'none'): Value {
  if (approximate === 'none' && x.dtype === 'float32') return geluExact(x);
  const g = x.graph;
  const c = (v: number) => g.scalar(v, x);
  const inner =
    approximate === 'tanh'
      ? tanh(mul(c(Math.sqrt(2 / Math.PI)), add(x, mul(c(0.044715), mul(x, mul(x, x))))))
      : erf(mul(x, c(Math.SQRT1_2)));
  return mul(mul(c(0.5), x), add(c(1), inner));
}

/** SiLU (swish), `x · sigmoid(x)`. */
export const silu = (x: Value): Value => mul(x, sigmoid(x));

/** Token embedding: rows of `${name}.weight` `[vocab, dim]` (normal, std 0.02) picked by int64 ids. */
export function embedding(
  g: Graph,
  ids: Value,
  name: string,
  vocab: number,
  dim: number,
  options: LayerOptions = {},
): Value {
  const init = normalInit(vocab * dim, 0.02, seedOf(`${name}.weight`, options.seed ?? 0));
  const table = g.parameter(
    `${name}.weight`,
    [vocab, dim],
    options.dtype === 'float64' ? Float64Array.from(init) : init,
  );
  return gather(table, ids);
}

/** A learned position embedding `${name}.weight` `[length, dim]` added to `[batch, length, dim]` inputs. */
export function learnedPositions(g: Graph, x: Value, name: string, options: LayerOptions = {}): Value {
  const [length, dim] = x.shape.slice(-2);
  const table = g.parameter(
    `${name}.weight`,
    [length, dim],
    typed(normalInit(length * dim, 0.02, seedOf(`${name}.weight`, options.seed ?? 0)), x),
  );
  return add(x, table);
}

/** Sinusoidal embedding of a `[batch]` float timestep: `[batch, dim]`, sines then cosines (DiT / GR00T style). */
export function sinusoidalTimestep(g: Graph, t: Value, dim: number, maxPeriod = 10000): Value {
  if (t.shape.length !== 1 || dim % 2 !== 0) {
    throw new GraphError(
      `sinusoidalTimestep: expected a [batch] timestep and an even dim, got ${t.toString()} and ${dim}`,
    );
  }
  const half = dim / 2;
  const freqs = Float64Array.from({ length: half }, (_, i) => Math.exp((-Math.log(maxPeriod) * i) / half));
  const f = g.constant(t.dtype === 'float64' ? freqs : Float32Array.from(freqs), [1, half], t.dtype);
  const args = mul(reshape(t, [t.shape[0], 1]), f);
  return concatLast(g, sin(args), cos(args));
}

/** `[a, b]` along the last axis, built from matrix products with constant selectors (differentiable without Concat). */
function concatLast(g: Graph, a: Value, b: Value): Value {
  const da = last(a);
  const db = last(b);
  const sel = (offset: number, n: number) => {
    const m = new Float64Array(n * (da + db));
    for (let i = 0; i < n; i++) m[i * (da + db) + offset + i] = 1;
    return g.constant(a.dtype === 'float64' ? m : Float32Array.from(m), [n, da + db], a.dtype);
  };
  return add(matMul(a, sel(0, da)), matMul(b, sel(da, db)));
}

/** Options of {@link multiHeadAttention}. */
export interface AttentionOptions extends LayerOptions {
  heads: number;
  /** Mask future positions (self-attention in a decoder). */
  causal?: boolean;
  /** Attend to this `[batch, memory, dimMemory]` instead of `x` (cross-attention). */
  memory?: Value;
  /** `[batch, memory]` float mask, 1 for real keys and 0 for padding: padded keys get no attention. */
  keyPaddingMask?: Value;
}

const NEG = -1e9;

/**
 * Multi-head attention over `[batch, length, dim]`: separate q, k, v projections (`${name}.q` …),
 * scaled dot products, optional causal and key-padding masks (added as large negative logits),
 * softmax, and the output projection `${name}.out`.
 */
export function multiHeadAttention(g: Graph, x: Value, name: string, options: AttentionOptions): Value {
  const [batch, length, dim] = x.shape;
  const { heads } = options;
  if (x.shape.length !== 3 || dim % heads !== 0) {
    throw new GraphError(
      `multiHeadAttention ${name}: expected [batch, length, dim] with dim divisible by ${heads} heads, got ${x.toString()}`,
    );
  }
  const memory = options.memory ?? x;
  const keys = memory.shape[1];
  const headDim = dim / heads;
  const split = (v: Value, n: number) => transpose(reshape(v, [batch, n, heads, headDim]), [0, 2, 1, 3]);
  const q = split(linear(g, x, `${name}.q`, dim, options), length);
  const k = split(linear(g, memory, `${name}.k`, dim, options), keys);
  const v = split(linear(g, memory, `${name}.v`, dim, options), keys);
  let scores = div(matMul(q, transposeLast(k)), g.scalar(Math.sqrt(headDim), x));
  if (options.causal) {
    const mask = new Float64Array(length * keys);
    for (let i = 0; i < length; i++) for (let j = i + 1; j < keys; j++) mask[i * keys + j] = NEG;
    scores = add(
      scores,
      g.constant(x.dtype === 'float64' ? mask : Float32Array.from(mask), [length, keys], x.dtype),
    );
  }
  if (options.keyPaddingMask !== undefined) {
    const m = options.keyPaddingMask;
    if (m.shape.length !== 2 || m.shape[0] !== batch || m.shape[1] !== keys) {
      throw new GraphError(
        `multiHeadAttention ${name}: keyPaddingMask must be [${batch}, ${keys}], got ${m.toString()}`,
      );
    }
    const penalty = mul(sub(g.scalar(1, x), m), g.scalar(NEG, x));
    scores = add(scores, reshape(penalty, [batch, 1, 1, keys]));
  }
  const attended = matMul(softmax(scores, -1), v);
  const merged = reshape(transpose(attended, [0, 2, 1, 3]), [batch, length, dim]);
  return linear(g, merged, `${name}.out`, dim, options);
}

/** Options of {@link transformerBlock}. */
export interface BlockOptions extends LayerOptions {
  heads: number;
  /** Hidden width of the MLP as a multiple of the model width; default 4. */
  mlpRatio?: number;
  causal?: boolean;
  /** `[batch, length]` float mask of real tokens for the self-attention (see {@link AttentionOptions}). */
  keyPaddingMask?: Value;
  /** GELU form; default exact (`'none'`). */
  geluApproximate?: 'none' | 'tanh';
}

/** A pre-norm transformer block: `x + attn(ln1(x))`, then `+ mlp(ln2(·))` with a GELU MLP. */
export function transformerBlock(g: Graph, x: Value, name: string, options: BlockOptions): Value {
  const h = add(x, multiHeadAttention(g, layerNorm(g, x, `${name}.ln1`), `${name}.attn`, options));
  return mlpResidual(g, h, name, options);
}

/** The block's second half: `h + fc2(gelu(fc1(ln2(h))))`. */
function mlpResidual(g: Graph, h: Value, name: string, options: BlockOptions): Value {
  const dim = last(h);
  const hidden = gelu(
    linear(g, layerNorm(g, h, `${name}.ln2`), `${name}.mlp.fc1`, dim * (options.mlpRatio ?? 4), options),
    options.geluApproximate,
  );
  return add(h, linear(g, hidden, `${name}.mlp.fc2`, dim, options));
}

/** Layer normalization without learned scale and shift (for AdaLN). */
export function layerNormPlain(g: Graph, x: Value, eps = 1e-6): Value {
  if (x.dtype === 'float32') {
    const d = last(x);
    const ones = g.constant(new Float32Array(d).fill(1), [d], 'float32');
    return layerNormalization(x, ones, g.constant(new Float32Array(d), [d], 'float32'), eps);
  }
  return layerNormComposed(g, x, eps);
}

/** `(x - mean) / sqrt(var + eps)` over the last axis from elementwise ops (float64: no fused kernel). */
function layerNormComposed(g: Graph, x: Value, eps: number): Value {
  const centered = sub(x, reduceMean(x, [-1], true));
  const variance = reduceMean(mul(centered, centered), [-1], true);
  return div(centered, sqrt(add(variance, g.scalar(eps, x))));
}

/**
 * Adaptive LayerNorm (DiT / GR00T): `norm(x) · (1 + scale) + shift`, where `[scale, shift]` come from
 * `${name}.linear(silu(cond))`. `x` is `[batch, length, dim]`, `cond` is `[batch, condDim]`.
 */
export function adaLayerNorm(
  g: Graph,
  x: Value,
  cond: Value,
  name: string,
  options: LayerOptions = {},
): Value {
  const [batch, , dim] = x.shape;
  if (x.shape.length !== 3 || cond.shape.length !== 2 || cond.shape[0] !== batch) {
    throw new GraphError(
      `adaLayerNorm ${name}: expected x [batch, length, dim] and cond [batch, c], got ${x.toString()} and ${cond.toString()}`,
    );
  }
  const c = silu(cond);
  const scale = reshape(linear(g, c, `${name}.scale`, dim, options), [batch, 1, dim]);
  const shift = reshape(linear(g, c, `${name}.shift`, dim, options), [batch, 1, dim]);
  return add(mul(layerNormPlain(g, x), add(g.scalar(1, x), scale)), shift);
}

/**
 * Patch embedding of images `[batch, channels, height, width]` (ViT): non-overlapping `patch × patch`
 * patches, flattened and projected by `${name}` to `[batch, patches, dim]`.
 */
export function patchEmbedding(
  g: Graph,
  images: Value,
  name: string,
  patch: number,
  dim: number,
  options: LayerOptions = {},
): Value {
  const [batch, channels, height, width] = images.shape;
  if (images.shape.length !== 4 || height % patch !== 0 || width % patch !== 0) {
    throw new GraphError(
      `patchEmbedding ${name}: expected [batch, channels, height, width] divisible by patch ${patch}, got ${images.toString()}`,
    );
  }
  const ph = height / patch;
  const pw = width / patch;
  const grid = reshape(images, [batch, channels, ph, patch, pw, patch]);
  const patches = transpose(grid, [0, 2, 4, 1, 3, 5]); // [batch, ph, pw, channels, patch, patch]
  const flat = reshape(patches, [batch, ph * pw, channels * patch * patch]);
  return linear(g, flat, name, dim, options);
}

/**
 * Inverted dropout: in training, zero each element with probability `p` and scale the rest by 1/(1-p);
 * off (the identity) when `training` is false, so an inference export has no dropout.
 */
export function dropout(x: Value, p: number, training: boolean, seed = 0): Value {
  if (!(p >= 0 && p < 1)) throw new GraphError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keep = cast(greater(randomUniformLike(x, seed), x.graph.scalar(p, x)), x.dtype);
  return mul(x, div(keep, x.graph.scalar(1 - p, x)));
}

/** A key/value cache for one attention layer during step-by-step decoding. */
export interface AttentionCache {
  /** `[batch, heads, maxLength, headDim]` keys of earlier positions (graph input). */
  pastKey: Value;
  /** `[batch, heads, maxLength, headDim]` values of earlier positions (graph input). */
  pastValue: Value;
  /** `[1, 1, maxLength, 1]` one-hot float of the position being written (graph input). */
  writeMask: Value;
  /** `[batch, maxLength]` float, 1 for positions up to and including the current one (graph input). */
  validMask: Value;
}

/**
 * One decoding step of causal self-attention with a key/value cache: `x` is `[batch, 1, dim]` (the new
 * token). The new key and value are written into the cache at the current position, the token attends to
 * every valid position, and the updated cache is returned for the next step. Parameter names are those of
 * {@link multiHeadAttention}, so weights trained with the full-sequence graph load as they are.
 */
export function cachedSelfAttention(
  g: Graph,
  x: Value,
  name: string,
  options: LayerOptions & { heads: number; cache: AttentionCache },
): { output: Value; key: Value; value: Value } {
  const [batch, one, dim] = x.shape;
  const { heads, cache } = options;
  if (x.shape.length !== 3 || one !== 1 || dim % heads !== 0) {
    throw new GraphError(
      `cachedSelfAttention ${name}: expected [batch, 1, dim] with dim divisible by ${heads}, got ${x.toString()}`,
    );
  }
  const headDim = dim / heads;
  const maxLength = cache.pastKey.shape[2];
  const split = (v: Value) => transpose(reshape(v, [batch, 1, heads, headDim]), [0, 2, 1, 3]);
  const q = split(linear(g, x, `${name}.q`, dim, options));
  const kNew = split(linear(g, x, `${name}.k`, dim, options));
  const vNew = split(linear(g, x, `${name}.v`, dim, options));
  const keep = sub(g.scalar(1, x), cache.writeMask);
  const key = add(mul(cache.pastKey, keep), mul(kNew, cache.writeMask));
  const value = add(mul(cache.pastValue, keep), mul(vNew, cache.writeMask));
  let scores = div(matMul(q, transposeLast(key)), g.scalar(Math.sqrt(headDim), x));
  const penalty = mul(sub(g.scalar(1, x), cache.validMask), g.scalar(NEG, x));
  scores = add(scores, reshape(penalty, [batch, 1, 1, maxLength]));
  const attended = matMul(softmax(scores, -1), value);
  const merged = reshape(transpose(attended, [0, 2, 1, 3]), [batch, 1, dim]);
  return { output: linear(g, merged, `${name}.out`, dim, options), key, value };
}

/** {@link transformerBlock} for one decoding step with a key/value cache (same parameter names). */
export function cachedTransformerBlock(
  g: Graph,
  x: Value,
  name: string,
  options: BlockOptions & { cache: AttentionCache },
): { output: Value; key: Value; value: Value } {
  const dim = last(x);
  const attn = cachedSelfAttention(g, layerNorm(g, x, `${name}.ln1`), `${name}.attn`, options);
  const h = add(x, attn.output);
  const hidden = gelu(
    linear(g, layerNorm(g, h, `${name}.ln2`), `${name}.mlp.fc1`, dim * (options.mlpRatio ?? 4), options),
    options.geluApproximate,
  );
  return {
    output: add(h, linear(g, hidden, `${name}.mlp.fc2`, dim, options)),
    key: attn.key,
    value: attn.value,
  };
}

/** The learned position embedding of one position (an int64 `[1]` index) added to `[batch, 1, dim]`. */
export function learnedPositionAt(
  g: Graph,
  x: Value,
  name: string,
  maxLength: number,
  index: Value,
  options: LayerOptions = {},
): Value {
  const dim = last(x);
  const table = g.parameter(
    `${name}.weight`,
    [maxLength, dim],
    typed(normalInit(maxLength * dim, 0.02, seedOf(`${name}.weight`, options.seed ?? 0)), x),
  );
  return add(x, gather(table, index));
}
