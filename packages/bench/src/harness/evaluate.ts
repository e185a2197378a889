import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { progressBar } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import { describeMachine, type MachineInfo } from '../report/machine.js';
import {
  type BenchmarkReport,
  type ChainResult,
  chainsReport,
  type EpisodeResult,
  episodesReport,
  type ReportMeta,
  type RunSettings,
  type ShardRun,
} from '../report/results.js';
import type { RolloutVideo } from '../report/rollout-video.js';
import { softwareVersions } from '../report/versions.js';
import type { Suite } from '../suites/task.js';
import type { Policy } from '../types.js';
import { type Job, type JobBatch, type JobResult, runJobs } from './jobs.js';
import type { KeptVideo } from './rollout-video-keeper.js';
import { type Shard, shardOf } from './shard.js';
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

/** What an evaluation ran, as shards of one run must agree on it (the settings that decide its results). */
export interface EvaluationConfig {
  readonly suite: string;
  readonly kind: 'episodes' | 'chains';
  /** The policy spec, or `in-process policy` for a `Policy` object. */
  readonly policy: string;
  readonly seed: number;
  readonly replanSteps: number;
  readonly imageSize: number;
  readonly videos: VideoMode;
  /** The first trial (episodes) or chain (chains). */
  readonly firstTrial: number;
  /** Episode suites: trials per task and the task indices, in the order given. */
  readonly trials?: number;
  readonly tasks?: readonly number[];
  /** Chain suites: the number of chains. */
  readonly chains?: number;
}

/** The settings and the work list of an evaluation, before any of it runs. */
export interface EvaluationPlan {
  readonly suite: Suite;
  readonly config: EvaluationConfig;
  /** Every episode or chain of the run, task-major (task, then trial) or by chain number. */
  readonly jobs: readonly Job[];
}

/** Checks the options and lists the run's episodes or chains. */
export function planEvaluation(
  policy: string | Policy,
  suite: string | Suite,
  options: EvaluateOptions = {},
): EvaluationPlan {
  const resolved = typeof suite === 'string' ? getSuite(suite) : suite;
  const jobs = planJobs(resolved, options);
  const common = {
    suite: resolved.name,
    policy: typeof policy === 'string' ? policy : 'in-process policy',
    seed: options.seed ?? 0,
    replanSteps: positiveInteger('replanSteps', options.replanSteps ?? 5),
    imageSize: positiveInteger('imageSize', options.imageSize ?? 64),
    videos: parseVideoMode(options.videos ?? 'none'),
    firstTrial: options.firstTrial ?? 0,
  };
  const config: EvaluationConfig =
    resolved.kind === 'chains'
      ? { ...common, kind: 'chains', chains: jobs.length }
      : {
          ...common,
          kind: 'episodes',
          trials: options.trials ?? resolved.trialsPerTask,
          tasks: [...new Set(jobs.map((j) => (j.kind === 'episode' ? j.taskIndex : 0)))],
        };
  return { suite: resolved, config, jobs };
}

/** What running some of a plan's jobs gave: results (sorted), kept videos, timing and thread count. */
export interface Executed {
  readonly results: JobResult[];
  readonly videos: RolloutVideo[];
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly workers: number;
}

/** Runs `jobs` (all of a plan's, or a shard of them) and sorts the results by task and trial, or by chain. */
async function execute(
  policy: string | Policy,
  plan: EvaluationPlan,
  jobs: readonly Job[],
  options: EvaluateOptions,
): Promise<Executed> {
  const { suite: resolved, config } = plan;
  const requestedWorkers = options.workers ?? Math.min(4, availableParallelism());
  if (!Number.isInteger(requestedWorkers) || requestedWorkers < 0) {
    throw new BenchError(`evaluate: workers must be an integer ≥ 0, got ${requestedWorkers}`);
  }
  const videoMode = config.videos;
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
  const base = {
    suite: resolved.name,
    policy: config.policy,
    seed: config.seed,
    imageSize: config.imageSize,
    replanSteps: config.replanSteps,
    videos: videoMode,
    ...(board ? { claims: board.buffer } : {}),
  };
  // Workers rebuild policy and suite from their names, so Policy objects and unregistered suites run here.
  const registered = SUITES.includes(resolved);
  const workers = typeof policy === 'string' && registered ? Math.min(requestedWorkers, jobs.length) : 0;
  try {
    if (jobs.length === 0) {
      // An empty shard (more shards than episodes): nothing to run, and no policy to load or connect to.
    } else if (workers === 0) {
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
  const durationMs = Date.now() - startedAt.getTime();
  return { results: sortResults(results), videos: collector.videos(), startedAt, durationMs, workers };
}

/** Episodes by task and trial, chains by number: the order a report lists them in. */
export function sortResults(results: readonly JobResult[]): JobResult[] {
  return [...results].sort((a, b) =>
    'chain' in a && 'chain' in b
      ? a.chain - b.chain
      : (a as EpisodeResult).taskIndex - (b as EpisodeResult).taskIndex ||
        (a as EpisodeResult).trial - (b as EpisodeResult).trial,
  );
}

/** How a run was timed and where it ran, as its report's meta records it beside the configuration. */
export interface RunRecord {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  readonly versions: Record<string, string>;
  /** Worker threads used. */
  readonly workers: number;
  /** Merged runs: each shard's own record. */
  readonly shards?: ShardRun[];
}

/**
 * The report of a run: `results` (sorted, every planned episode or chain) under `config`, with the kept
 * `videos`. `evaluate` and `mergeShards` both build their reports here, so a merged report is built exactly
 * as an unsharded one.
 */
export function reportFrom(
  config: EvaluationConfig,
  results: readonly JobResult[],
  record: RunRecord,
  videos?: readonly RolloutVideo[],
): BenchmarkReport {
  const run: RunSettings = {
    suite: config.suite,
    ...(config.kind === 'chains'
      ? { chains: config.chains }
      : { trials: config.trials, tasks: [...(config.tasks ?? [])] }),
    replanSteps: config.replanSteps,
    imageSize: config.imageSize,
    workers: record.workers,
    videos: config.videos,
  };
  const meta: ReportMeta = {
    policy: config.policy,
    seed: config.seed,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    machine: record.machine,
    run,
    versions: record.versions,
    ...(record.shards ? { shards: record.shards } : {}),
  };
  const kept = config.videos === 'none' ? {} : { videos: [...(videos ?? [])] };
  if (config.kind === 'chains')
    return { ...chainsReport(config.suite, results as ChainResult[], meta), ...kept };
  return { ...episodesReport(results as EpisodeResult[], meta), ...kept };
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
  const plan = planEvaluation(policy, suite, options);
  const ran = await execute(policy, plan, plan.jobs, options);
  return reportFrom(
    plan.config,
    ran.results,
    {
      startedAt: ran.startedAt.toISOString(),
      durationMs: ran.durationMs,
      machine: describeMachine(),
      versions: softwareVersions(),
      workers: ran.workers,
    },
    ran.videos,
  );
}

/** One shard's share of an evaluation, as `evaluateShard` returns it and `writeShard` stores it. */
export interface ShardOutput {
  readonly shard: Shard;
  /** The whole run's configuration: every shard of one run has the same. */
  readonly config: EvaluationConfig;
  /** Episodes or chains of the whole run (all shards). */
  readonly planned: number;
  /** This shard's run: when, how long, where, with which software and how many threads. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  readonly versions: Record<string, string>;
  readonly workers: number;
  /** This shard's results, sorted as in a report. */
  readonly results: JobResult[];
  /** The videos this shard kept (for `sample`: the best of its own rollouts per task and outcome). */
  readonly videos: RolloutVideo[];
}

/**
 * Runs shard `shard.index` of `shard.count` of an evaluation: the episodes (task-major) or chains that
 * {@link shardOf} assigns it, each exactly as `evaluate` would run it. `mergeShards` combines the outputs
 * of all shards into the report an unsharded `evaluate` gives.
 *
 * @example
 * const part = await evaluateShard('expert', 'libero-goal', { index: 0, count: 2 }, { trials: 2 });
 */
export async function evaluateShard(
  policy: string | Policy,
  suite: string | Suite,
  shard: Shard,
  options: EvaluateOptions = {},
): Promise<ShardOutput> {
  const plan = planEvaluation(policy, suite, options);
  const jobs = shardOf(plan.jobs, shard.index, shard.count);
  const ran = await execute(policy, plan, jobs, options);
  return {
    shard: { index: shard.index, count: shard.count },
    config: plan.config,
    planned: plan.jobs.length,
    startedAt: ran.startedAt.toISOString(),
    durationMs: ran.durationMs,
    machine: describeMachine(),
    versions: softwareVersions(),
    workers: ran.workers,
    results: ran.results,
    videos: ran.videos,
  };
}
