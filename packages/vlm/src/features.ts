import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeSafetensors, encodeSafetensors } from '@roboalign/onnx-train';
import { writeFileAtomic } from '@roboalign/utils';
import { bucket, prefixFeeds } from './data/batch.js';
import { VlmError } from './errors.js';
import { encodePrompts, type PromptInput } from './generate.js';
import type { VlmRuntime } from './model/runtime.js';

/** Options of {@link features}. */
export interface FeaturesOptions {
  /**
   * Which hidden states: after this many decoder layers (Hugging Face's `hidden_states[layer]`). Default
   * the middle, `⌊layers / 2⌋`: GR00T N1 reads a middle LM layer (the 12th of its 2B backbone) rather
   * than the last, which its authors report as both faster and better for the policy.
   */
  layer?: number;
  /** Prompts per ONNX Runtime run; default 32. */
  batchSize?: number;
  /**
   * Cache file (safetensors). When it exists and was made from the same weights, prompts and layer, it is
   * read instead of running the model; otherwise it is written (atomically) after the run.
   */
  cachePath?: string;
}

/** Hidden states of the prompts, right-padded to one length. */
export interface Features {
  /** `[count, length, width]` row-major. */
  hidden: Float32Array;
  /** `[count, length]`: 1 for real tokens, 0 for padding. */
  mask: Uint8Array;
  /**
   * `[count, length]`: the token id at each position (the pad id past the end), so a head can pick which
   * tokens it reads, e.g. the ones that are not `config.imageTokenId`.
   */
  ids: Int32Array;
  shape: [count: number, length: number, width: number];
  layer: number;
}

/**
 * Frozen-backbone features for an action head: the hidden states of one LM layer over each prompt's image
 * and instruction tokens (the generation prompt included), with their padding mask. Prompts attend to each
 * other bidirectionally within the row, as in prefill.
 */
export async function features(
  model: VlmRuntime,
  prompts: readonly PromptInput[],
  options: FeaturesOptions = {},
): Promise<Features> {
  const layer = options.layer ?? Math.floor(model.config.text.layers / 2);
  const batchSize = options.batchSize ?? 32;
  if (prompts.length === 0) throw new VlmError('features: no prompts');
  const encoded = await encodePrompts(model, prompts);
  const key = options.cachePath ? cacheKey(model, encoded, layer) : '';
  const length = Math.min(bucket(Math.max(...encoded.map((e) => e.ids.length)), 16), model.config.maxLength);
  const ids = new Int32Array(encoded.length * length).fill(model.tokenizer.ids.pad);
  encoded.forEach((e, i) => {
    ids.set(e.ids.subarray(0, length), i * length);
  });
  if (options.cachePath && existsSync(options.cachePath)) {
    const cached = await readCache(options.cachePath, key);
    if (cached) return { ...cached, ids };
  }
  const width = model.config.text.width;
  const hidden = new Float32Array(encoded.length * length * width);
  const mask = new Uint8Array(encoded.length * length);
  for (let start = 0; start < encoded.length; start += batchSize) {
    const part = encoded.slice(start, start + batchSize);
    // The last batch is filled up with copies of its first row, so every batch shares one compiled graph.
    const rows = [...part, ...new Array(Math.min(batchSize, encoded.length) - part.length).fill(part[0])];
    const batch = prefixFeeds(model.config, rows, length, {
      imageTokenId: model.config.imageTokenId,
      padId: model.tokenizer.ids.pad,
      align: 'right',
    });
    const out = await model.hiddenStates(batch.feeds, rows.length, length, layer);
    hidden.set(out.subarray(0, part.length * length * width), start * length * width);
    mask.set(batch.mask.subarray(0, part.length * length), start * length);
  }
  const result: Features = { hidden, mask, ids, shape: [encoded.length, length, width], layer };
  if (options.cachePath) await writeCache(options.cachePath, key, result);
  return result;
}

function cacheKey(
  model: VlmRuntime,
  encoded: readonly { ids: Int32Array; images: readonly { data: Uint8Array }[] }[],
  layer: number,
): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(model.config));
  h.update(`layer=${layer}`);
  for (const [name, p] of model.params) {
    h.update(name);
    h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  }
  for (const e of encoded) {
    h.update(new Uint8Array(e.ids.buffer, e.ids.byteOffset, e.ids.byteLength));
    for (const image of e.images) h.update(image.data);
  }
  return h.digest('hex');
}

async function readCache(path: string, key: string): Promise<Omit<Features, 'ids'> | null> {
  const { tensors, metadata } = decodeSafetensors(await readFile(path), path);
  if (metadata.key !== key) return null;
  const hidden = tensors.get('hidden');
  const mask = tensors.get('mask');
  if (!(hidden?.data instanceof Float32Array) || !(mask?.data instanceof Uint8Array))
    throw new VlmError(`${path}: a features cache needs F32 "hidden" and U8 "mask"`);
  const [count, length, width] = hidden.shape;
  return {
    hidden: hidden.data,
    mask: mask.data,
    shape: [count, length, width],
    layer: Number(metadata.layer),
  };
}

async function writeCache(path: string, key: string, f: Features): Promise<void> {
  const tensors = new Map([
    ['hidden', { dtype: 'F32' as const, shape: [...f.shape], data: f.hidden }],
    ['mask', { dtype: 'U8' as const, shape: [f.shape[0], f.shape[1]], data: f.mask }],
  ]);
  await writeFileAtomic(path, encodeSafetensors(tensors, { key, layer: String(f.layer) }));
}
