import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { progressBar } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import { describeMachine } from '../report/machine.js';
import {
  type BenchmarkReport,
  type ChainResult,
  chainsReport,
  type EpisodeResult,
  episodesReport,
  type RunSettings,
} from '../report/results.js';
import { softwareVersions } from '../report/versions.js';
import type { Suite } from '../suites/task.js';
import type { Policy } from '../types.js';
import { type Job, type JobBatch, type JobResult, runJobs } from './jobs.js';
import type { KeptVideo } from './rollout-video-keeper.js';
import { getSuite, SUITES } from './suites.js';
import { VideoCollector } from './video-collector.js';
import { ClaimBoard, parseVideoMode, type VideoMode } from './video-selection.js';

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Trials per task for episode suites (default: the suite's 50). Trial k always starts from fixed state k. */
  readonly trials?: number;
  /** Task indices to run (default: all). */
  readonly tasks?: readonly number[];
  /** Chains for chain suites (default: the suite's 1000). */
  readonly chains?: number;
  /**
   * The first trial (episode suites) or chain (chain suites) to run, default 0: trials `firstTrial`,
   * `firstTrial + 1`, …, so that a validation set can use initial states the evaluation never sees.
   */
  readonly firstTrial?: number;
  /** Seeds the policy (e.g. `random`); initial states and chains are fixed regardless. Default 0. */
  readonly seed?: number;
  /** Actions executed from each chunk before re-querying the policy (default 5, as openpi's LIBERO client). */
  readonly replanSteps?: number;
  /**
   * Worker threads for policy specs on registered suites (default: min(4, cores)); 0 runs in this thread.
   * Policy objects, and suite objects that are not registered, always run in this thread.
   */
  readonly workers?: number;
  /** Camera resolution (default 64). */
  readonly imageSize?: number;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  readonly progress?: boolean;
  /** Called after every finished episode or chain. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Rollouts that keep a video (animated WebP, agent view beside wrist view) in `report.videos`:
   * `sample` (per task the first success and the first failure; for chains the longest and the
   * shortest), `failures`, `all`, or `none` (default: no frame is captured).
   */
  readonly videos?: VideoMode;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new BenchError(`evaluate: ${name} must be a positive integer, got ${value}`);
  return value;
}

function planJobs(suite: Suite, options: EvaluateOptions): Job[] {
  const first = options.firstTrial ?? 0;
  if (!Number.isInteger(first) || first < 0)
    throw new BenchError(`evaluate: firstTrial must be an integer ≥ 0, got ${first}`);
  if (suite.kind === 'chains') {
    const chains = positiveInteger('chains', options.chains ?? suite.defaultChains);
    return Array.from({ length: chains }, (_, k) => ({ kind: 'chain', chain: first + k }));
  }
  const trials = positiveInteger('trials', options.trials ?? suite.trialsPerTask);
  const tasks = options.tasks ?? suite.tasks.map((_, i) => i);
  if (new Set(tasks).size !== tasks.length)
    throw new BenchError(`evaluate: tasks lists a task twice: [${tasks.join(', ')}]`);
  for (const t of tasks) {
    if (!Number.isInteger(t) || t < 0 || t >= suite.tasks.length)
      throw new BenchError(`task index ${t} is not in ${suite.name} (0..${suite.tasks.length - 1})`);
  }
  return tasks.flatMap((taskIndex) =>
    Array.from({ length: trials }, (_, k) => ({ kind: 'episode' as const, taskIndex, trial: first + k })),
  );
}

/** Starts a worker on dist/worker.js, or, when running from source (tests, tsx), on worker.ts through tsx. */
function startWorker(batch: JobBatch): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./worker.js', import.meta.url), { workerData: batch });
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = join(tsxRoot, 'dist/esm/api/index.mjs');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: batch });
}

function runInWorker(
  batch: JobBatch,
  onResult: (r: JobResult, video?: KeptVideo) => void,
  started: Worker[],
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const worker = startWorker(batch);
    started.push(worker);
    let settled = false;
    worker.on(
      'message',
      (
        message:
          | { type: 'result'; result: JobResult; video?: KeptVideo }
          | { type: 'done' }
          | { type: 'error'; message: string },
      ) => {
        if (message.type === 'result') onResult(message.result, message.video);
        else {
          settled = true;
          void worker.terminate();
          if (message.type === 'done') resolvePromise();
          else reject(new BenchError(`evaluation worker failed: ${message.message}`));
        }
      },
    );
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new BenchError(`evaluation worker exited with code ${code} before finishing`));
    });
  });
}

/**
 * Evaluates a policy on a suite: LIBERO-style episodes (per task and per suite success) or CALVIN-style chains
 * (success at each chain step and average length). `policy` is a spec (`random`, `expert`, `ws://host:port`,
 * a module path), run across worker threads, or a `Policy` object, run in this thread.
 *
 * @example
 * const report = await evaluate('random', 'libero-goal', { trials: 2 });
 * console.log(report.successRate);
 */
export async function evaluate(
  policy: string | Policy,
  suite: string | Suite,
  options: EvaluateOptions = {},
): Promise<BenchmarkReport> {
  const resolved = typeof suite === 'string' ? getSuite(suite) : suite;
  const jobs = planJobs(resolved, options);
  const seed = options.seed ?? 0;
  const replanSteps = positiveInteger('replanSteps', options.replanSteps ?? 5);
  const imageSize = positiveInteger('imageSize', options.imageSize ?? 64);
  const requestedWorkers = options.workers ?? Math.min(4, availableParallelism());
  if (!Number.isInteger(requestedWorkers) || requestedWorkers < 0) {
    throw new BenchError(`evaluate: workers must be an integer ≥ 0, got ${requestedWorkers}`);
  }
  const videoMode = parseVideoMode(options.videos ?? 'none');
  const collector = new VideoCollector(videoMode);
  const board =
    videoMode === 'sample'
      ? ClaimBoard.create(ClaimBoard.slotsFor(resolved.kind === 'chains' ? 1 : resolved.tasks.length))
      : undefined;
  const startedAt = new Date();
  const results: JobResult[] = [];
  const bar = progressBar({
    label: `${resolved.name} (${resolved.kind === 'chains' ? 'chains' : 'episodes'})`,
    total: jobs.length,
    enabled: options.progress,
  });
  const onResult = (result: JobResult, video?: KeptVideo) => {
    results.push(result);
    if (video) collector.add(video);
    bar.update(results.length);
    options.onProgress?.(results.length, jobs.length);
  };
  const policyName = typeof policy === 'string' ? policy : 'in-process policy';
  const base = {
    suite: resolved.name,
    policy: policyName,
    seed,
    imageSize,
    replanSteps,
    videos: videoMode,
    ...(board ? { claims: board.buffer } : {}),
  };
  // Workers rebuild policy and suite from their names, so Policy objects and unregistered suites run here.
  const registered = SUITES.includes(resolved);
  const workers = typeof policy === 'string' && registered ? Math.min(requestedWorkers, jobs.length) : 0;
  try {
    if (workers === 0) {
      await runJobs({ ...base, jobs }, onResult, typeof policy === 'string' ? undefined : policy, resolved);
    } else {
      // Round-robin, so each worker gets a mix of tasks of similar total length.
      const batches = Array.from({ length: workers }, (_, w) => jobs.filter((_, i) => i % workers === w));
      const started: Worker[] = [];
      try {
        await Promise.all(batches.map((batch) => runInWorker({ ...base, jobs: batch }, onResult, started)));
      } catch (error) {
        // One worker failed: stop the others instead of letting them run to the end.
        await Promise.all(started.map((w) => w.terminate()));
        throw error;
      }
    }
  } finally {
    bar.stop();
  }
  const run: RunSettings = {
    suite: resolved.name,
    ...(resolved.kind === 'chains'
      ? { chains: jobs.length }
      : {
          trials: options.trials ?? resolved.trialsPerTask,
          tasks: [...new Set(jobs.map((j) => (j.kind === 'episode' ? j.taskIndex : 0)))],
        }),
    replanSteps,
    imageSize,
    workers,
    videos: videoMode,
  };
  const meta = {
    policy: policyName,
    seed,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    machine: describeMachine(),
    run,
    versions: softwareVersions(),
  };
  const videos = videoMode === 'none' ? {} : { videos: collector.videos() };
  if (resolved.kind === 'chains') {
    const chains = (results as ChainResult[]).sort((a, b) => a.chain - b.chain);
    return { ...chainsReport(resolved.name, chains, meta), ...videos };
  }
  const episodes = (results as EpisodeResult[]).sort(
    (a, b) => a.taskIndex - b.taskIndex || a.trial - b.trial,
  );
  return { ...episodesReport(episodes, meta), ...videos };
}
