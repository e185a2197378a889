import { type Policy, randomPolicy } from '@roboalign/serve';
import { seedFromParts } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import type { ChainResult, EpisodeResult } from '../report/results.js';
import type { Suite } from '../suites/task.js';
import { TaskEnvPool } from '../suites/task-env.js';
import { EXPERT, loadPolicy } from './policies.js';
import { runChain, runEpisode } from './run.js';
import { getSuite } from './suites.js';

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
  onResult: (result: JobResult) => void,
  policyOverride?: Policy,
  suiteOverride?: Suite,
): Promise<void> {
  const suite = suiteOverride ?? getSuite(batch.suite);
  const shared =
    policyOverride ??
    (batch.policy === 'random' ? undefined : await loadPolicy(batch.policy, { seed: batch.seed }));
  const envs = new TaskEnvPool({ imageSize: batch.imageSize, render: shared !== EXPERT });
  const options = { replanSteps: batch.replanSteps };
  try {
    for (const job of batch.jobs) {
      const jobKey = job.kind === 'episode' ? `${job.taskIndex}/${job.trial}` : `chain/${job.chain}`;
      const policy = shared ?? randomPolicy(seedFromParts(batch.seed, batch.suite, jobKey));
      if (job.kind === 'episode') {
        if (suite.kind !== 'episodes')
          throw new BenchError(`${suite.name} is a chain suite; it has no episodes`);
        onResult(
          await runEpisode(
            await envs.get(suite.tasks[job.taskIndex].scene),
            suite,
            job.taskIndex,
            job.trial,
            policy,
            options,
          ),
        );
      } else {
        if (suite.kind !== 'chains')
          throw new BenchError(`${suite.name} is an episode suite; it has no chains`);
        onResult(await runChain(await envs.get(suite.scene), suite, job.chain, policy, options));
      }
    }
  } finally {
    await envs.dispose();
    if (!policyOverride && shared && shared !== EXPERT) await shared.close?.();
  }
}
