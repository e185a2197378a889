/** The shape of an action head. */
export interface ActionHeadConfig {
  /** Width of the cached backbone features (2048 for N1.5's Eagle; 3584 for Qwen2.5-VL-7B, as RoboAlign). */
  backboneDim: number;
  /** Backbone tokens per sample (features are padded to this many, with a mask). */
  backboneTokens: number;
  /** Padded robot state width (the reference pads to 64). */
  stateDim: number;
  /** Padded action width (the reference pads to 32). */
  actionDim: number;
  /** Action chunk length. */
  horizon: number;
  /** Number of embodiments with their own encoder/decoder weights. */
  embodiments: number;
  /** DiT width. */
  hiddenSize: number;
  heads: number;
  ditLayers: number;
  /** Self-attention layers over the backbone features before the DiT (4 in N1.5). */
  vlLayers: number;
  /** Heads of those layers (the backbone width must divide by it). */
  vlHeads: number;
  /** Learned "future" tokens between the state token and the action tokens (32 in N1.5). */
  futureTokens: number;
  /** Flow time is discretized into this many buckets for its embedding (1000). */
  timestepBuckets: number;
  /** Euler steps at inference (4). */
  inferenceSteps: number;
  /**
   * Apply the backbone padding mask in cross-attention (default). The reference computes the mask but does
   * not apply it; `false` reproduces that.
   */
  maskBackbonePadding: boolean;
}

const base = {
  timestepBuckets: 1000,
  inferenceSteps: 4,
  maskBackbonePadding: true,
  embodiments: 1,
} as const;

/**
 * Presets. `gr00t-n1.5` follows the GR00T-N1.5 reference: horizon 16, action dim 32, state dim 64, DiT of
 * 16 layers × 32 heads × 48 (width 1536), 4 VL self-attention layers, 32 future tokens, 4 inference steps;
 * backbone width 2048 (Eagle) by default. `small` keeps the structure at a size that trains on 2 CPU cores.
 */
export const ACTION_HEAD_PRESETS: Record<'small' | 'gr00t-n1.5', ActionHeadConfig> = {
  small: {
    ...base,
    backboneDim: 32,
    backboneTokens: 8,
    stateDim: 8,
    actionDim: 7,
    horizon: 8,
    hiddenSize: 64,
    heads: 4,
    ditLayers: 4,
    vlLayers: 1,
    vlHeads: 4,
    futureTokens: 4,
  },
  'gr00t-n1.5': {
    ...base,
    backboneDim: 2048,
    backboneTokens: 64,
    stateDim: 64,
    actionDim: 32,
    horizon: 16,
    hiddenSize: 1536,
    heads: 32,
    ditLayers: 16,
    vlLayers: 4,
    vlHeads: 32,
    futureTokens: 32,
  },
};

/**
 * @deprecated Use `ACTION_HEAD_PRESETS` (presets are named by package). Kept through 0.2.x, removed in 0.3.0.
 */
export const PRESETS = ACTION_HEAD_PRESETS;
