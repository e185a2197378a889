import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { saveCheckpoint } from '@roboalign/onnx-train';
import cliProgress from 'cli-progress';
import { type ActionHead, seededRandom } from './action-head.js';
import type { HeadDataset } from './dataset.js';

/** Options of {@link trainHead}. */
export interface TrainHeadOptions {
  steps: number;
  /** Seed of batch sampling and flow-matching noise; default 0. */
  seed?: number;
  /** Append `{"step", "loss", "ms"}` per step to this JSON Lines file. */
  metricsPath?: string;
  /** Write a checkpoint (weights and optimizer) every `checkpointEvery` steps. */
  checkpointPath?: string;
  checkpointEvery?: number;
  /** Progress bar on stderr when it is a terminal; default true. */
  progress?: boolean;
}

/** Trains the head on random batches of a dataset; returns the loss of every step. */
export async function trainHead(
  head: ActionHead,
  dataset: HeadDataset,
  options: TrainHeadOptions,
): Promise<number[]> {
  const random = seededRandom(options.seed ?? 0);
  const losses: number[] = [];
  if (options.metricsPath) await mkdir(dirname(options.metricsPath), { recursive: true });
  const bar =
    (options.progress ?? true) && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'action head [{bar}] {value}/{total} loss {loss}', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(options.steps, 0, { loss: '-' });
  try {
    for (let step = 0; step < options.steps; step++) {
      const t0 = performance.now();
      const batch = Array.from({ length: head.batchSize }, () =>
        dataset.get(Math.floor(random() * dataset.size)),
      );
      const loss = await head.trainStep(batch, random);
      losses.push(loss);
      if (options.metricsPath) {
        await appendFile(
          options.metricsPath,
          `${JSON.stringify({ step: step + 1, loss, ms: performance.now() - t0 })}\n`,
        );
      }
      if (options.checkpointPath && options.checkpointEvery && (step + 1) % options.checkpointEvery === 0) {
        await saveCheckpoint(options.checkpointPath, {
          params: head.parametersWithShapes(),
          optimizer: head.optimizer.state(),
          step: step + 1,
        });
      }
      bar?.update(step + 1, { loss: loss.toFixed(4) });
    }
  } finally {
    bar?.stop();
  }
  return losses;
}
