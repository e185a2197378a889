import {
  add,
  applyRotary,
  cast,
  div,
  type Graph,
  gelu,
  layerNormPlain,
  matMul,
  mul,
  type RotaryAngles,
  reduceMean,
  reshape,
  silu,
  softmax,
  sqrt,
  sub,
  transpose,
  transposeLast,
  type Value,
} from '@roboalign/onnx-train';
import { parameterShapes, type VlmConfig } from '../config.js';
import { VlmError } from '../errors.js';

/** Large negative logit for masked keys: finite, so a fully masked (padding) row stays finite. */
export const MASKED = -1e9;

/** What every layer builder needs: the graph, the configuration and the current parameter values. */
export class ModelContext {
  private readonly shapes: Map<string, number[]>;

  constructor(
    readonly g: Graph,
    readonly config: VlmConfig,
    private readonly values: ReadonlyMap<string, Float32Array>,
  ) {
    this.shapes = parameterShapes(config);
  }

  /** The parameter `name`, registered in the graph with its Hugging Face shape. */
  param(name: string): Value {
    const shape = this.shapes.get(name);
    const init = this.values.get(name);
    if (shape === undefined || init === undefined) throw new VlmError(`no parameter ${name} in this model`);
    return this.g.parameter(name, shape, init);
  }
}

/**
 * `x @ Wᵀ + b` with a PyTorch-layout weight `[out, in]`. Batch and time are flattened into one matrix
 * first, so the weight gradient is one GEMM rather than a batched product summed over the batch.
 */
export function linear(ctx: ModelContext, x: Value, name: string, bias: boolean): Value {
  const w = ctx.param(`${name}.weight`);
  const [out, inp] = w.shape;
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  let y = matMul(reshape(x, [rows, inp]), transposeLast(w));
  if (bias) y = add(y, ctx.param(`${name}.bias`));
  return reshape(y, [...lead, out]);
}

/** LayerNorm with weight and bias (the vision tower). */
export function layerNorm(ctx: ModelContext, x: Value, name: string, eps = 1e-6): Value {
  return add(mul(layerNormPlain(ctx.g, x, eps), ctx.param(`${name}.weight`)), ctx.param(`${name}.bias`));
}

/** RMSNorm `x / sqrt(mean(x²) + eps) · w` (the language model). */
export function rmsNorm(ctx: ModelContext, x: Value, name: string): Value {
  const g = ctx.g;
  const rms = sqrt(add(reduceMean(mul(x, x), [-1], true), g.scalar(ctx.config.text.rmsNormEps, x)));
  return mul(div(x, rms), ctx.param(`${name}.weight`));
}

/** `[batch, length, heads·headDim]` → `[batch, heads, length, headDim]`. */
export function splitHeads(x: Value, heads: number): Value {
  const [batch, length, dim] = x.shape;
  return transpose(reshape(x, [batch, length, heads, dim / heads]), [0, 2, 1, 3]);
}

/** The inverse of {@link splitHeads}. */
export function mergeHeads(x: Value): Value {
  const [batch, heads, length, headDim] = x.shape;
  return reshape(transpose(x, [0, 2, 1, 3]), [batch, length, heads * headDim]);
}

/** Softmax attention of `q` over `k`, `v` (`[batch, heads, ·, headDim]`) with an additive bias on the scores. */
export function attend(q: Value, k: Value, v: Value, bias?: Value): Value {
  const headDim = q.shape[3];
  let scores = div(matMul(q, transposeLast(k)), q.graph.scalar(Math.sqrt(headDim), q));
  if (bias !== undefined) scores = add(scores, bias);
  return matMul(softmax(scores, -1), v);
}

/** One ViT encoder layer (SigLIP naming): bidirectional attention within an image, GELU MLP. */
export function visionLayer(ctx: ModelContext, x: Value, name: string): Value {
  const heads = ctx.config.vision.heads;
  const normed = layerNorm(ctx, x, `${name}.layer_norm1`);
  const q = splitHeads(linear(ctx, normed, `${name}.self_attn.q_proj`, true), heads);
  const k = splitHeads(linear(ctx, normed, `${name}.self_attn.k_proj`, true), heads);
  const v = splitHeads(linear(ctx, normed, `${name}.self_attn.v_proj`, true), heads);
  const h = add(x, linear(ctx, mergeHeads(attend(q, k, v)), `${name}.self_attn.out_proj`, true));
  const hidden = gelu(linear(ctx, layerNorm(ctx, h, `${name}.layer_norm2`), `${name}.mlp.fc1`, true), 'tanh');
  return add(h, linear(ctx, hidden, `${name}.mlp.fc2`, true));
}

/** How a decoder layer's attention reads keys and values: the whole sequence, or a cache. */
export interface AttentionInputs {
  angles: RotaryAngles;
  /** Additive score bias broadcast to `[batch, heads, queries, keys]`. */
  bias: Value;
  /** Decoding: the cache of earlier keys/values and the one-hot slot the new ones are written to. */
  cache?: { key: Value; value: Value; writeMask: Value };
}

/** A decoder layer's output and the (rotated) keys and values it attended over, for a KV cache. */
export interface LayerOutput {
  hidden: Value;
  key: Value;
  value: Value;
}

/**
 * One decoder layer (Llama/Qwen2 naming): `h = x + o_proj(attn(rmsnorm(x)))`, then
 * `h + down_proj(silu(gate_proj(·)) · up_proj(·))` on `rmsnorm(h)`. Rotary positions on q and k.
 */
export function decoderLayer(
  ctx: ModelContext,
  x: Value,
  index: number,
  inputs: AttentionInputs,
): LayerOutput {
  const name = `model.layers.${index}`;
  const heads = ctx.config.text.heads;
  const normed = rmsNorm(ctx, x, `${name}.input_layernorm`);
  const q = applyRotary(
    splitHeads(linear(ctx, normed, `${name}.self_attn.q_proj`, false), heads),
    inputs.angles,
  );
  let k = applyRotary(
    splitHeads(linear(ctx, normed, `${name}.self_attn.k_proj`, false), heads),
    inputs.angles,
  );
  let v = splitHeads(linear(ctx, normed, `${name}.self_attn.v_proj`, false), heads);
  if (inputs.cache !== undefined) {
    const { writeMask } = inputs.cache;
    const keep = sub(ctx.g.scalar(1, x), writeMask);
    k = add(mul(inputs.cache.key, keep), mul(k, writeMask));
    v = add(mul(inputs.cache.value, keep), mul(v, writeMask));
  }
  const h = add(x, linear(ctx, mergeHeads(attend(q, k, v, inputs.bias)), `${name}.self_attn.o_proj`, false));
  const m = rmsNorm(ctx, h, `${name}.post_attention_layernorm`);
  const gated = mul(
    silu(linear(ctx, m, `${name}.mlp.gate_proj`, false)),
    linear(ctx, m, `${name}.mlp.up_proj`, false),
  );
  return { hidden: add(h, linear(ctx, gated, `${name}.mlp.down_proj`, false)), key: k, value: v };
}

/** Int64 graph input → float of the same shape. */
export const toFloat = (x: Value): Value => cast(x, 'float32');
