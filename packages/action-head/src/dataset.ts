import { readFile } from 'node:fs/promises';
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from '@roboalign/onnx-train';
import { writeFileAtomic } from '@roboalign/utils';
import type { HeadSample } from './action-head.js';
import type { ActionHeadConfig } from './config.js';
import { ActionHeadError } from './errors.js';

/** Training data for the head: cached backbone features with the robot data that goes with them. */
export interface HeadDataset {
  readonly size: number;
  get(index: number): HeadSample;
}

/** A dataset held in memory. */
export function memoryDataset(samples: readonly HeadSample[]): HeadDataset {
  if (samples.length === 0)
    throw new ActionHeadError('memoryDataset: expected at least one sample, got none');
  return { size: samples.length, get: (i) => samples[i] };
}

const FIELDS = ['features', 'featureMask', 'state', 'actions', 'actionMask'] as const;

/**
 * Saves samples as one safetensors file (each field stacked, plus `embodiment`), written atomically:
 * features cached once from a frozen backbone are reused for every training run.
 */
export async function saveDataset(
  path: string,
  samples: readonly HeadSample[],
  config: ActionHeadConfig,
): Promise<void> {
  const n = samples.length;
  const sizes = fieldSizes(config);
  const tensors = new Map<string, StoredTensor>();
  for (const field of FIELDS) {
    const data = new Float32Array(n * sizes[field]);
    samples.forEach((s, i) => {
      if (s[field].length !== sizes[field]) {
        throw new ActionHeadError(
          `saveDataset: sample ${i} ${field} has ${s[field].length} values, expected ${sizes[field]}`,
        );
      }
      data.set(s[field], i * sizes[field]);
    });
    tensors.set(field, { dtype: 'F32', shape: [n, sizes[field]], data });
  }
  tensors.set('embodiment', {
    dtype: 'I64',
    shape: [n],
    data: BigInt64Array.from(samples, (s) => BigInt(s.embodiment)),
  });
  await writeFileAtomic(path, encodeSafetensors(tensors, { format: 'roboalign-action-head-dataset/1' }));
}

/** Loads a dataset written by {@link saveDataset}, checking its shapes against the head's config. */
export async function loadDataset(path: string, config: ActionHeadConfig): Promise<HeadDataset> {
  const { tensors } = decodeSafetensors(await readFile(path), path);
  const sizes = fieldSizes(config);
  const embodiment = tensors.get('embodiment');
  if (embodiment === undefined) throw new ActionHeadError(`${path}: no "embodiment" tensor`);
  const n = embodiment.shape[0];
  const columns = {} as Record<(typeof FIELDS)[number], Float32Array>;
  for (const field of FIELDS) {
    const t = tensors.get(field);
    if (t === undefined || t.shape[0] !== n || t.shape[1] !== sizes[field]) {
      throw new ActionHeadError(
        `${path}: "${field}" should be [${n}, ${sizes[field]}], got ${t ? `[${t.shape.join(', ')}]` : 'nothing'}`,
      );
    }
    columns[field] = t.data as Float32Array;
  }
  const ids = embodiment.data as BigInt64Array;
  return {
    size: n,
    get(i) {
      const row = (field: (typeof FIELDS)[number]) =>
        columns[field].subarray(i * sizes[field], (i + 1) * sizes[field]);
      return {
        features: row('features'),
        featureMask: row('featureMask'),
        state: row('state'),
        actions: row('actions'),
        actionMask: row('actionMask'),
        embodiment: Number(ids[i]),
      };
    },
  };
}

function fieldSizes(c: ActionHeadConfig): Record<(typeof FIELDS)[number], number> {
  return {
    features: c.backboneTokens * c.backboneDim,
    featureMask: c.backboneTokens,
    state: c.stateDim,
    actions: c.horizon * c.actionDim,
    actionMask: c.horizon * c.actionDim,
  };
}
