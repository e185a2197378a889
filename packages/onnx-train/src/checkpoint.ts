import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { GraphError } from './errors.js';
import type { AdamWState } from './optim.js';
import { decodeSafetensors, encodeSafetensors, type StoredTensor, tensorFromArray } from './safetensors.js';

/** What a training checkpoint holds. */
export interface CheckpointData {
  /** Parameter values by name, with their shapes. */
  params: ReadonlyMap<string, { data: Float32Array | Float64Array; shape: readonly number[] }>;
  /** Optimizer state, when training should resume exactly. */
  optimizer?: AdamWState;
  /** Training step. */
  step: number;
  /** Anything else to restore (an RNG state, a data cursor), as strings. */
  metadata?: Record<string, string>;
}

const OPT_M = 'optimizer.m.';
const OPT_V = 'optimizer.v.';

/**
 * Writes a checkpoint in the safetensors layout (weights under their own names; optimizer moments under
 * `optimizer.m.` / `optimizer.v.`), atomically: a temporary file,
 * then a rename, so a crash mid-write leaves the previous checkpoint intact.
 */
export async function saveCheckpoint(path: string, checkpoint: CheckpointData): Promise<void> {
  const tensors = new Map<string, StoredTensor>();
  for (const [name, { data, shape }] of checkpoint.params) tensors.set(name, tensorFromArray(data, shape));
  const metadata: Record<string, string> = {
    ...checkpoint.metadata,
    format: 'roboalign-onnx-train/1',
    step: String(checkpoint.step),
  };
  if (checkpoint.optimizer) {
    metadata['optimizer.step'] = String(checkpoint.optimizer.step);
    for (const [name, m] of checkpoint.optimizer.m)
      tensors.set(OPT_M + name, { dtype: 'F64', shape: [m.length], data: m });
    for (const [name, v] of checkpoint.optimizer.v)
      tensors.set(OPT_V + name, { dtype: 'F64', shape: [v.length], data: v });
  }
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads a checkpoint written by {@link saveCheckpoint}. */
export async function loadCheckpoint(
  path: string,
): Promise<CheckpointData & { metadata: Record<string, string> }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new GraphError(`cannot read checkpoint ${path}: ${(err as NodeJS.ErrnoException).code}`);
  }
  const { tensors, metadata } = decodeSafetensors(bytes, path);
  const params = new Map<string, { data: Float32Array | Float64Array; shape: number[] }>();
  const m = new Map<string, Float64Array>();
  const v = new Map<string, Float64Array>();
  for (const [name, t] of tensors) {
    if (name.startsWith(OPT_M)) m.set(name.slice(OPT_M.length), t.data as Float64Array);
    else if (name.startsWith(OPT_V)) v.set(name.slice(OPT_V.length), t.data as Float64Array);
    else if (t.data instanceof Float32Array || t.data instanceof Float64Array)
      params.set(name, { data: t.data, shape: t.shape });
  }
  const step = Number(metadata.step);
  if (!Number.isInteger(step)) throw new GraphError(`${path}: checkpoint metadata has no step`);
  const optimizerStep = metadata['optimizer.step'];
  return {
    params,
    step,
    metadata,
    optimizer: optimizerStep === undefined ? undefined : { step: Number(optimizerStep), m, v },
  };
}
