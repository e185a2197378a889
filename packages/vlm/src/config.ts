import { VlmError } from './errors.js';

/** The vision tower: a ViT over each camera image. */
export interface VisionConfig {
  layers: number;
  width: number;
  heads: number;
  /** Hidden width of the GELU MLP. */
  mlpHidden: number;
}

/** The language model: a pre-norm decoder with RMSNorm, rotary positions and a SwiGLU MLP. */
export interface TextConfig {
  layers: number;
  width: number;
  heads: number;
  /** Hidden width of the SwiGLU MLP. */
  mlpHidden: number;
  /** RoPE base; default 10000. */
  ropeTheta: number;
  rmsNormEps: number;
  /** Share the input embedding with the output projection (no separate `lm_head.weight`). */
  tieEmbeddings: boolean;
}

/** Everything that fixes the shapes of a {@link Vlm}; stored as `config.json` beside the weights. */
export interface VlmConfig {
  /** Ids of the tokenizer, action tokens included. */
  vocabSize: number;
  /** Longest sequence (image placeholders + text) the model reads. */
  maxLength: number;
  /** Side of the square RGB camera images, in pixels. */
  imageSize: number;
  patchSize: number;
  /** Images per example (cameras), e.g. 2: agent view then wrist view; each has its own camera embedding. */
  maxImages: number;
  /** Token id of `<|image_pad|>`: the positions whose embedding is the projected image patch. */
  imageTokenId: number;
  vision: VisionConfig;
  text: TextConfig;
}

/** Shape presets; `vocabSize`, `imageTokenId` and `maxLength` come from the tokenizer and the data. */
export type VlmArchitecture = Omit<VlmConfig, 'vocabSize' | 'imageTokenId' | 'maxLength'>;

const text = (layers: number, width: number, heads: number, mlpHidden: number): TextConfig => ({
  layers,
  width,
  heads,
  mlpHidden,
  ropeTheta: 10000,
  rmsNormEps: 1e-6,
  tieEmbeddings: true,
});

/**
 * `tiny` (the CPU default: vision 2 layers, LM 4 layers, width 128, 4 heads, SwiGLU hidden 352) and
 * `small` (width 256, 8 LM layers). All read two 64×64 cameras in 8×8 patches: 64 tokens per image.
 * `micro` (vision 1 × 64, LM 2 × 64) exercises the same code in seconds, for tests and smoke runs.
 */
export const VLM_PRESETS = {
  micro: {
    imageSize: 64,
    patchSize: 8,
    maxImages: 2,
    vision: { layers: 1, width: 64, heads: 2, mlpHidden: 128 },
    text: text(2, 64, 2, 128),
  },
  tiny: {
    imageSize: 64,
    patchSize: 8,
    maxImages: 2,
    vision: { layers: 2, width: 128, heads: 4, mlpHidden: 512 },
    text: text(4, 128, 4, 352),
  },
  small: {
    imageSize: 64,
    patchSize: 8,
    maxImages: 2,
    vision: { layers: 4, width: 256, heads: 8, mlpHidden: 1024 },
    text: text(8, 256, 8, 704),
  },
} as const satisfies Record<string, VlmArchitecture>;

/** A preset name. */
export type VlmPresetName = keyof typeof VLM_PRESETS;

/** Patches (tokens) per image. */
export function tokensPerImage(config: Pick<VlmConfig, 'imageSize' | 'patchSize'>): number {
  return (config.imageSize / config.patchSize) ** 2;
}

/** Checks a configuration, naming the first bad field. */
export function validateConfig(config: VlmConfig): VlmConfig {
  const positive: Array<[string, number]> = [
    ['vocabSize', config.vocabSize],
    ['maxLength', config.maxLength],
    ['imageSize', config.imageSize],
    ['patchSize', config.patchSize],
    ['maxImages', config.maxImages],
    ['vision.layers', config.vision.layers],
    ['vision.width', config.vision.width],
    ['vision.heads', config.vision.heads],
    ['vision.mlpHidden', config.vision.mlpHidden],
    ['text.layers', config.text.layers],
    ['text.width', config.text.width],
    ['text.heads', config.text.heads],
    ['text.mlpHidden', config.text.mlpHidden],
  ];
  for (const [field, v] of positive)
    if (!Number.isInteger(v) || v <= 0)
      throw new VlmError(`config.${field} must be a positive integer, got ${v}`);
  if (config.imageSize % config.patchSize !== 0)
    throw new VlmError(
      `config.imageSize ${config.imageSize} is not a multiple of patchSize ${config.patchSize}`,
    );
  if (config.vision.width % config.vision.heads !== 0)
    throw new VlmError(
      `config.vision.width ${config.vision.width} is not divisible by ${config.vision.heads} heads`,
    );
  const headDim = config.text.width / config.text.heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0)
    throw new VlmError(
      `config.text.width / heads must be an even integer (rotary halves), got ${config.text.width} / ${config.text.heads}`,
    );
  if (
    !Number.isInteger(config.imageTokenId) ||
    config.imageTokenId < 0 ||
    config.imageTokenId >= config.vocabSize
  )
    throw new VlmError(
      `config.imageTokenId ${config.imageTokenId} is outside the vocabulary of ${config.vocabSize}`,
    );
  return config;
}

/** Number of parameters of a configuration (the shapes of {@link parameterShapes}). */
export function parameterCount(config: VlmConfig): number {
  let n = 0;
  for (const shape of parameterShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Every parameter's Hugging Face–style name and shape. Linear weights are `[out, in]` as in PyTorch, so a
 * `model.safetensors` written here loads into a PyTorch module of the same layout.
 */
export function parameterShapes(config: VlmConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const v = config.vision;
  const t = config.text;
  const patchIn = 3 * config.patchSize * config.patchSize;
  const linear = (name: string, out: number, inp: number, bias: boolean) => {
    shapes.set(`${name}.weight`, [out, inp]);
    if (bias) shapes.set(`${name}.bias`, [out]);
  };
  const norm = (name: string, d: number, bias: boolean) => {
    shapes.set(`${name}.weight`, [d]);
    if (bias) shapes.set(`${name}.bias`, [d]);
  };
  linear('vision_tower.patch_embedding', v.width, patchIn, true);
  shapes.set('vision_tower.position_embedding.weight', [tokensPerImage(config), v.width]);
  shapes.set('vision_tower.camera_embedding.weight', [config.maxImages, v.width]);
  for (let i = 0; i < v.layers; i++) {
    const p = `vision_tower.encoder.layers.${i}`;
    norm(`${p}.layer_norm1`, v.width, true);
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj'])
      linear(`${p}.self_attn.${proj}`, v.width, v.width, true);
    norm(`${p}.layer_norm2`, v.width, true);
    linear(`${p}.mlp.fc1`, v.mlpHidden, v.width, true);
    linear(`${p}.mlp.fc2`, v.width, v.mlpHidden, true);
  }
  norm('vision_tower.post_layernorm', v.width, true);
  linear('multi_modal_projector.linear_1', t.width, v.width, true);
  linear('multi_modal_projector.linear_2', t.width, t.width, true);
  shapes.set('model.embed_tokens.weight', [config.vocabSize, t.width]);
  for (let i = 0; i < t.layers; i++) {
    const p = `model.layers.${i}`;
    norm(`${p}.input_layernorm`, t.width, false);
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'o_proj'])
      linear(`${p}.self_attn.${proj}`, t.width, t.width, false);
    norm(`${p}.post_attention_layernorm`, t.width, false);
    linear(`${p}.mlp.gate_proj`, t.mlpHidden, t.width, false);
    linear(`${p}.mlp.up_proj`, t.mlpHidden, t.width, false);
    linear(`${p}.mlp.down_proj`, t.width, t.mlpHidden, false);
  }
  norm('model.norm', t.width, false);
  if (!t.tieEmbeddings) linear('lm_head', config.vocabSize, t.width, false);
  return shapes;
}
