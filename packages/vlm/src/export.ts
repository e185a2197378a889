import { join } from 'node:path';
import { toOnnx } from '@roboalign/onnx-train';
import { writeFileAtomic } from '@roboalign/utils';
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
  const files: ExportedModels = { prefill: 'prefill.onnx', decode: 'decode.onnx' };
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
