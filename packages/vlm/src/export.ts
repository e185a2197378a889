import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSession, toOnnx } from '@roboalign/onnx-train';
import { writeFileAtomic } from '@roboalign/utils';
import { prefixFeeds } from './data/batch.js';
import { VlmError } from './errors.js';
import { encodePrompts, type PromptInput } from './generate.js';
import { buildDecodeGraph, buildPrefillGraph } from './model/graphs.js';
import type { Vlm } from './vlm.js';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Prompts per run; default 1. */
  batch?: number;
  /** Prompt length (left-padded) of the prefill model; default the context less `maxNewTokens`. */
  promptLength?: number;
  /** Slots the decode model's cache has beyond the prompt; default 64. */
  maxNewTokens?: number;
}

/** File names of an export, relative to its folder. */
export interface ExportedModels {
  prefill: string;
  decode: string;
}

/** The file names {@link exportOnnx} writes. */
export const EXPORTED_FILES: ExportedModels = { prefill: 'prefill.onnx', decode: 'decode.onnx' };

/**
 * Writes `prefill.onnx` and `decode.onnx` with the current weights embedded, for a plain ONNX Runtime
 * session. Inputs and outputs follow Hugging Face Optimum / transformers.js names: `input_ids`,
 * `attention_mask`, `position_ids`, `pixel_values` (plus `image_placement`, one-hot patch → position),
 * `past_key_values.{i}.key|value` in, `logits` and `present.{i}.key|value` out; `cache_position` is the
 * slot the decode step writes. Shapes are static (ONNX graphs here are built per shape): the decode
 * cache has `promptLength + maxNewTokens` slots.
 */
export async function exportOnnx(
  model: Vlm,
  dir: string,
  options: ExportOnnxOptions = {},
): Promise<ExportedModels> {
  const batch = options.batch ?? 1;
  const maxNew = options.maxNewTokens ?? 64;
  const length = options.promptLength ?? model.config.maxLength - maxNew;
  const prefill = buildPrefillGraph(model.config, model.params, { batch, length });
  const decode = buildDecodeGraph(model.config, model.params, { batch, cacheLength: length + maxNew });
  const files = EXPORTED_FILES;
  await writeFileAtomic(
    join(dir, files.prefill),
    toOnnx(prefill.graph, {
      outputs: [prefill.logits, ...prefill.present],
      parameters: 'initializers',
      values: model.params,
      name: 'prefill',
    }),
  );
  await writeFileAtomic(
    join(dir, files.decode),
    toOnnx(decode.graph, {
      outputs: [decode.logits, ...decode.present],
      parameters: 'initializers',
      values: model.params,
      name: 'decode',
    }),
  );
  return files;
}

/**
 * The largest |logit difference| between an exported `prefill.onnx` (in a plain ONNX Runtime session) and
 * the in-process model on `prompts`, one at a time: what a user of the exported files gets against what was
 * measured. `promptLength` must be the export's (default: the context less 64, as {@link exportOnnx}).
 */
export async function exportedPrefillDifference(
  model: Vlm,
  dir: string,
  prompts: readonly PromptInput[],
  options: { promptLength?: number; files?: ExportedModels } = {},
): Promise<number> {
  if (prompts.length === 0) throw new VlmError('exportedPrefillDifference: no prompts');
  const length = options.promptLength ?? model.config.maxLength - 64;
  const session = await createSession(await readFile(join(dir, (options.files ?? EXPORTED_FILES).prefill)));
  let largest = 0;
  try {
    for (const encoded of await encodePrompts(model, prompts)) {
      if (encoded.ids.length > length)
        throw new VlmError(`a prompt of ${encoded.ids.length} tokens is longer than the export's ${length}`);
      const { feeds } = prefixFeeds(model.config, [encoded], length, {
        imageTokenId: model.config.imageTokenId,
        padId: model.tokenizer.ids.pad,
        align: 'left',
      });
      const ours = (await model.prefill(feeds, 1, length)).logits as Float32Array;
      const theirs = (await session.run(feeds, ['logits'])).logits as Float32Array;
      if (theirs.length !== ours.length)
        throw new VlmError(`the exported logits have ${theirs.length} values, the model's ${ours.length}`);
      for (let i = 0; i < ours.length; i++) largest = Math.max(largest, Math.abs(ours[i] - theirs[i]));
    }
  } finally {
    await session.release();
  }
  return largest;
}
