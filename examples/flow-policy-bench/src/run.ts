import {
  ACTION_HEAD_PRESETS,
  ActionHead,
  episodeStateStats,
  memoryDataset,
  trainHead,
} from '@roboalign/action-head';
import {
  type EpisodeSuite,
  type EpisodesReport,
  evaluate,
  getSuite,
  type Policy,
  recordExpertEpisodes,
  STATE_DIM,
} from '@roboalign/bench';
import type { RobotEpisode } from '@roboalign/datasets';
import { demonstratedDims, demonstrationArrays, flowPolicy, headSamples } from './flow-policy.js';

/** Settings of the whole run. */
export interface PipelineOptions {
  /** An episode suite (default `libero-goal`). */
  readonly suite: string;
  /** Expert demonstrations per task, from initial states the evaluation never uses (default 10). */
  readonly demosPerTask: number;
  /** Training steps of the head (default 1500). */
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Evaluation trials per task (default 10). */
  readonly trials: number;
  /** Actions executed per chunk before re-planning (default 4). */
  readonly replanSteps: number;
  readonly seed: number;
  /** Task indices to use (default: all). */
  readonly tasks?: readonly number[];
  readonly progress: boolean;
}

export const DEFAULTS: PipelineOptions = {
  suite: 'libero-goal',
  demosPerTask: 10,
  steps: 1500,
  batchSize: 32,
  lr: 3e-4,
  trials: 10,
  replanSteps: 4,
  seed: 0,
  progress: true,
};

/** What the run produced. */
export interface PipelineResult {
  readonly demos: number;
  readonly samples: number;
  readonly losses: number[];
  readonly report: EpisodesReport;
  /** The expert demonstrations the head was trained on. */
  readonly demonstrations: readonly RobotEpisode[];
  /** The trained head as the policy that was evaluated. */
  readonly policy: Policy;
}

/** Expert demonstrations → flow-matching action head → evaluation in the suite. */
export async function runPipeline(
  options: PipelineOptions,
  log: (line: string) => void = () => {},
): Promise<PipelineResult> {
  // Initial states from 1000 on: the evaluation (trials 0, 1, …) never starts from one of them.
  const { episodes: all } = await recordExpertEpisodes(options.suite, {
    episodes: options.demosPerTask,
    firstTrial: 1000,
    imageSize: 0,
    progress: options.progress,
  });
  const suite = getSuite(options.suite) as EpisodeSuite;
  const taskOf = (instruction: string) => suite.tasks.findIndex((t) => t.instruction === instruction);
  const demos = options.tasks ? all.filter((d) => options.tasks?.includes(taskOf(d.instruction))) : all;
  log(`recorded ${demos.length} expert demonstrations (${demos.reduce((n, d) => n + d.length, 0)} steps)`);
  const config = { ...ACTION_HEAD_PRESETS.small, backboneTokens: 16, backboneDim: 32 };
  const stateStats = episodeStateStats(demos.map(demonstrationArrays), STATE_DIM);
  const active = demonstratedDims(demos);
  const samples = headSamples(demos, config, stateStats, active);
  const head = await ActionHead.create(config, { batchSize: options.batchSize, lr: options.lr });
  const losses = await trainHead(head, memoryDataset(samples), {
    steps: options.steps,
    seed: options.seed,
    progress: options.progress,
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  log(
    `trained the head for ${options.steps} steps on ${samples.length} samples: flow-matching loss ${mean(losses.slice(0, 20)).toFixed(3)} → ${mean(losses.slice(-50)).toFixed(3)}`,
  );
  const policy = flowPolicy(head, stateStats, active, options.seed);
  const report = (await evaluate(policy, options.suite, {
    trials: options.trials,
    tasks: options.tasks,
    replanSteps: options.replanSteps,
    // The policy reads state and instruction only; the smallest images keep rendering cheap.
    imageSize: 8,
    progress: options.progress,
  })) as EpisodesReport;
  return { demos: demos.length, samples: samples.length, losses, report, demonstrations: demos, policy };
}
