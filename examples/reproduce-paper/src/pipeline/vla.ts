import {
  ACTION_HEAD_PRESETS,
  ActionHead,
  type ActionHeadConfig,
  type DemonstrationArrays,
  episodeStateStats,
  episodeSteps,
  type HeadSample,
  headPolicy,
  headSamplesFromEpisodes,
  memoryDataset,
  type NormStats,
  sampleLayout,
  trainHead,
} from '@roboalign/action-head';
import {
  ACTION_DIM,
  type ChainsReport,
  type EpisodesReport,
  evaluate,
  type Observation,
  type Policy,
  STATE_DIM,
  wilsonInterval,
} from '@roboalign/bench';
import { activeActionDims, type RobotEpisode } from '@roboalign/datasets';
import { mulberry32 } from '@roboalign/utils';
import type { Conversation, Features, RgbImage, SessionOptions, Vlm } from '@roboalign/vlm';
import { actionProbe } from './probe.js';

/** The VLM's prompt for one control step: agent view, wrist view, instruction (as GR00T feeds its VLM). */
export function observationPrompt(image: RgbImage, wristImage: RgbImage, instruction: string): Conversation {
  return {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', image },
          { type: 'image', image: wristImage },
          { type: 'text', text: instruction },
        ],
      },
    ],
  };
}

/** Features of `count` rows with one zero token each, for a head that reads no backbone. */
export function blankFeatures(count: number): Features {
  const width = 32;
  return {
    hidden: new Float32Array(count * width),
    mask: new Uint8Array(count).fill(1),
    ids: new Int32Array(count).fill(-1),
    shape: [count, 1, width],
    layer: 0,
  };
}

/** One row's selected feature tokens, packed to `tokens` rows with a mask. */
interface RowFeatures {
  features: Float32Array;
  featureMask: Float32Array;
}

/** Positions of row `row` the head reads: real tokens, and with `text` only those that are not image tokens. */
export function selectedPositions(
  f: Features,
  row: number,
  selection: FeatureTokens,
  imageTokenId: number,
): number[] {
  const [, length] = f.shape;
  const positions: number[] = [];
  for (let s = 0; s < length; s++) {
    const k = row * length + s;
    if (f.mask[k] === 1 && (selection === 'all' || f.ids[k] !== imageTokenId)) positions.push(s);
  }
  return positions;
}

/**
 * Row `row` of frozen-backbone features, its selected tokens packed into `tokens` rows. A prompt longer
 * than the head was built for is an error: cutting it would drop the instruction, which comes last.
 */
export function rowFeatures(
  f: Features,
  row: number,
  positions: readonly number[],
  tokens: number,
): RowFeatures {
  const [, length, width] = f.shape;
  if (positions.length > tokens)
    throw new Error(
      `an observation prompt has ${positions.length} feature tokens but the head was trained on at most ${tokens}; size the head for the longest instruction`,
    );
  const features = new Float32Array(tokens * width);
  const featureMask = new Float32Array(tokens);
  positions.forEach((s, k) => {
    const from = (row * length + s) * width;
    features.set(f.hidden.subarray(from, from + width), k * width);
    featureMask[k] = 1;
  });
  return { features, featureMask };
}

/** Which backbone tokens the head reads: all (images, chat template, instruction) or all but image tokens. */
export type FeatureTokens = 'all' | 'text';

/**
 * What the head reads: the frozen backbone's features (`none` gives it one zero token) and the robot state
 * (`false` gives it zeros). GR00T reads all features and the state; the others are the ablation's controls.
 */
export interface HeadInputs {
  features: FeatureTokens | 'none';
  state: boolean;
}

/** GR00T-N1.5's inputs: every backbone token and the robot state. */
export const GR00T_INPUTS: HeadInputs = { features: 'all', state: true };

/** One benchmark's head training set over one frozen VLM: samples and what the policy needs to act. */
export interface VlaTrainingSet {
  inputs: HeadInputs;
  samples: HeadSample[];
  /** The demonstration each sample came from (its position in `demos`), for splits that keep episodes whole. */
  sampleEpisodes: Int32Array;
  config: ActionHeadConfig;
  stateStats: NormStats;
  /** Action dimensions the demonstrations move; the others stay out of the loss and are emitted as 0. */
  active: boolean[];
  /** Feature rows per observation (the prompt length the head was built for). */
  tokens: number;
}

/** A head trained on a {@link VlaTrainingSet}. */
export interface VlaHead extends Omit<VlaTrainingSet, 'samples' | 'sampleEpisodes'> {
  head: ActionHead;
  losses: number[];
}

/**
 * GR00T-N1.5 recipe, data side: the frozen VLM's middle-layer hidden states over (agent view, wrist view,
 * instruction) at every `frameStride`-th demonstration step, the normalized robot state, and the expert's
 * next `horizon` actions. Computed once per backbone and shared by its head seeds.
 */
export async function vlaTrainingSet(
  vlm: Vlm,
  demos: readonly RobotEpisode[],
  frameStride: number,
  inputs: HeadInputs = GR00T_INPUTS,
): Promise<VlaTrainingSet> {
  const episodes = demos.map((demo): DemonstrationArrays => {
    if (!demo.images || !demo.states) throw new Error(`demonstration ${demo.index} has no images or states`);
    return { length: demo.length, actions: demo.actions, states: demo.states };
  });
  // Sample i is frame i: the frames' order is the order headSamplesFromEpisodes builds its samples in.
  const frames = episodeSteps(episodes, frameStride);
  const prompts = frames.map(({ episode, t }) => {
    const demo = demos[episode];
    return observationPrompt(demo.images!.image[t], demo.images!.wrist_image[t], demo.instruction);
  });
  const f: Features =
    inputs.features === 'none'
      ? blankFeatures(frames.length)
      : await vlm.features(prompts, { batchSize: 32 });
  const selection = inputs.features === 'none' ? 'all' : inputs.features;
  const positions = frames.map((_, i) => selectedPositions(f, i, selection, vlm.config.imageTokenId));
  const tokens = Math.max(...positions.map((p) => p.length));
  const width = f.shape[2];
  const config: ActionHeadConfig = {
    ...ACTION_HEAD_PRESETS.small,
    backboneTokens: tokens,
    backboneDim: width,
  };
  const stateStats = episodeStateStats(episodes, STATE_DIM);
  // The expert never rolls or pitches: those dimensions stay out of the loss and are emitted as 0.
  const active = activeActionDims(
    demos.map((d) => d.actions),
    ACTION_DIM,
  );
  const samples = headSamplesFromEpisodes(episodes, {
    layout: sampleLayout(config, ACTION_DIM, STATE_DIM),
    stateStats,
    active,
    frameStride,
    readState: inputs.state,
    features: (_, i) => rowFeatures(f, i, positions[i], tokens),
  });
  const sampleEpisodes = Int32Array.from(frames, ({ episode }) => episode);
  return { inputs, samples, sampleEpisodes, config, stateStats, active, tokens };
}

/** Head training settings: steps and seed, and the optimizer's learning rate and batch (defaults 3e-4, 32). */
export interface HeadTraining {
  steps: number;
  seed: number;
  lr?: number;
  batchSize?: number;
  progress?: boolean;
  session?: SessionOptions;
}

/** GR00T-N1.5 recipe, training side: a new flow-matching head on the frozen backbone's training set. */
export async function trainVlaHead(set: VlaTrainingSet, options: HeadTraining): Promise<VlaHead> {
  const { samples, sampleEpisodes: _, ...rest } = set;
  const { session, lr = 3e-4, batchSize = 32, ...training } = options;
  const head = await ActionHead.create(set.config, { batchSize, lr, session });
  const losses = await trainHead(head, memoryDataset(samples), training);
  return { ...rest, head, losses };
}

/** The frozen VLM and its head as a bench policy: features of the current views, one sampled chunk. */
export function vlaPolicy(vlm: Vlm, trained: VlaHead, seed: number): Policy {
  const { head, stateStats, active, tokens, inputs } = trained;
  return headPolicy(head, {
    stateStats,
    active,
    seed,
    readState: inputs.state,
    async features(observation: Observation) {
      const selection = inputs.features;
      if (selection === 'none') return rowFeatures(blankFeatures(1), 0, [0], tokens);
      const prompt = observationPrompt(observation.image, observation.wristImage, observation.instruction);
      const f = await vlm.features([prompt], { batchSize: 1 });
      return rowFeatures(f, 0, selectedPositions(f, 0, selection, vlm.config.imageTokenId), tokens);
    },
  });
}

/** A LIBERO-style suite's success with its Wilson 95% interval. */
export interface SuiteScore {
  successRate: number;
  ci95: [number, number];
  episodes: number;
  successes: number;
  /**
   * Every episode's outcome, by head seed, then task, then trial: the same initial states in the same
   * order for every variant, so that two variants' lists pair episode by episode.
   */
  outcomes: boolean[];
}

/** CALVIN-style average chain length with a bootstrap 95% interval. */
export interface ChainScore {
  avgLen: number;
  ci95: [number, number];
  chains: number;
  /** How many chains completed at least k subtasks, k = 1..5, as fractions. */
  stepRates: number[];
  /** Every chain's completed subtasks, by head seed, then chain: paired across variants like `outcomes`. */
  lengths: number[];
}

/** One variant's VLA figures: success per LIBERO-style suite, CALVIN-style chains, the heads' final losses. */
export interface VlaScores {
  libero: Record<string, SuiteScore>;
  calvin: ChainScore;
  /** Mean flow-matching loss over the last 10% of training steps, per head seed: `libero` and `calvin`. */
  headLoss: { libero: number[]; calvin: number[] };
  /** Ridge probe from the pooled frozen features to the expert's next chunk (LIBERO-style demonstrations). */
  probe: { actionR2: number; ci95: [number, number]; lambda: number } | null;
}

/** What {@link benchmarkVla} trains and evaluates. */
export interface VlaBenchmarkOptions {
  suites: readonly string[];
  tasks?: readonly number[];
  frameStride: number;
  headSteps: number;
  /** Head seeds `seed`, `seed + 1`, …; episodes and chains are pooled over them. */
  headSeeds: number;
  seed: number;
  trials: number;
  chains: number;
  replanSteps: number;
  imageSize: number;
  /** What the heads read (default GR00T's: every backbone token and the state). */
  inputs?: HeadInputs;
  /** Head optimizer settings (defaults of {@link trainVlaHead}). */
  headLr?: number;
  headBatch?: number;
  /**
   * Seeds the policies' sampling during evaluation (and the chain bootstrap). It does not choose initial
   * states: those are fixed by trial and chain number (evaluation 0+, validation 500+, demonstrations 1000+).
   */
  policySeed: number;
  /** ONNX Runtime options of the heads' sessions (e.g. the CUDA execution provider). */
  session?: SessionOptions;
}

/** Mean training loss over the last 10% of steps. */
export function tailMean(losses: readonly number[]): number {
  const tail = losses.slice(Math.floor(0.9 * losses.length));
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** An episode report's outcomes by task, then trial: the order that pairs two policies' episodes. */
export function episodeOutcomes(report: EpisodesReport): boolean[] {
  return [...report.episodes]
    .sort((x, y) => x.taskIndex - y.taskIndex || x.trial - y.trial)
    .map((e) => e.success);
}

/** A chain report's completed subtasks by chain number, paired across policies like {@link episodeOutcomes}. */
export function chainLengths(report: ChainsReport): number[] {
  return [...report.results].sort((x, y) => x.chain - y.chain).map((r) => r.completed);
}

/**
 * One frozen backbone on both benchmarks, as the paper converts it: per head seed, one head trained on the
 * demonstrations of all LIBERO-style suites and evaluated on each, and one trained on the CALVIN-style
 * demonstrations and evaluated on chains. Success is pooled over seeds (Wilson interval of the pooled
 * counts); chain lengths are pooled and bootstrapped.
 */
export async function benchmarkVla(
  vlm: Vlm,
  demos: { libero: readonly RobotEpisode[]; calvin: readonly RobotEpisode[] },
  options: VlaBenchmarkOptions,
): Promise<VlaScores> {
  const outcomes = new Map(options.suites.map((s) => [s, [] as boolean[]]));
  const lengths: number[] = [];
  const headLoss = { libero: [] as number[], calvin: [] as number[] };
  const common = { replanSteps: options.replanSteps, imageSize: options.imageSize, videos: 'none' } as const;
  const liberoSet = await vlaTrainingSet(vlm, demos.libero, options.frameStride, options.inputs);
  const calvinSet = await vlaTrainingSet(vlm, demos.calvin, options.frameStride, options.inputs);
  const fitted = actionProbe(liberoSet, options.seed);
  const probe = fitted && { actionR2: fitted.r2, ci95: fitted.ci95, lambda: fitted.lambda };
  for (let k = 0; k < options.headSeeds; k++) {
    const seed = options.seed + k;
    const training = {
      steps: options.headSteps,
      seed,
      lr: options.headLr,
      batchSize: options.headBatch,
      session: options.session,
    };
    const liberoHead = await trainVlaHead(liberoSet, training);
    headLoss.libero.push(tailMean(liberoHead.losses));
    for (const suite of options.suites) {
      const report = (await evaluate(vlaPolicy(vlm, liberoHead, seed), suite, {
        ...common,
        trials: options.trials,
        tasks: options.tasks,
        seed: options.policySeed,
      })) as EpisodesReport;
      outcomes.get(suite)!.push(...episodeOutcomes(report));
    }
    await liberoHead.head.release();
    const calvinHead = await trainVlaHead(calvinSet, training);
    headLoss.calvin.push(tailMean(calvinHead.losses));
    const chains = (await evaluate(vlaPolicy(vlm, calvinHead, seed), 'calvin', {
      ...common,
      chains: options.chains,
      seed: options.policySeed,
    })) as ChainsReport;
    lengths.push(...chainLengths(chains));
    await calvinHead.head.release();
  }
  const libero = Object.fromEntries(
    [...outcomes].map(([suite, list]): [string, SuiteScore] => {
      const successes = list.filter(Boolean).length;
      const { low, high } = wilsonInterval(successes, list.length);
      return [
        suite,
        {
          successRate: successes / list.length,
          ci95: [low, high],
          episodes: list.length,
          successes,
          outcomes: list,
        },
      ];
    }),
  );
  const calvin: ChainScore = {
    avgLen: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    ci95: bootstrapMean(lengths, 2000, options.policySeed),
    chains: lengths.length,
    stepRates: [1, 2, 3, 4, 5].map((k) => lengths.filter((l) => l >= k).length / lengths.length),
    lengths,
  };
  return { libero, calvin, headLoss, probe };
}

/** Percentile bootstrap 95% interval of a mean. */
export function bootstrapMean(values: readonly number[], resamples: number, seed: number): [number, number] {
  const rand = mulberry32(seed);
  const means = Array.from({ length: resamples }, () => {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[Math.floor(rand() * values.length)];
    return s / values.length;
  }).sort((a, b) => a - b);
  return [
    means[Math.floor(0.025 * resamples)],
    means[Math.min(resamples - 1, Math.floor(0.975 * resamples))],
  ];
}

/** The same training set with every sample's robot state zeroed (a head that reads features only). */
function withoutState(set: VlaTrainingSet): VlaTrainingSet {
  return {
    ...set,
    inputs: { ...set.inputs, state: false },
    samples: set.samples.map((sample) => ({ ...sample, state: new Float32Array(sample.state.length) })),
  };
}

/** First trial of the validation initial states: apart from evaluation (0+) and demonstrations (1000+). */
export const VALIDATION_FIRST_TRIAL = 500;

/** One row of the head-input ablation: success on validation initial states. */
export interface AblationRow {
  inputs: HeadInputs;
  successes: number;
  episodes: number;
  successRate: number;
  /** Wilson 95% interval of the pooled count. */
  ci95: [number, number];
  headLoss: number;
}

/**
 * The head-input ablation on one backbone: a head on the state only, on the features only, and on both,
 * each trained like the benchmark's LIBERO-style head (first head seed) and scored on validation initial
 * states, never on the evaluation's.
 */
export async function ablateVlaInputs(
  vlm: Vlm,
  demos: readonly RobotEpisode[],
  options: VlaBenchmarkOptions & { validationTrials: number },
): Promise<AblationRow[]> {
  const features = options.inputs?.features ?? GR00T_INPUTS.features;
  const rows: AblationRow[] = [];
  // The features-only set is the full set with its states zeroed: the backbone runs once for both.
  const both = await vlaTrainingSet(vlm, demos, options.frameStride, { features, state: true });
  const sets = [
    await vlaTrainingSet(vlm, demos, options.frameStride, { features: 'none', state: true }),
    withoutState(both),
    both,
  ];
  for (const set of sets) {
    const { inputs } = set;
    const trained = await trainVlaHead(set, {
      steps: options.headSteps,
      seed: options.seed,
      lr: options.headLr,
      batchSize: options.headBatch,
      session: options.session,
    });
    let successes = 0;
    let episodes = 0;
    for (const suite of options.suites) {
      const report = (await evaluate(vlaPolicy(vlm, trained, options.seed), suite, {
        trials: options.validationTrials,
        firstTrial: VALIDATION_FIRST_TRIAL,
        tasks: options.tasks,
        replanSteps: options.replanSteps,
        imageSize: options.imageSize,
        seed: options.policySeed,
        videos: 'none',
      })) as EpisodesReport;
      const outcomes = episodeOutcomes(report);
      successes += outcomes.filter(Boolean).length;
      episodes += outcomes.length;
    }
    await trained.head.release();
    const { low, high } = wilsonInterval(successes, episodes);
    rows.push({
      inputs,
      successes,
      episodes,
      successRate: successes / episodes,
      ci95: [low, high],
      headLoss: tailMean(trained.losses),
    });
  }
  return rows;
}
