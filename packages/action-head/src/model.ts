import {
  adaLayerNorm,
  add,
  concat,
  expand,
  type Graph,
  gather,
  gelu,
  layerNorm,
  layerNormPlain,
  linear,
  matMul,
  mul,
  multiHeadAttention,
  relu,
  reshape,
  silu,
  sinusoidalTimestep,
  slice,
  transformerBlock,
  type Value,
  xavierUniform,
} from '@roboalign/onnx-train';
import { seedFromName } from '@roboalign/utils';
import type { ActionHeadConfig } from './config.js';

/** The graph inputs of one velocity evaluation. */
export interface HeadInputs {
  /** `[batch, tokens, backboneDim]` cached backbone features. */
  features: Value;
  /** `[batch, tokens]` 1 for real tokens, 0 for padding. */
  featureMask: Value;
  /** `[batch, stateDim]` normalized, zero-padded state. */
  state: Value;
  /** `[batch]` int64 embodiment ids. */
  embodiment: Value;
}

/** A linear layer with one weight bank per embodiment, selected by id: `${name}.W` `[E, in, out]`, `${name}.b` `[E, out]`. */
export function embodimentLinear(
  g: Graph,
  x: Value,
  embodiment: Value,
  name: string,
  embodiments: number,
  out: number,
): Value {
  const [batch, , inFeatures] = x.shape;
  const w = g.parameter(
    `${name}.W`,
    [embodiments, inFeatures, out],
    typedLike(xavierUniform(embodiments * inFeatures * out, inFeatures, out, seedFromName(name)), x),
  );
  const b = g.parameter(`${name}.b`, [embodiments, out], typedLike(new Float32Array(embodiments * out), x));
  const wSel = gather(w, embodiment); // [batch, in, out]
  const bSel = reshape(gather(b, embodiment), [batch, 1, out]);
  return add(matMul(x, wSel), bSel); // [batch, tokens, out]
}

/** Initial values in the float type of `like` (float64 graphs are for gradient checks). */
function typedLike(values: Float32Array, like: Value): Float32Array | Float64Array {
  return like.dtype === 'float64' ? Float64Array.from(values) : values;
}

/** The backbone path, computed once per chunk: LayerNorm, then self-attention layers; the cross-attention memory. */
export function backboneMemory(g: Graph, cfg: ActionHeadConfig, inputs: HeadInputs): Value {
  let h = layerNorm(g, inputs.features, 'vl.norm');
  for (let i = 0; i < cfg.vlLayers; i++) {
    h = transformerBlock(g, h, `vl.blocks.${i}`, {
      heads: cfg.vlHeads,
      geluApproximate: 'tanh', // diffusers' "gelu-approximate", as the reference's transformer blocks use
      keyPaddingMask: cfg.maskBackbonePadding ? inputs.featureMask : undefined,
    });
  }
  return h;
}

/**
 * The velocity field `v(x_t, t | features, state, embodiment)`: state token, learned future tokens and
 * action tokens form the DiT sequence; even blocks cross-attend to the backbone memory, odd blocks
 * self-attend; each attention sub-layer is AdaLN-modulated by the timestep embedding; the last `horizon`
 * tokens are decoded to action velocities.
 */
export function velocity(
  g: Graph,
  cfg: ActionHeadConfig,
  inputs: HeadInputs,
  memory: Value,
  noisyActions: Value,
  timestep: Value,
): Value {
  const [batch] = noisyActions.shape;
  const D = cfg.hiddenSize;
  const E = cfg.embodiments;
  const emb = inputs.embodiment;
  // Timestep embedding (sinusoidal over the bucket, then an MLP).
  const temb = linear(g, silu(linear(g, sinusoidalTimestep(g, timestep, D), 'time.fc1', D)), 'time.fc2', D);
  // State encoder: per-embodiment MLP to one token.
  const state = reshape(inputs.state, [batch, 1, cfg.stateDim]);
  const stateToken = embodimentLinear(
    g,
    relu(embodimentLinear(g, state, emb, 'state.fc1', E, D)),
    emb,
    'state.fc2',
    E,
    D,
  );
  // Action encoder: W1(a) with the timestep's sinusoidal embedding, swish(W2(·)), W3(·), plus positions.
  const a1 = embodimentLinear(g, noisyActions, emb, 'action_enc.W1', E, D);
  const tau = expand(reshape(sinusoidalTimestep(g, timestep, D), [batch, 1, D]), [batch, cfg.horizon, D]);
  const a2 = silu(embodimentLinear(g, concat([a1, tau], 2), emb, 'action_enc.W2', E, D));
  const a3 = embodimentLinear(g, a2, emb, 'action_enc.W3', E, D);
  const positions = g.parameter(
    'action_pos.weight',
    [cfg.horizon, D],
    typedLike(xavierUniform(cfg.horizon * D, cfg.horizon, D, 7), noisyActions),
  );
  const actionTokens = add(a3, positions);
  const future = g.parameter(
    'future_tokens.weight',
    [cfg.futureTokens, D],
    typedLike(xavierUniform(cfg.futureTokens * D, cfg.futureTokens, D, 11), noisyActions),
  );
  let x = concat(
    [
      stateToken,
      expand(reshape(future, [1, cfg.futureTokens, D]), [batch, cfg.futureTokens, D]),
      actionTokens,
    ],
    1,
  );
  const mask = cfg.maskBackbonePadding ? inputs.featureMask : undefined;
  for (let i = 0; i < cfg.ditLayers; i++) {
    const name = `dit.blocks.${i}`;
    const normed = adaLayerNorm(g, x, temb, `${name}.norm1`);
    const attn =
      i % 2 === 0
        ? multiHeadAttention(g, normed, `${name}.attn`, { heads: cfg.heads, memory, keyPaddingMask: mask })
        : multiHeadAttention(g, normed, `${name}.attn`, { heads: cfg.heads });
    x = add(x, attn);
    const ff = linear(
      g,
      gelu(linear(g, layerNorm(g, x, `${name}.norm3`), `${name}.ff.fc1`, 4 * D), 'tanh'),
      `${name}.ff.fc2`,
      D,
    );
    x = add(x, ff);
  }
  // Output modulation: shift and scale from the timestep embedding, then a projection.
  const shift = reshape(linear(g, silu(temb), 'dit.proj_out_1.shift', D), [batch, 1, D]);
  const scale = reshape(linear(g, silu(temb), 'dit.proj_out_1.scale', D), [batch, 1, D]);
  x = add(mul(layerNormPlain(g, x), add(g.scalar(1, x), scale)), shift);
  x = linear(g, x, 'dit.proj_out_2', D);
  const start = 1 + cfg.futureTokens;
  const actionHidden = slice(x, 1, start, start + cfg.horizon);
  return embodimentLinear(
    g,
    relu(embodimentLinear(g, actionHidden, emb, 'action_dec.fc1', E, D)),
    emb,
    'action_dec.fc2',
    E,
    cfg.actionDim,
  );
}
