import { type Policy, randomPolicy } from '@roboalign/serve';
import { seedFromParts } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import type { ChainResult, EpisodeResult } from '../report/results.js';
import type { Suite } from '../suites/task.js';
import { TaskEnvPool } from '../suites/task-env.js';
import { EXPERT, loadPolicy } from './policies.js';
import { RolloutFrames } from './rollout-frames.js';
import { type KeptVideo, keepRolloutVideo } from './rollout-video-keeper.js';
import { runChainCounted, runEpisode } from './run.js';
import { getSuite } from './suites.js';
import { ClaimBoard, type VideoMode } from './video-selection.js';

/** One unit of evaluation work. */
export type Job =
  | { readonly kind: 'episode'; readonly taskIndex: number; readonly trial: number }
  | { readonly kind: 'chain'; readonly chain: number };

/** Everything a runner (the main thread or a worker) needs, as plain data. */
export interface JobBatch {
  readonly suite: string;
  readonly policy: string;
  readonly seed: number;
  readonly imageSize: number;
  readonly replanSteps: number;
  readonly jobs: readonly Job[];
  /** Which rollouts keep a video (default none: no frame is captured). */
  readonly videos?: VideoMode;
  /** The `sample` claim board, shared by every runner of one evaluation. */
  readonly claims?: SharedArrayBuffer;
}

/** A result of either kind. */
export type JobResult = EpisodeResult | ChainResult;

/**
 * Runs a batch in this thread, calling `onResult` after each job (on `suiteOverride` when given, else the
 * registered suite named in the batch). Environments are compiled once per scene;
 * `random` gets its own stream per job, so results do not depend on how jobs are split across workers.
 */
export async function runJobs(
  batch: JobBatch,
  onResult: (result: JobResult, video?: KeptVideo) => void,
  policyOverride?: Policy,
  suiteOverride?: Suite,
): Promise<void> {
  const suite = suiteOverride ?? getSuite(batch.suite);
  const shared =
    policyOverride ??
    (batch.policy === 'random' ? undefined : await loadPolicy(batch.policy, { seed: batch.seed }));
  const videos = batch.videos ?? 'none';
  // The expert needs no camera, unless its rollouts are filmed.
  const envs = new TaskEnvPool({
    imageSize: batch.imageSize,
    render: shared !== EXPERT || videos !== 'none',
  });
  const frames = videos === 'none' ? undefined : new RolloutFrames();
  const board = batch.claims ? new ClaimBoard(batch.claims) : undefined;
  const options = { replanSteps: batch.replanSteps, frames };
  try {
    for (const job of batch.jobs) {
      const jobKey = job.kind === 'episode' ? `${job.taskIndex}/${job.trial}` : `chain/${job.chain}`;
      const policy = shared ?? randomPolicy(seedFromParts(batch.seed, batch.suite, jobKey));
      if (job.kind === 'episode') {
        if (suite.kind !== 'episodes')
          throw new BenchError(`${suite.name} is a chain suite; it has no episodes`);
        frames?.clear();
        const result = await runEpisode(
          await envs.get(suite.tasks[job.taskIndex].scene),
          suite,
          job.taskIndex,
          job.trial,
          policy,
          options,
        );
        const video = frames
          ? await keepRolloutVideo({ kind: 'episode', result }, frames, videos, board, batch.replanSteps)
          : undefined;
        onResult(result, video);
      } else {
        if (suite.kind !== 'chains')
          throw new BenchError(`${suite.name} is an episode suite; it has no chains`);
        frames?.clear();
        const run = await runChainCounted(await envs.get(suite.scene), suite, job.chain, policy, options);
        const video = frames
          ? await keepRolloutVideo(
              { kind: 'chain', suite: suite.name, ...run },
              frames,
              videos,
              board,
              batch.replanSteps,
            )
          : undefined;
        onResult(run.result, video);
      }
    }
  } finally {
    frames?.clear();
    await envs.dispose();
    if (!policyOverride && shared && shared !== EXPERT) await shared.close?.();
  }
}
