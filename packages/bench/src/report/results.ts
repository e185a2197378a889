import { BenchError } from '../errors.js';
import type { MachineInfo } from './machine.js';
import type { RolloutVideo } from './rollout-video.js';

/** The number of subtasks in one CALVIN-style chain. */
export const CHAIN_LENGTH = 5;

/** The outcome of one LIBERO-style episode (one task, one trial). */
export interface EpisodeResult {
  /** Suite name, e.g. `libero_spatial`. */
  suite: string;
  /** 0-based task index within the suite. */
  taskIndex: number;
  taskName: string;
  instruction: string;
  /** 0-based trial number for this task. */
  trial: number;
  seed: number;
  success: boolean;
  /** Control steps taken before success or the step limit. */
  steps: number;
}

/** The outcome of one CALVIN-style chain of five instructions. */
export interface ChainResult {
  /** 0-based chain number. */
  chain: number;
  seed: number;
  /** The five subtask names, in order. */
  tasks: string[];
  /** Subtasks completed before the first failure, 0..5. */
  completed: number;
}

/** Success counts for one task of a suite. */
export interface TaskSummary {
  taskIndex: number;
  taskName: string;
  instruction: string;
  trials: number;
  successes: number;
  /** `successes / trials`. */
  successRate: number;
}

/** Success counts for one suite, per task and overall. */
export interface SuiteSummary {
  suite: string;
  /** Sorted by task index. */
  tasks: TaskSummary[];
  trials: number;
  successes: number;
  /** `successes / trials` over all episodes of the suite. */
  successRate: number;
}

/** CALVIN-style summary of a set of chains. */
export interface ChainSummary {
  suite: string;
  /** Number of chains evaluated. */
  chains: number;
  /** `stepRates[k-1]` = fraction of chains that completed at least `k` subtasks, k = 1..5. */
  stepRates: number[];
  /** Mean number of completed subtasks; equals the sum of `stepRates`. */
  avgLen: number;
}

/** How an evaluation was set up, as its report records it. */
export interface RunSettings {
  suite: string;
  /** Trials per task (episode suites). */
  trials?: number;
  /** Task indices evaluated (episode suites). */
  tasks?: number[];
  /** Chains evaluated (chain suites). */
  chains?: number;
  replanSteps: number;
  imageSize: number;
  /** Worker threads used (0: the calling thread). */
  workers: number;
  /** Which rollouts kept a video: `none`, `failures`, `sample` or `all`. */
  videos: string;
}

/** One shard of a merged run (`roboalign-bench merge`): which, when, how long, where. */
export interface ShardRun {
  /** Shard `index` of `count`, numbered from 0. */
  index: number;
  count: number;
  /** Episodes or chains this shard ran. */
  rollouts: number;
  /** ISO-8601 start time of this shard. */
  startedAt: string;
  durationMs: number;
  /** Worker threads this shard used. */
  workers: number;
  machine: MachineInfo;
}

/** Who ran the benchmark, when and where. */
export interface ReportMeta {
  policy: string;
  /** The base seed of the run. */
  seed: number;
  /** ISO-8601 start time, e.g. `2025-01-31T12:00:00.000Z`. */
  startedAt: string;
  durationMs: number;
  machine: MachineInfo;
  /** The evaluation's settings (reports written by `evaluate` have them). */
  run?: RunSettings;
  /** Versions of the software that ran it: `node`, `@roboalign/bench`, `mujoco-js`, … */
  versions?: Record<string, string>;
  /**
   * Merged runs only: every shard, by index. The run's `startedAt` is then the first shard's start,
   * `durationMs` the span to the last shard's end, `machine` shard 0's and `run.workers` the most any
   * shard used.
   */
  shards?: ShardRun[];
}

/** A report over LIBERO-style episodes. */
export interface EpisodesReport {
  kind: 'episodes';
  suites: SuiteSummary[];
  /** Successes / episodes pooled over all suites (equals the mean of suite rates when suites have equal episode counts). */
  successRate: number;
  episodes: EpisodeResult[];
  meta: ReportMeta;
  /** Rollout videos kept by `evaluate`'s `videos` option (not part of the JSON). */
  videos?: RolloutVideo[];
}

/** A report over CALVIN-style chains. */
export interface ChainsReport {
  kind: 'chains';
  chains: ChainSummary;
  /**
   * Defined as `avgLen / 5`: the mean fraction of a chain's five subtasks completed.
   * (Not `stepRates[0]`, which only says how often the first subtask succeeded.)
   */
  successRate: number;
  avgLen: number;
  results: ChainResult[];
  meta: ReportMeta;
  /** Rollout videos kept by `evaluate`'s `videos` option (not part of the JSON). */
  videos?: RolloutVideo[];
}

/** Either kind of benchmark report; `kind` tells them apart. */
export type BenchmarkReport = EpisodesReport | ChainsReport;

function fail(where: string, message: string): never {
  throw new BenchError(`${where}: ${message}`);
}

function isNonNegativeInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function checkEpisode(e: EpisodeResult, i: number): void {
  const where = `episodes[${i}]`;
  if (typeof e.suite !== 'string' || e.suite.length === 0) fail(where, 'suite must be a non-empty string');
  if (!isNonNegativeInteger(e.taskIndex))
    fail(where, `taskIndex must be a non-negative integer, got ${e.taskIndex}`);
  if (!isNonNegativeInteger(e.trial)) fail(where, `trial must be a non-negative integer, got ${e.trial}`);
  if (typeof e.success !== 'boolean') fail(where, `success must be a boolean, got ${typeof e.success}`);
}

/**
 * Groups episodes by suite (in order of first appearance) and by task (sorted by task index),
 * counting trials and successes. Throws on empty input, malformed episodes, a task index whose
 * name or instruction differs between episodes, or the same (suite, task, trial) twice.
 */
export function summarizeEpisodes(results: readonly EpisodeResult[]): SuiteSummary[] {
  if (results.length === 0) throw new BenchError('summarizeEpisodes: no episode results to summarize');
  const suites = new Map<string, Map<number, TaskSummary>>();
  const seen = new Set<string>();
  results.forEach((e, i) => {
    checkEpisode(e, i);
    const key = JSON.stringify([e.suite, e.taskIndex, e.trial]);
    if (seen.has(key))
      fail(`episodes[${i}]`, `suite ${e.suite} task ${e.taskIndex} trial ${e.trial} appears twice`);
    seen.add(key);
    let tasks = suites.get(e.suite);
    if (!tasks) {
      tasks = new Map();
      suites.set(e.suite, tasks);
    }
    let task = tasks.get(e.taskIndex);
    if (!task) {
      task = {
        taskIndex: e.taskIndex,
        taskName: e.taskName,
        instruction: e.instruction,
        trials: 0,
        successes: 0,
        successRate: 0,
      };
      tasks.set(e.taskIndex, task);
    } else if (task.taskName !== e.taskName || task.instruction !== e.instruction) {
      fail(
        `episodes[${i}]`,
        `suite ${e.suite} task ${e.taskIndex} is "${e.taskName}" / "${e.instruction}" but earlier episodes call it "${task.taskName}" / "${task.instruction}"`,
      );
    }
    task.trials += 1;
    if (e.success) task.successes += 1;
  });
  return [...suites].map(([suite, taskMap]) => {
    const tasks = [...taskMap.values()].sort((a, b) => a.taskIndex - b.taskIndex);
    let trials = 0;
    let successes = 0;
    for (const t of tasks) {
      t.successRate = t.successes / t.trials;
      trials += t.trials;
      successes += t.successes;
    }
    return { suite, tasks, trials, successes, successRate: successes / trials };
  });
}

/**
 * CALVIN's metric: for k = 1..5 the fraction of chains that completed at least k subtasks in a row,
 * and the average chain length (mean completed subtasks). Throws on empty input, a chain without
 * exactly five task names, a `completed` outside 0..5 or not an integer, or a repeated chain number.
 */
export function summarizeChains(suite: string, results: readonly ChainResult[]): ChainSummary {
  if (results.length === 0) throw new BenchError(`summarizeChains(${suite}): no chain results to summarize`);
  const atLeast = new Array<number>(CHAIN_LENGTH).fill(0);
  const seen = new Set<number>();
  let total = 0;
  for (const r of results) {
    const where = `summarizeChains(${suite}): chain ${r.chain}`;
    if (seen.has(r.chain)) fail(where, 'appears twice');
    seen.add(r.chain);
    if (!Array.isArray(r.tasks) || r.tasks.length !== CHAIN_LENGTH)
      fail(
        where,
        `expected ${CHAIN_LENGTH} task names, got ${Array.isArray(r.tasks) ? r.tasks.length : 'none'}`,
      );
    if (!Number.isInteger(r.completed) || r.completed < 0 || r.completed > CHAIN_LENGTH)
      fail(where, `completed must be an integer in 0..${CHAIN_LENGTH}, got ${r.completed}`);
    for (let k = 0; k < r.completed; k++) atLeast[k] += 1;
    total += r.completed;
  }
  const n = results.length;
  return { suite, chains: n, stepRates: atLeast.map((c) => c / n), avgLen: total / n };
}

function checkMeta(meta: ReportMeta): void {
  if (typeof meta.policy !== 'string' || meta.policy.length === 0)
    fail('report meta', 'policy must be a non-empty string');
  if (typeof meta.startedAt !== 'string' || Number.isNaN(Date.parse(meta.startedAt)))
    fail('report meta', `startedAt must be an ISO-8601 time, got ${JSON.stringify(meta.startedAt)}`);
  if (!(meta.durationMs >= 0)) fail('report meta', `durationMs must be >= 0, got ${meta.durationMs}`);
}

/** Builds an episodes report: per-suite summaries plus the pooled success rate. */
export function episodesReport(episodes: readonly EpisodeResult[], meta: ReportMeta): EpisodesReport {
  checkMeta(meta);
  const suites = summarizeEpisodes(episodes);
  const successes = suites.reduce((s, x) => s + x.successes, 0);
  const trials = suites.reduce((s, x) => s + x.trials, 0);
  return { kind: 'episodes', suites, successRate: successes / trials, episodes: [...episodes], meta };
}

/** Builds a chains report; `successRate` is `avgLen / 5`. */
export function chainsReport(suite: string, results: readonly ChainResult[], meta: ReportMeta): ChainsReport {
  checkMeta(meta);
  const chains = summarizeChains(suite, results);
  return {
    kind: 'chains',
    chains,
    successRate: chains.avgLen / CHAIN_LENGTH,
    avgLen: chains.avgLen,
    results: [...results],
    meta,
  };
}

// Rebuilding each object field by field fixes the key order in the JSON, whatever order the caller used.
function orderedTask(t: TaskSummary): TaskSummary {
  return {
    taskIndex: t.taskIndex,
    taskName: t.taskName,
    instruction: t.instruction,
    trials: t.trials,
    successes: t.successes,
    successRate: t.successRate,
  };
}

function orderedSuite(s: SuiteSummary): SuiteSummary {
  return {
    suite: s.suite,
    trials: s.trials,
    successes: s.successes,
    successRate: s.successRate,
    tasks: s.tasks.map(orderedTask),
  };
}

function orderedEpisode(e: EpisodeResult): EpisodeResult {
  return {
    suite: e.suite,
    taskIndex: e.taskIndex,
    taskName: e.taskName,
    instruction: e.instruction,
    trial: e.trial,
    seed: e.seed,
    success: e.success,
    steps: e.steps,
  };
}

function orderedChain(c: ChainResult): ChainResult {
  return { chain: c.chain, seed: c.seed, tasks: [...c.tasks], completed: c.completed };
}

function orderedRun(r: RunSettings): RunSettings {
  return {
    suite: r.suite,
    ...(r.trials !== undefined ? { trials: r.trials } : {}),
    ...(r.tasks !== undefined ? { tasks: [...r.tasks] } : {}),
    ...(r.chains !== undefined ? { chains: r.chains } : {}),
    replanSteps: r.replanSteps,
    imageSize: r.imageSize,
    workers: r.workers,
    videos: r.videos,
  };
}

function orderedMachine(machine: MachineInfo): MachineInfo {
  return {
    platform: machine.platform,
    arch: machine.arch,
    cpuModel: machine.cpuModel,
    cpuCount: machine.cpuCount,
    totalMemoryBytes: machine.totalMemoryBytes,
    nodeVersion: machine.nodeVersion,
    ...(machine.cpuFlags ? { cpuFlags: [...machine.cpuFlags] } : {}),
  };
}

function orderedShard(s: ShardRun): ShardRun {
  return {
    index: s.index,
    count: s.count,
    rollouts: s.rollouts,
    startedAt: s.startedAt,
    durationMs: s.durationMs,
    workers: s.workers,
    machine: orderedMachine(s.machine),
  };
}

function orderedMeta(m: ReportMeta): ReportMeta {
  return {
    policy: m.policy,
    seed: m.seed,
    startedAt: m.startedAt,
    durationMs: m.durationMs,
    machine: orderedMachine(m.machine),
    ...(m.run ? { run: orderedRun(m.run) } : {}),
    ...(m.versions ? { versions: { ...m.versions } } : {}),
    ...(m.shards ? { shards: m.shards.map(orderedShard) } : {}),
  };
}

/**
 * The report as pretty JSON (2-space indent, trailing newline) with a fixed key order:
 * summaries first, raw results and meta last, so two runs diff cleanly.
 */
export function toJson(report: BenchmarkReport): string {
  const ordered =
    report.kind === 'episodes'
      ? {
          kind: report.kind,
          successRate: report.successRate,
          suites: report.suites.map(orderedSuite),
          meta: orderedMeta(report.meta),
          episodes: report.episodes.map(orderedEpisode),
        }
      : {
          kind: report.kind,
          successRate: report.successRate,
          avgLen: report.avgLen,
          chains: {
            suite: report.chains.suite,
            chains: report.chains.chains,
            stepRates: [...report.chains.stepRates],
            avgLen: report.chains.avgLen,
          },
          meta: orderedMeta(report.meta),
          results: report.results.map(orderedChain),
        };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
