import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  normalInit,
  type StoredTensor,
  xavierUniform,
} from '@roboalign/onnx-train';
import { seedFromName, writeFileAtomic } from '@roboalign/utils';
import { parameterShapes, type VlmConfig, validateConfig } from '../config.js';
import { VlmError } from '../errors.js';

/** Parameter values by Hugging Face–style name. */
export type VlmParameters = Map<string, Float32Array>;

const EMBEDDINGS = /(embed_tokens|camera_embedding)\.weight$/;

/**
 * 2-D sine-cosine position embeddings of a `side × side` patch grid (as MAE initializes its ViT): half
 * the width encodes the row, half the column, each as sines and cosines of geometric frequencies. Patch
 * position is then legible from the first step; the table stays learned.
 */
export function sincos2d(side: number, width: number): Float32Array {
  if (width % 4 !== 0) throw new VlmError(`sincos2d: width ${width} must be a multiple of 4`);
  const quarter = width / 4;
  const out = new Float32Array(side * side * width);
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      const base = (r * side + c) * width;
      for (let k = 0; k < quarter; k++) {
        const omega = 1 / 10000 ** (k / quarter);
        out[base + k] = Math.sin(r * omega);
        out[base + quarter + k] = Math.cos(r * omega);
        out[base + 2 * quarter + k] = Math.sin(c * omega);
        out[base + 3 * quarter + k] = Math.cos(c * omega);
      }
    }
  return out;
}

/**
 * Seeded initial values: Xavier-uniform matrices, normal(0, 0.02) token and camera embeddings, 2-D
 * sine-cosine patch positions, unit norm weights, zero biases. Each parameter draws from its own stream (`seedFromName(name, seed)`), so the values do not
 * depend on the order parameters are created in.
 */
export function initParameters(config: VlmConfig, seed = 0): VlmParameters {
  const params: VlmParameters = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const stream = seedFromName(name, seed);
    if (name === 'vision_tower.position_embedding.weight')
      params.set(name, sincos2d(config.imageSize / config.patchSize, config.vision.width));
    else if (EMBEDDINGS.test(name)) params.set(name, normalInit(size, 0.02, stream));
    else if (shape.length === 2) params.set(name, xavierUniform(size, shape[1], shape[0], stream));
    else if (name.endsWith('.bias')) params.set(name, new Float32Array(size));
    else params.set(name, new Float32Array(size).fill(1));
  }
  return params;
}

/** Writes `config.json` and `model.safetensors` (Hugging Face names, float32) into `dir`, atomically each. */
export async function saveWeights(dir: string, config: VlmConfig, params: VlmParameters): Promise<void> {
  const shapes = parameterShapes(config);
  const tensors = new Map<string, StoredTensor>();
  for (const [name, shape] of shapes) tensors.set(name, { dtype: 'F32', shape, data: params.get(name)! });
  await writeFileAtomic(join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
  await writeFileAtomic(
    join(dir, 'config.json'),
    `${JSON.stringify({ model_type: 'roboalign_vlm', ...config }, null, 2)}\n`,
  );
}

/** Reads a folder written by {@link saveWeights}, checking every parameter's presence and shape. */
export async function loadWeights(dir: string): Promise<{ config: VlmConfig; params: VlmParameters }> {
  const read = async (file: string) => {
    try {
      return await readFile(join(dir, file));
    } catch (err) {
      throw new VlmError(
        `cannot read ${join(dir, file)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  };
  let parsed: VlmConfig & { model_type?: string };
  try {
    parsed = JSON.parse((await read('config.json')).toString('utf8'));
  } catch (err) {
    if (err instanceof VlmError) throw err;
    throw new VlmError(`${join(dir, 'config.json')}: not JSON (${(err as Error).message})`);
  }
  const { model_type: _type, ...config } = parsed;
  validateConfig(config);
  const source = join(dir, 'model.safetensors');
  const { tensors } = decodeSafetensors(await read('model.safetensors'), source);
  const params: VlmParameters = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const t = tensors.get(name);
    if (t === undefined) throw new VlmError(`${source}: missing parameter ${name}`);
    if (!(t.data instanceof Float32Array) || t.shape.join() !== shape.join())
      throw new VlmError(`${source}: ${name} is ${t.dtype}[${t.shape}], expected F32[${shape}]`);
    params.set(name, t.data);
  }
  return { config, params };
}
