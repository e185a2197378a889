import { existsSync } from 'node:fs';
import {
  AdamW,
  cosineWithWarmup,
  type Feed,
  loadCheckpoint,
  type StepMetrics,
  trainLoop,
} from '@roboalign/onnx-train';
import { mulberry32, seedFromName } from '@roboalign/utils';
import { parameterShapes } from './config.js';
import { bucket, type ScoreRow } from './data/batch.js';
import { readConversations } from './data/conversation.js';
import { type EncodedExample, encodeConversation } from './data/encode.js';
import { VlmError } from './errors.js';
import type { Vlm } from './vlm.js';

/** One source of the SFT mixture. */
export interface SftDataset {
  name: string;
  examples: readonly EncodedExample[];
  /** Share of the mixture, relative to the other datasets' weights; default 1. */
  weight?: number;
}

/** Options of {@link sft}. */
export interface SftOptions {
  /** Optimizer steps. */
  steps: number;
  /** Conversations per micro-batch; default 16. */
  batchSize?: number;
  /** Micro-batches per optimizer step; default 1. */
  accumulation?: number;
  /** Peak learning rate; default 1e-3. */
  lr?: number;
  /** Linear warm-up steps before the cosine decay; default 5% of `steps`. */
  warmupSteps?: number;
  /** Learning rate at the end of the cosine; default 0. */
  minLr?: number;
  /** AdamW decoupled weight decay; default 0.01. */
  weightDecay?: number;
  /** Global gradient-norm clip; default 1. */
  clipNorm?: number;
  /** Parameter-name prefixes kept frozen, e.g. `['vision_tower.']`. */
  frozen?: readonly string[];
  /** Sampling seed; default 0. */
  seed?: number;
  /** Append one JSON line of metrics per step here. */
  metricsPath?: string;
  /** Checkpoint (safetensors, atomic) every `checkpointEvery` steps here. */
  checkpointPath?: string;
  checkpointEvery?: number;
  /** Continue from `checkpointPath` when it exists: same batches, same optimizer state, same result. */
  resume?: boolean;
  /** Progress bar on a terminal; default true. */
  progress?: boolean;
  label?: string;
}

/** Batches drawn together and sorted by length, so each batch pads little (as `group_by_length` does). */
const MEGABATCH = 8;

/**
 * Supervised fine-tuning: masked next-token cross-entropy on the assistant turns only (image, system and
 * user tokens carry no loss), averaged over the answer tokens of each micro-batch. Batches draw from the
 * weighted mixture of `datasets` with a generator seeded per batch index, so a resumed run draws the same
 * batches. AdamW with linear warm-up and cosine decay, gradient clipping and accumulation, on onnx-train's
 * `trainLoop`.
 */
export async function sft(
  model: Vlm,
  datasets: readonly SftDataset[],
  options: SftOptions,
): Promise<StepMetrics[]> {
  const batchSize = options.batchSize ?? 16;
  const seed = options.seed ?? 0;
  if (datasets.length === 0 || datasets.every((d) => d.examples.length === 0))
    throw new VlmError('sft: no training examples');
  if (!(Number.isInteger(options.steps) && options.steps > 0))
    throw new VlmError(`sft: steps must be a positive integer, got ${options.steps}`);
  for (const d of datasets)
    if ((d.weight ?? 1) < 0 || d.examples.length === 0)
      throw new VlmError(`sft: dataset ${d.name} is empty or has a negative weight`);
  const frozen = options.frozen ?? [];
  const isFrozen = (name: string) => frozen.some((prefix) => name.startsWith(prefix));
  const draw = megabatchSampler(datasets, batchSize, seed);

  const optimizer = new AdamW({ lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0.01 });
  let startStep = 0;
  if (options.resume && options.checkpointPath && existsSync(options.checkpointPath)) {
    const saved = await loadCheckpoint(options.checkpointPath);
    for (const [name, { data }] of saved.params) {
      const target = model.params.get(name);
      if (target === undefined || target.length !== data.length)
        throw new VlmError(`${options.checkpointPath}: parameter ${name} does not fit this model`);
      target.set(data);
    }
    if (saved.optimizer) optimizer.load(saved.optimizer);
    startStep = saved.step;
  }
  return trainLoop({
    parameterShapes: parameterShapes(model.config),
    params: model.params,
    optimizer,
    steps: options.steps,
    startStep,
    accumulation: options.accumulation,
    clipNorm: options.clipNorm ?? 1,
    schedule: cosineWithWarmup({
      lr: options.lr ?? 1e-3,
      warmupSteps: options.warmupSteps ?? Math.ceil(options.steps * 0.05),
      totalSteps: options.steps,
      minLr: options.minLr ?? 0,
    }),
    metricsPath: options.metricsPath,
    checkpointPath: options.checkpointPath,
    checkpointEvery: options.checkpointEvery,
    progress: options.progress,
    label: options.label ?? 'sft',
    batch: (index) => model.scoreFeeds(answerRows(draw(index))),
    program: {
      step: async (feeds: Readonly<Record<string, Feed>>) => {
        const r = await model.runScore(feeds, {
          gradients: true,
          frozen: isFrozen,
          frozenKey: frozen.join('|'),
        });
        return { loss: r.loss, grads: r.grads };
      },
    },
  });
}

/** Rows whose targets are the answer tokens, weighted −1 / (answer tokens in the batch): the mean NLL. */
export function answerRows(examples: readonly EncodedExample[]): ScoreRow[] {
  const targetsOf = (ex: EncodedExample) => {
    const t: number[] = [];
    for (let i = 1; i < ex.ids.length; i++) if (ex.targets[i]) t.push(i);
    return t;
  };
  const all = examples.map(targetsOf);
  const total = all.reduce((n, t) => n + t.length, 0);
  if (total === 0) throw new VlmError('sft: a batch without answer tokens');
  return examples.map((ex, b) => ({
    ids: ex.ids,
    images: ex.images,
    prefixLength: ex.prefixLength,
    targets: all[b],
    weights: all[b].map(() => -1 / total),
  }));
}

/**
 * Micro-batch `i` of the mixture: megabatch `⌊i / 8⌋` draws 8 batches' worth of examples (dataset by
 * weight, then an example uniformly) from a generator seeded by its index, groups them by padded length
 * and hands out slice `i mod 8`.
 */
function megabatchSampler(datasets: readonly SftDataset[], batchSize: number, seed: number) {
  const weights = datasets.map((d) => d.weight ?? 1);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  if (!(totalWeight > 0)) throw new VlmError('sft: the dataset weights sum to zero');
  let cached: { index: number; examples: EncodedExample[] } | undefined;
  return (micro: number): EncodedExample[] => {
    const index = Math.floor(micro / MEGABATCH);
    if (cached?.index !== index) {
      const rand = mulberry32(seedFromName(`sft-megabatch-${index}`, seed));
      const examples: EncodedExample[] = [];
      for (let n = 0; n < MEGABATCH * batchSize; n++) {
        let u = rand() * totalWeight;
        let d = 0;
        while (d < datasets.length - 1 && u >= weights[d]) u -= weights[d++];
        const pool = datasets[d].examples;
        examples.push(pool[Math.floor(rand() * pool.length)]);
      }
      // Stable sort by padded length only: exact-length order would also sort by answer (e.g. every
      // "left" before every "right"), and batches of one answer teach the prior, not the task.
      examples.sort((a, b) => bucket(a.ids.length, 16) - bucket(b.ids.length, 16));
      cached = { index, examples };
    }
    const slot = micro % MEGABATCH;
    return cached.examples.slice(slot * batchSize, (slot + 1) * batchSize);
  };
}

/**
 * Reads a JSONL file of conversations and encodes every row, so a malformed row, a missing or wrongly sized
 * image, or a conversation longer than the context fails with its file and line before training starts.
 */
export async function loadSftDataset(
  model: Vlm,
  path: string,
  options: { name?: string; weight?: number } = {},
): Promise<SftDataset> {
  const examples: EncodedExample[] = [];
  for (const { conversation, source } of await readConversations(path))
    examples.push(await encodeConversation(model.tokenizer, model.config, conversation, source));
  return { name: options.name ?? path, examples, weight: options.weight };
}
