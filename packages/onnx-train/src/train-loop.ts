import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { appendJsonl, progressBar, writeFileAtomic } from '@roboalign/utils';
import { saveCheckpoint } from './checkpoint.js';
import { GraphError } from './errors.js';
import type { Graph } from './graph.js';
import { type AdamW, accumulateGrads, clipGradNorm, type SGD } from './optim.js';
import type { Feed } from './runtime.js';
import type { TrainingProgram } from './training.js';

/** Metrics an evaluation returns, by name (e.g. `{ val_loss: 0.12 }`). */
export type EvalMetrics = Readonly<Record<string, number>>;

/** Options of {@link trainLoop}. */
export interface TrainLoopOptions {
  /**
   * Shapes of the parameters, by name, for the checkpoints (which record them); required with
   * `checkpointPath`. The loop needs nothing else of the model's graph.
   */
  parameterShapes?: ReadonlyMap<string, readonly number[]>;
  /** @deprecated Pass `parameterShapes`; a graph given here only lends its parameters' shapes. */
  graph?: Graph;
  /** What computes the loss and gradients of a micro-batch: a {@link TrainingProgram}, or any object with its `step`. */
  program: Pick<TrainingProgram, 'step'>;
  /** Parameter values, updated in place. */
  params: Map<string, Float32Array | Float64Array>;
  optimizer: AdamW | SGD;
  /**
   * Feeds of micro-batch `i` (steps × accumulation micro-batches are drawn in order), built when the loop
   * needs them, so a caller can sample a batch and its noise per step.
   */
  batch: (index: number) => Readonly<Record<string, Feed>> | Promise<Readonly<Record<string, Feed>>>;
  steps: number;
  /** Micro-batches per optimizer step (gradient accumulation); default 1. */
  accumulation?: number;
  /** Learning rate per step; default the optimizer's. */
  schedule?: (step: number) => number;
  /** Clip the global gradient norm to this value. */
  clipNorm?: number;
  /**
   * Append one JSON object per step to this file (its folders are created). The run owns the file: lines
   * past `startStep` (left by an interrupted run or an earlier one) are dropped before the first step.
   */
  metricsPath?: string;
  /** Write a checkpoint every this many steps to `checkpointPath`. */
  checkpointEvery?: number;
  checkpointPath?: string;
  /** Step to start from (after a resume); default 0. */
  startStep?: number;
  /** Show a progress bar on stderr when it is a terminal; default true. */
  progress?: boolean;
  /** Label of the progress bar; default `train`. */
  label?: string;
  /**
   * Called after each optimizer step with the number of steps done, before evaluation, logging and
   * checkpoints: the place to drop anything that holds the old weights (an inference session).
   */
  afterUpdate?: (step: number) => void | Promise<void>;
  /** Run `evaluate` after every `evalEvery` steps; both or neither must be given. */
  evalEvery?: number;
  /** An evaluation after `step` steps; its metrics join that step's JSONL line and `StepMetrics.evaluation`. */
  evaluate?: (step: number) => EvalMetrics | Promise<EvalMetrics>;
}

/** One step's metrics. */
export interface StepMetrics {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  ms: number;
  /** What `evaluate` returned, on the steps it ran. */
  evaluation?: EvalMetrics;
}

const LOOP_KEYS = new Set(['step', 'loss', 'lr', 'gradNorm', 'ms']);

function checkHooks(options: TrainLoopOptions): void {
  const { evalEvery, evaluate } = options;
  if ((evalEvery === undefined) !== (evaluate === undefined)) {
    throw new GraphError(
      `trainLoop: evalEvery and evaluate go together, got ${evalEvery === undefined ? 'evaluate only' : 'evalEvery only'}`,
    );
  }
  if (evalEvery !== undefined && !(Number.isInteger(evalEvery) && evalEvery > 0)) {
    throw new GraphError(`trainLoop: evalEvery must be a positive integer, got ${evalEvery}`);
  }
}

/** Evaluation metrics share the JSONL line with the loop's, so they must not reuse the loop's names. */
function checkEvaluation(evaluation: EvalMetrics, step: number): EvalMetrics {
  for (const key of Object.keys(evaluation)) {
    if (LOOP_KEYS.has(key)) {
      throw new GraphError(`trainLoop: evaluate returned "${key}" at step ${step}, a name the loop logs`);
    }
  }
  return evaluation;
}

/** The JSONL line of a step: the loop's metrics with the evaluation's merged in. */
function jsonlLine({ evaluation, ...metrics }: StepMetrics): Record<string, number> {
  return { ...metrics, ...evaluation };
}

/**
 * The training loop: micro-batches, gradient accumulation, clipping, learning-rate schedule, optimizer
 * step, an after-update hook, periodic evaluation, JSONL metrics, periodic atomic checkpoints, and a
 * progress bar. Returns every step's metrics.
 */
/** Keeps the JSONL lines whose `step` is at most `step`, atomically; a missing file stays missing. */
async function keepMetricsUpTo(path: string, step: number): Promise<void> {
  if (!existsSync(path)) return;
  const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const kept = lines.filter((l, i) => {
    let parsed: { step?: unknown };
    try {
      parsed = JSON.parse(l) as { step?: unknown };
    } catch (error) {
      throw new Error(`${path}:${i + 1}: not a JSON line (${(error as Error).message})`);
    }
    return typeof parsed.step === 'number' && parsed.step <= step;
  });
  if (kept.length !== lines.length) await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}

export async function trainLoop(options: TrainLoopOptions): Promise<StepMetrics[]> {
  const { program, params, optimizer, steps } = options;
  checkHooks(options);
  const shapes =
    options.parameterShapes ??
    (options.graph
      ? new Map([...options.graph.parameters].map(([name, p]) => [name, p.value.shape]))
      : undefined);
  if (options.checkpointPath && options.checkpointEvery && shapes === undefined)
    throw new GraphError('trainLoop: checkpoints record parameter shapes; pass parameterShapes');
  const accumulation = options.accumulation ?? 1;
  const start = options.startStep ?? 0;
  if (options.metricsPath) await keepMetricsUpTo(options.metricsPath, start);
  const history: StepMetrics[] = [];
  const bar = progressBar({
    label: options.label ?? 'train',
    total: steps,
    start,
    enabled: options.progress ?? true,
  });
  try {
    for (let step = start; step < steps; step++) {
      const t0 = performance.now();
      const acc = new Map<string, Float64Array>();
      let loss = 0;
      for (let k = 0; k < accumulation; k++) {
        const result = await program.step(await options.batch(step * accumulation + k), params);
        loss += result.loss / accumulation;
        accumulateGrads(acc, result.grads, 1 / accumulation);
      }
      const gradNorm = clipGradNorm(acc, options.clipNorm ?? Number.POSITIVE_INFINITY);
      const lr = options.schedule ? options.schedule(step) : optimizer.options.lr;
      optimizer.step(params, acc, lr);
      const done = step + 1;
      const metrics: StepMetrics = { step: done, loss, lr, gradNorm, ms: performance.now() - t0 };
      await options.afterUpdate?.(done);
      if (options.evaluate && options.evalEvery && done % options.evalEvery === 0) {
        metrics.evaluation = checkEvaluation(await options.evaluate(done), done);
      }
      history.push(metrics);
      if (options.metricsPath) await appendJsonl(options.metricsPath, jsonlLine(metrics));
      if (options.checkpointEvery && options.checkpointPath && done % options.checkpointEvery === 0) {
        const withShapes = new Map(
          [...shapes!].map(([name, shape]) => [name, { data: params.get(name)!, shape: [...shape] }]),
        );
        await saveCheckpoint(options.checkpointPath, {
          params: withShapes,
          optimizer: 'state' in optimizer ? optimizer.state() : undefined,
          step: done,
        });
      }
      bar.update(done, { loss: loss.toFixed(4), ...metrics.evaluation });
    }
  } finally {
    bar.stop();
  }
  return history;
}
