import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import cliProgress from 'cli-progress';
import { saveCheckpoint } from './checkpoint.js';
import type { Graph } from './graph.js';
import { type AdamW, accumulateGrads, clipGradNorm, type SGD } from './optim.js';
import type { Feed } from './runtime.js';
import type { TrainingProgram } from './training.js';

/** Options of {@link trainLoop}. */
export interface TrainLoopOptions {
  graph: Graph;
  program: TrainingProgram;
  /** Parameter values, updated in place. */
  params: Map<string, Float32Array | Float64Array>;
  optimizer: AdamW | SGD;
  /** Feeds of micro-batch `i` (steps × accumulation micro-batches are drawn in order). */
  batch: (index: number) => Readonly<Record<string, Feed>> | Promise<Readonly<Record<string, Feed>>>;
  steps: number;
  /** Micro-batches per optimizer step (gradient accumulation); default 1. */
  accumulation?: number;
  /** Learning rate per step; default the optimizer's. */
  schedule?: (step: number) => number;
  /** Clip the global gradient norm to this value. */
  clipNorm?: number;
  /** Append one JSON object per step to this file. */
  metricsPath?: string;
  /** Write a checkpoint every this many steps to `checkpointPath`. */
  checkpointEvery?: number;
  checkpointPath?: string;
  /** Step to start from (after a resume); default 0. */
  startStep?: number;
  /** Show a progress bar on stderr when it is a terminal; default true. */
  progress?: boolean;
}

/** One step's metrics. */
export interface StepMetrics {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  ms: number;
}

/**
 * The training loop: micro-batches, gradient accumulation, clipping, learning-rate schedule, optimizer
 * step, JSONL metrics, periodic atomic checkpoints, and a progress bar. Returns every step's metrics.
 */
export async function trainLoop(options: TrainLoopOptions): Promise<StepMetrics[]> {
  const { graph, program, params, optimizer, steps } = options;
  const accumulation = options.accumulation ?? 1;
  const start = options.startStep ?? 0;
  const history: StepMetrics[] = [];
  if (options.metricsPath) await mkdir(dirname(options.metricsPath), { recursive: true });
  const bar =
    (options.progress ?? true) && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'train [{bar}] {value}/{total} loss {loss}', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(steps, start, { loss: '-' });
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
      const gradNorm =
        options.clipNorm !== undefined
          ? clipGradNorm(acc, options.clipNorm)
          : clipGradNorm(acc, Number.POSITIVE_INFINITY);
      const lr = options.schedule ? options.schedule(step) : optimizer.options.lr;
      optimizer.step(params, acc, lr);
      const metrics: StepMetrics = { step: step + 1, loss, lr, gradNorm, ms: performance.now() - t0 };
      history.push(metrics);
      if (options.metricsPath) await appendFile(options.metricsPath, `${JSON.stringify(metrics)}\n`);
      if (options.checkpointEvery && options.checkpointPath && (step + 1) % options.checkpointEvery === 0) {
        const withShapes = new Map(
          [...graph.parameters].map(([name, p]) => [name, { data: params.get(name)!, shape: p.value.shape }]),
        );
        await saveCheckpoint(options.checkpointPath, {
          params: withShapes,
          optimizer: 'state' in optimizer ? optimizer.state() : undefined,
          step: step + 1,
        });
      }
      bar?.update(step + 1, { loss: loss.toFixed(4) });
    }
  } finally {
    bar?.stop();
  }
  return history;
}
