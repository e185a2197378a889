import { cosineWithWarmup, type EvalMetrics, trainLoop } from '@roboalign/onnx-train';
import { type ActionHead, type HeadSample, seededRandom } from './action-head.js';
import type { HeadDataset } from './dataset.js';
import { ActionHeadError } from './errors.js';

/** A learning-rate schedule of {@link trainHead}. */
export type HeadSchedule = 'constant' | 'cosine' | ((step: number) => number);

/** GR00T N1.5's fine-tuning scripts warm up over this share of the steps (`--warmup_ratio 0.05`). */
const GR00T_WARMUP_RATIO = 0.05;

function scheduleFunction(
  schedule: HeadSchedule,
  lr: number,
  steps: number,
): ((step: number) => number) | undefined {
  if (typeof schedule === 'function') return schedule;
  if (schedule === 'constant') return undefined;
  if (schedule === 'cosine')
    return cosineWithWarmup({
      lr,
      warmupSteps: Math.max(1, Math.round(GR00T_WARMUP_RATIO * steps)),
      totalSteps: steps,
    });
  throw new ActionHeadError(
    `trainHead: schedule must be 'constant', 'cosine' or a function, got ${String(schedule)}`,
  );
}

/** Options of {@link trainHead}. */
export interface TrainHeadOptions {
  steps: number;
  /**
   * The learning rate over training: `'constant'` (the default) keeps the head's rate; `'cosine'` is GR00T
   * N1.5's fine-tuning schedule (linear warm-up over the first 5% of steps, then cosine decay to 0); a
   * function gives the rate of each step, counted from 0.
   */
  schedule?: HeadSchedule;
  /** Seed of batch sampling and flow-matching noise; default 0. */
  seed?: number;
  /** Append `{"step", "loss", "lr", "gradNorm", "ms"}` (and any evaluation metrics) per step to this JSON Lines file. */
  metricsPath?: string;
  /** Write a checkpoint (weights and optimizer) every `checkpointEvery` steps. */
  checkpointPath?: string;
  checkpointEvery?: number;
  /** Progress bar on stderr when it is a terminal; default true. */
  progress?: boolean;
  /** Run `evaluate` after every `evalEvery` steps; both or neither must be given. */
  evalEvery?: number;
  /** An evaluation after `step` steps (the head has the new weights); its metrics join that step's JSONL line. */
  evaluate?: (step: number) => EvalMetrics | Promise<EvalMetrics>;
}

/** `batchSize` samples drawn uniformly with replacement. */
function sampleBatch(dataset: HeadDataset, batchSize: number, random: () => number): HeadSample[] {
  return Array.from({ length: batchSize }, () => dataset.get(Math.floor(random() * dataset.size)));
}

/**
 * Trains the head on random batches of a dataset with onnx-train's `trainLoop` (JSONL metrics, atomic
 * checkpoints, progress bar, optional evaluation); returns the loss of every step.
 */
export async function trainHead(
  head: ActionHead,
  dataset: HeadDataset,
  options: TrainHeadOptions,
): Promise<number[]> {
  const random = seededRandom(options.seed ?? 0);
  const history = await trainLoop({
    ...head.loopParts(),
    // One stream for batches and noise, drawn in this order each step, so a seed gives one run.
    batch: () => head.trainingFeeds(sampleBatch(dataset, head.batchSize, random), random),
    steps: options.steps,
    schedule: scheduleFunction(options.schedule ?? 'constant', head.optimizer.options.lr, options.steps),
    metricsPath: options.metricsPath,
    checkpointPath: options.checkpointPath,
    checkpointEvery: options.checkpointEvery,
    progress: options.progress,
    label: 'action head',
    afterUpdate: () => head.weightsChanged(),
    evalEvery: options.evalEvery,
    evaluate: options.evaluate,
  });
  return history.map((m) => m.loss);
}
