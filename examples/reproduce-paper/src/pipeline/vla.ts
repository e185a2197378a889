import {
  ACTION_HEAD_PRESETS,
  ActionHead,
  type ActionHeadConfig,
  type DemonstrationArrays,
  type EpisodeStep,
  episodeStateStats,
  episodeSteps,
  type HeadSample,
  type HeadSchedule,
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
  getSuite,
  type ObjectPosition,
  type Observation,
  type Policy,
  percentileInterval95,
  type RecordedEpisode,
  type Shard,
  STATE_DIM,
  shardOf,
  wilsonInterval,
} from '@roboalign/bench';
import { activeActionDims, type RobotEpisode } from '@roboalign/datasets';
import { mulberry32, progressBar, seedFromParts } from '@roboalign/utils';
import type { Conversation, Features, RgbImage, SessionOptions, Vlm } from '@roboalign/vlm';
import { actionProbe, objectProbe } from './probe.js';
import { NO_UNIT_MEMO, type UnitMemo } from './unit-memo.js';

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

/**
 * The general-VQA grounding question about the first object the instruction names ("the red block"), in
 * the data stage's wording; null when it names none.
 */
export function whereQuestion(instruction: string): string | null {
  const named = instruction.match(/\bthe (\w+ (?:block|can))\b/);
  return named && `Where is the ${named[1]} in the image? Answer with its box [x0, y0, x1, y1] in pixels.`;
}

/** The backbone's prompt for a frame: the instruction, and with `inputs.askWhere` its grounding question. */
function backbonePrompt(
  inputs: HeadInputs,
  image: RgbImage,
  wristImage: RgbImage,
  instruction: string,
): Conversation {
  const question = inputs.askWhere ? whereQuestion(instruction) : null;
  return observationPrompt(image, wristImage, question ? `${instruction}. ${question}` : instruction);
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

/** The blind controls' code for one word: a fixed pseudo-random vector in [−1, 1]^32, seeded by the word. */
const WORD_WIDTH = 32;
function wordVector(word: string): Float32Array {
  const rng = mulberry32(seedFromParts('instruction-word', word));
  return Float32Array.from({ length: WORD_WIDTH }, () => 2 * rng() - 1);
}

const words = (text: string) => text.toLowerCase().split(/\s+/).filter(Boolean);

/**
 * Features of `rows` tokens per row, `width` wide, from each row's token vectors (shorter rows are padded
 * and masked); a control's stand-in for the backbone's output.
 */
function controlFeatures(rows: readonly (readonly Float32Array[])[], width: number): Features {
  const length = Math.max(1, ...rows.map((r) => r.length));
  const hidden = new Float32Array(rows.length * length * width);
  const mask = new Uint8Array(rows.length * length);
  rows.forEach((row, r) => {
    row.forEach((vector, s) => {
      hidden.set(vector, (r * length + s) * width);
      mask[r * length + s] = 1;
    });
  });
  return {
    hidden,
    mask,
    ids: new Int32Array(rows.length * length).fill(-1),
    shape: [rows.length, length, width],
    layer: 0,
  };
}

/**
 * A blind control's features, no backbone: one fixed pseudo-random 32-D vector per instruction word
 * (seeded by the word), as `examples/flow-policy-bench` stands in for an LM. A head on these knows which
 * task it does but sees nothing of the scene.
 */
export function instructionWordFeatures(instructions: readonly string[]): Features {
  return controlFeatures(
    instructions.map((text) => words(text).map(wordVector)),
    WORD_WIDTH,
  );
}

/** Metres to the oracles' position units: the tabletop's ±0.3 m become about ±3, the scale of a word vector. */
const ORACLE_POSITION_SCALE = 10;
const ORACLE_WIDTH = WORD_WIDTH + 4;

/** An oracle token: a 32-D code, then a position (×10) and a flag that says the token carries one. */
function oracleToken(code: Float32Array, position?: readonly [number, number, number]): Float32Array {
  const v = new Float32Array(ORACLE_WIDTH);
  v.set(code);
  if (position) {
    for (let k = 0; k < 3; k++) v[WORD_WIDTH + k] = ORACLE_POSITION_SCALE * position[k];
    v[WORD_WIDTH + 3] = 1;
  }
  return v;
}

/** One token per object and fixture: the mean of its name's word vectors, and its position. */
function objectTokens(scene: readonly ObjectPosition[]): Float32Array[] {
  return scene.map(({ name, position }) => {
    const code = new Float32Array(WORD_WIDTH);
    const nameWords = words(name);
    for (const vector of nameWords.map(wordVector))
      for (let d = 0; d < WORD_WIDTH; d++) code[d] += vector[d] / nameWords.length;
    return oracleToken(code, position);
  });
}

/**
 * The instruction's word tokens, each word of an object's name (where the instruction says the name of
 * exactly one object of the scene) carrying that object's position: what an ideal VLM's text tokens,
 * which attend to the images, could hold.
 */
function groundedWordTokens(instruction: string, scene: readonly ObjectPosition[]): Float32Array[] {
  const said = words(instruction);
  const positions: (readonly [number, number, number] | undefined)[] = said.map(() => undefined);
  const byName = new Map<string, ObjectPosition[]>();
  for (const o of scene) byName.set(o.name, [...(byName.get(o.name) ?? []), o]);
  for (const [name, objects] of byName) {
    if (objects.length !== 1) continue; // two objects of one name: the words alone do not say which
    const nameWords = words(name);
    for (let i = 0; i + nameWords.length <= said.length; i++)
      if (nameWords.every((w, k) => said[i + k] === w))
        for (let k = 0; k < nameWords.length; k++) positions[i + k] = objects[0].position;
  }
  return said.map((word, i) => oracleToken(wordVector(word), positions[i]));
}

/**
 * Oracles of perfect perception, no backbone, from the privileged `Observation.objects`. `scene`: the
 * blind control's instruction-word tokens, then {@link objectTokens}. `grounded`: the same, with the words
 * that name an object carrying its position ({@link groundedWordTokens}). 36 wide. The ceiling a
 * backbone's perception could lift a head to, against the blind control's floor.
 */
export function sceneOracleFeatures(
  instructions: readonly string[],
  scenes: readonly (readonly ObjectPosition[])[],
  kind: 'scene' | 'grounded' = 'scene',
): Features {
  if (scenes.length !== instructions.length)
    throw new Error(`sceneOracleFeatures: ${instructions.length} instructions but ${scenes.length} scenes`);
  const rows = instructions.map((text, r) => [
    ...(kind === 'grounded'
      ? groundedWordTokens(text, scenes[r])
      : words(text).map((word) => oracleToken(wordVector(word)))),
    ...objectTokens(scenes[r]),
  ]);
  return controlFeatures(rows, ORACLE_WIDTH);
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
 * What the head reads: the frozen backbone's features (`none` gives it one zero token, `instruction` the
 * blind {@link instructionWordFeatures}, `oracle` and `grounded-oracle` the privileged
 * {@link sceneOracleFeatures}) and the robot state (`false` gives it zeros). GR00T reads all features and
 * the state; the others are controls.
 */
export interface HeadInputs {
  features: FeatureTokens | 'none' | 'instruction' | 'oracle' | 'grounded-oracle';
  state: boolean;
  /** The LM layer whose hidden states the head reads (default the middle one, as GR00T N1.5). */
  layer?: number;
  /** Append the grounding question about the named object ({@link whereQuestion}) to the instruction. */
  askWhere?: boolean;
}

/** GR00T-N1.5's inputs: every backbone token and the robot state. */
export const GR00T_INPUTS: HeadInputs = { features: 'all', state: true };

/** Head sizes that differ from `ACTION_HEAD_PRESETS.small`, for experiments (GR00T N1.5 has 4 VL layers). */
export type HeadShape = Partial<Pick<ActionHeadConfig, 'vlLayers'>>;

/** One benchmark's head training set over one frozen VLM: samples and what the policy needs to act. */
export interface VlaTrainingSet {
  inputs: HeadInputs;
  samples: HeadSample[];
  /** The demonstration each sample came from (its position in `demos`), for splits that keep episodes whole. */
  sampleEpisodes: Int32Array;
  /**
   * Each sample's environment state at its frame, row-major `[samples, dim]` (recorded demonstrations: the
   * position of what the instruction is about), for the feature probe; null unless every demonstration has one.
   */
  sampleEnvironment: { values: Float32Array; dim: number } | null;
  config: ActionHeadConfig;
  stateStats: NormStats;
  /** Action dimensions the demonstrations move; the others stay out of the loss and are emitted as 0. */
  active: boolean[];
  /** Feature rows per observation (the prompt length the head was built for). */
  tokens: number;
}

/** A head trained on a {@link VlaTrainingSet}. */
export interface VlaHead extends Omit<VlaTrainingSet, 'samples' | 'sampleEpisodes' | 'sampleEnvironment'> {
  head: ActionHead;
  losses: number[];
}

/**
 * GR00T-N1.5 recipe, data side: the frozen VLM's middle-layer hidden states over (agent view, wrist view,
 * instruction) at every `frameStride`-th demonstration step, the normalized robot state, and the expert's
 * next `horizon` actions. Computed once per backbone and shared by its head seeds. `vlm` is null for a
 * control that reads no backbone.
 */
export async function vlaTrainingSet(
  vlm: Vlm | null,
  demos: readonly (RobotEpisode & Partial<Pick<RecordedEpisode, 'sceneObjects'>>)[],
  frameStride: number,
  inputs: HeadInputs = GR00T_INPUTS,
  headShape: HeadShape = {},
): Promise<VlaTrainingSet> {
  const episodes = demos.map((demo): DemonstrationArrays => {
    if (!demo.images || !demo.states) throw new Error(`demonstration ${demo.index} has no images or states`);
    return { length: demo.length, actions: demo.actions, states: demo.states };
  });
  // Sample i is frame i: the frames' order is the order headSamplesFromEpisodes builds its samples in.
  const frames = episodeSteps(episodes, frameStride);
  const prompts = frames.map(({ episode, t }) => {
    const demo = demos[episode];
    return backbonePrompt(inputs, demo.images!.image[t], demo.images!.wrist_image[t], demo.instruction);
  });
  const instructions = frames.map(({ episode }) => demos[episode].instruction);
  const scenes = frames.map(({ episode, t }) => demos[episode].sceneObjects?.[t]);
  const f = await headFeatures(vlm, inputs, prompts, instructions, scenes);
  const selection = tokenSelection(inputs);
  const positions = frames.map((_, i) => selectedPositions(f, i, selection, imageTokenId(vlm)));
  const tokens = Math.max(...positions.map((p) => p.length));
  const width = f.shape[2];
  const config: ActionHeadConfig = {
    ...ACTION_HEAD_PRESETS.small,
    ...headShape,
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
  const sampleEnvironment = frameEnvironment(demos, frames);
  return { inputs, samples, sampleEpisodes, sampleEnvironment, config, stateStats, active, tokens };
}

/**
 * The demonstrations' environment states at `frames`, row-major; null when a demonstration has none (one
 * recorded before the recorder stored them): the object probe is then left out, not fitted on part of the data.
 */
function frameEnvironment(
  demos: readonly RobotEpisode[],
  frames: readonly EpisodeStep[],
): VlaTrainingSet['sampleEnvironment'] {
  const dim = demos[0]?.environmentStateDim;
  if (dim === undefined || demos.some((d) => d.environmentStates === undefined)) return null;
  if (demos.some((d) => d.environmentStateDim !== dim))
    throw new Error('the demonstrations have environment states of different widths');
  const values = new Float32Array(frames.length * dim);
  frames.forEach(({ episode, t }, i) => {
    values.set(demos[episode].environmentStates!.subarray(t * dim, (t + 1) * dim), i * dim);
  });
  return { values, dim };
}

/**
 * The samples of `set` whose demonstration `keep` accepts (by its position in the demonstrations the set was
 * built from), with the set's features, normalization and action dimensions: a per-suite head's share of a
 * set built once over every suite (the backbone runs once).
 */
export function demonstrationSubset(set: VlaTrainingSet, keep: (episode: number) => boolean): VlaTrainingSet {
  const rows: number[] = [];
  set.sampleEpisodes.forEach((episode, i) => {
    if (keep(episode)) rows.push(i);
  });
  if (rows.length === 0) throw new Error('demonstrationSubset: no sample comes from a kept demonstration');
  const environment = set.sampleEnvironment;
  let sampleEnvironment: VlaTrainingSet['sampleEnvironment'] = null;
  if (environment) {
    const { dim } = environment;
    const values = new Float32Array(rows.length * dim);
    rows.forEach((i, k) => {
      values.set(environment.values.subarray(i * dim, (i + 1) * dim), k * dim);
    });
    sampleEnvironment = { values, dim };
  }
  return {
    ...set,
    samples: rows.map((i) => set.samples[i]),
    sampleEpisodes: Int32Array.from(rows, (i) => set.sampleEpisodes[i]),
    sampleEnvironment,
  };
}

/** The head optimizer's default learning rate and batch size. */
const HEAD_LR = 3e-4;
const HEAD_BATCH = 32;

/**
 * A head's learning rate over its steps, by name (plans and presets are plain JSON): constant, or GR00T
 * N1.5's fine-tuning schedule (5% warm-up, cosine decay to 0).
 */
export type HeadLrSchedule = Extract<HeadSchedule, string>;

/** Head training settings: steps and seed, and the optimizer's learning rate and batch (defaults 3e-4, 32). */
export interface HeadTraining {
  steps: number;
  seed: number;
  lr?: number;
  batchSize?: number;
  /** Learning rate over the steps (default constant). */
  schedule?: HeadLrSchedule;
  progress?: boolean;
  session?: SessionOptions;
}

/**
 * The features a head with `inputs` reads for `prompts` (whose instructions are `instructions` and whose
 * scenes' privileged object positions are `scenes`): the backbone's at the chosen layer, or a control's
 * without it.
 */
async function headFeatures(
  vlm: Vlm | null,
  inputs: HeadInputs,
  prompts: Conversation[],
  instructions: readonly string[],
  scenes: readonly (readonly ObjectPosition[] | undefined)[],
): Promise<Features> {
  if (inputs.features === 'none') return blankFeatures(prompts.length);
  if (inputs.features === 'instruction') return instructionWordFeatures(instructions);
  if (inputs.features === 'oracle' || inputs.features === 'grounded-oracle') {
    const missing = scenes.indexOf(undefined);
    if (missing >= 0)
      throw new Error(
        `the scene oracle needs the privileged object positions (a demonstration's sceneObjects, recorded in memory by recordExpertEpisodes, or Observation.objects from the simulator); row ${missing} has none`,
      );
    return sceneOracleFeatures(
      instructions,
      scenes as readonly (readonly ObjectPosition[])[],
      inputs.features === 'oracle' ? 'scene' : 'grounded',
    );
  }
  if (vlm === null)
    throw new Error(`a head that reads the backbone's ${inputs.features} tokens needs a VLM, got null`);
  return vlm.features(prompts, { batchSize: prompts.length === 1 ? 1 : 32, layer: inputs.layer });
}

/** The backbone's image token (which `text` selection skips); controls without a backbone have none. */
const imageTokenId = (vlm: Vlm | null) => vlm?.config.imageTokenId ?? -1;

/** Which of {@link headFeatures}' tokens the head reads: the text tokens, or every real one. */
function tokenSelection(inputs: HeadInputs): FeatureTokens {
  return inputs.features === 'text' ? 'text' : 'all';
}

/** GR00T-N1.5 recipe, training side: a new flow-matching head on the frozen backbone's training set. */
export async function trainVlaHead(set: VlaTrainingSet, options: HeadTraining): Promise<VlaHead> {
  const { samples, sampleEpisodes: _, sampleEnvironment: _environment, ...rest } = set;
  const { session, lr = HEAD_LR, batchSize = HEAD_BATCH, ...training } = options;
  const head = await ActionHead.create(set.config, { batchSize, lr, session });
  const losses = await trainHead(head, memoryDataset(samples), training);
  return { ...rest, head, losses };
}

/** How a plan trains its head of seed `headSeed` (0 for the first): the same for every head of a stage. */
function headTrainingOf(plan: VlaPlan, headSeed: number, session: SessionOptions | undefined): HeadTraining {
  return {
    steps: plan.headSteps,
    seed: plan.seed + headSeed,
    lr: plan.headLr,
    batchSize: plan.headBatch,
    schedule: plan.headSchedule,
    session,
  };
}

/**
 * One unit of a VLA stage: a head trained on `set`, rolled out on each of `keys` in order (`progress` gets
 * the count done), then released; its tail loss and the rollouts' results.
 */
async function trainAndRollOut<K, R>(
  set: VlaTrainingSet,
  training: HeadTraining,
  keys: readonly K[],
  rollout: (head: VlaHead, key: K) => Promise<R>,
  progress: (finished: number) => void = () => {},
): Promise<{ loss: number; results: R[] }> {
  const trained = await trainVlaHead(set, training);
  const results: R[] = [];
  try {
    for (const key of keys) {
      results.push(await rollout(trained, key));
      progress(results.length);
    }
  } finally {
    await trained.head.release();
  }
  return { loss: tailMean(trained.losses), results };
}

/**
 * The frozen VLM and its head as a bench policy: features of the current views, one sampled chunk. `vlm` is
 * null for a control that reads no backbone.
 */
export function vlaPolicy(vlm: Vlm | null, trained: VlaHead, seed: number): Policy {
  const { head, stateStats, active, tokens, inputs } = trained;
  return headPolicy(head, {
    stateStats,
    active,
    seed,
    readState: inputs.state,
    async features(observation: Observation) {
      const prompt = backbonePrompt(
        inputs,
        observation.image,
        observation.wristImage,
        observation.instruction,
      );
      const f = await headFeatures(vlm, inputs, [prompt], [observation.instruction], [observation.objects]);
      const positions = selectedPositions(f, 0, tokenSelection(inputs), imageTokenId(vlm));
      return rowFeatures(f, 0, positions, tokens);
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
  /** Null when the plan runs no chains (`chains: 0`). */
  calvin: ChainScore | null;
  /**
   * Mean flow-matching loss over the last 10% of training steps, per head: `libero` by head seed, then suite
   * where each suite has its own head (`headPerSuite`); `calvin` by head seed (empty without chains).
   */
  headLoss: { libero: number[]; calvin: number[] };
  /** Ridge probes from the pooled frozen features (LIBERO-style demonstrations); null with too few of them. */
  probe: FeatureProbeScores | null;
}

/** The feature probes' held-out R², bootstrap 95% intervals over episodes and cross-validated ridge λ. */
export interface FeatureProbeScores {
  /** To the expert's next action chunk. */
  actionR2: number;
  ci95: [number, number];
  lambda: number;
  /** To the position of what the instruction is about; null when the demonstrations carry no environment state. */
  objectR2: number | null;
  objectCi95: [number, number] | null;
  objectLambda: number | null;
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
  /** CALVIN-style chains per head seed; 0 leaves the CALVIN-style part out (no head, no chains, `calvin` null). */
  chains: number;
  replanSteps: number;
  imageSize: number;
  /** What the heads read (default GR00T's: every backbone token and the state). */
  inputs?: HeadInputs;
  /** Head optimizer settings (defaults of {@link trainVlaHead}). */
  headLr?: number;
  headBatch?: number;
  headSchedule?: HeadLrSchedule;
  /**
   * One LIBERO-style head per suite, trained on that suite's demonstrations alone (GR00T N1.5 is fine-tuned
   * per LIBERO suite), instead of one head on every suite's (default false). `headSteps` is per head.
   */
  headPerSuite?: boolean;
  /**
   * Seeds the policies' sampling during evaluation (each episode and chain its own seed, see
   * {@link rolloutSeed}) and the chain bootstrap. It does not choose initial states: those are fixed by trial
   * and chain number (evaluation 0+, validation 500+, demonstrations 1000+).
   */
  policySeed: number;
  /** ONNX Runtime options of the heads' sessions (e.g. the CUDA execution provider). */
  session?: SessionOptions;
  /**
   * The share of the episodes and chains to evaluate ({@link benchmarkVlaShard}; default all, `0/1`). Every
   * shard trains every head; `mergeVlaShards` combines the shards' outputs into the unsharded scores.
   */
  shard?: Shard;
  /**
   * Each finished head's loss and rollouts, recorded as it finishes and reused instead of training and
   * rolling out again: a stage stopped mid-way resumes at its first unfinished head (default none).
   */
  units?: UnitMemo;
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
 * Everything of a VLA benchmark's options that decides its results (with the defaults filled in), as every
 * shard of one run must agree on it. Plain JSON.
 */
export interface VlaPlan {
  suites: string[];
  /** Per suite, the task indices evaluated, ascending: the order `outcomes` lists them in. */
  tasks: Record<string, number[]>;
  trials: number;
  chains: number;
  headSeeds: number;
  seed: number;
  policySeed: number;
  frameStride: number;
  headSteps: number;
  headLr: number;
  headBatch: number;
  headSchedule: HeadLrSchedule;
  headPerSuite: boolean;
  replanSteps: number;
  imageSize: number;
  inputs: HeadInputs;
}

/** `value` if it is an integer of at least `least` (1 unless given); otherwise an error naming `what`. */
function countOf(what: string, value: number, least: 0 | 1 = 1): number {
  if (!Number.isInteger(value) || value < least)
    throw new Error(
      `VLA benchmark: ${what} must be a ${least === 1 ? 'positive' : 'non-negative'} integer, got ${value}`,
    );
  return value;
}

/** The plan of a VLA benchmark: its options checked, the suites' tasks resolved and sorted. */
export function vlaPlan(options: VlaBenchmarkOptions): VlaPlan {
  if (options.suites.length === 0) throw new Error('VLA benchmark: name at least one LIBERO-style suite');
  const tasks: Record<string, number[]> = {};
  for (const name of options.suites) {
    if (Object.hasOwn(tasks, name)) throw new Error(`VLA benchmark: suite ${name} is listed twice`);
    const suite = getSuite(name);
    if (suite.kind !== 'episodes')
      throw new Error(`VLA benchmark: ${name} is a chain suite; suites lists LIBERO-style episode suites`);
    const chosen = options.tasks ?? suite.tasks.map((_, i) => i);
    if (new Set(chosen).size !== chosen.length)
      throw new Error(`VLA benchmark: tasks lists a task twice: [${chosen.join(', ')}]`);
    for (const t of chosen)
      if (!Number.isInteger(t) || t < 0 || t >= suite.tasks.length)
        throw new Error(`VLA benchmark: task index ${t} is not in ${name} (0..${suite.tasks.length - 1})`);
    // Ascending, as episodeOutcomes sorts a report: the order does not depend on how tasks was written.
    tasks[name] = [...chosen].sort((a, b) => a - b);
  }
  const inputs = options.inputs ?? GR00T_INPUTS;
  return {
    suites: [...options.suites],
    tasks,
    trials: countOf('trials', options.trials),
    chains: countOf('chains', options.chains, 0),
    headSeeds: countOf('headSeeds', options.headSeeds),
    seed: options.seed,
    policySeed: options.policySeed,
    frameStride: countOf('frameStride', options.frameStride),
    headSteps: countOf('headSteps', options.headSteps),
    headLr: options.headLr ?? HEAD_LR,
    headBatch: options.headBatch ?? HEAD_BATCH,
    headSchedule: options.headSchedule ?? 'constant',
    headPerSuite: options.headPerSuite ?? false,
    replanSteps: countOf('replanSteps', options.replanSteps),
    imageSize: countOf('imageSize', options.imageSize),
    // Spelled out so that two plans compare equal however their inputs object was written.
    inputs: { features: inputs.features, state: inputs.state },
  };
}

/** A LIBERO-style episode's place in the unsharded order: head seed, suite, then task and trial. */
export interface VlaEpisodeKey {
  /** The head seed's number `k`: the head trained with seed `plan.seed + k`. */
  head: number;
  suite: string;
  /** Its position in head `head`'s evaluation of `suite` (task-major: task, then trial). */
  episode: number;
  taskIndex: number;
  trial: number;
}

/** A LIBERO-style episode's outcome. */
export interface VlaEpisodeResult extends VlaEpisodeKey {
  success: boolean;
}

/** A CALVIN-style chain's place in the unsharded order: head seed, then chain number. */
export interface VlaChainKey {
  /** The head seed's number `k`, as in {@link VlaEpisodeKey}. */
  head: number;
  chain: number;
}

/** A CALVIN-style chain's completed subtasks. */
export interface VlaChainResult extends VlaChainKey {
  completed: number;
}

/** Every episode the plan evaluates, in the unsharded order: head seed, suite, task (ascending), trial. */
export function plannedVlaEpisodes(plan: VlaPlan): VlaEpisodeKey[] {
  const keys: VlaEpisodeKey[] = [];
  for (let head = 0; head < plan.headSeeds; head++)
    for (const suite of plan.suites)
      plan.tasks[suite].forEach((taskIndex, t) => {
        for (let trial = 0; trial < plan.trials; trial++)
          keys.push({ head, suite, episode: t * plan.trials + trial, taskIndex, trial });
      });
  return keys;
}

/** Every chain the plan evaluates, in the unsharded order: head seed, then chain. */
export function plannedVlaChains(plan: VlaPlan): VlaChainKey[] {
  return Array.from({ length: plan.headSeeds * plan.chains }, (_, i) => ({
    head: Math.floor(i / plan.chains),
    chain: i % plan.chains,
  }));
}

/** A result's identity, for lookups and error messages (`head 0 libero-goal episode 3 (task 1, trial 1)`). */
export function vlaResultKey(key: VlaEpisodeKey | VlaChainKey): string {
  return 'suite' in key
    ? `head ${key.head} ${key.suite} episode ${key.episode} (task ${key.taskIndex}, trial ${key.trial})`
    : `head ${key.head} calvin chain ${key.chain}`;
}

/** The whole benchmark as one shard. */
const WHOLE: Shard = { index: 0, count: 1 };

/**
 * Shard `shard`'s share: bench's round robin ({@link shardOf}) over the unsharded order of the episodes, and
 * separately of the chains (a chain runs up to five instructions, so each kind is balanced on its own).
 */
export function vlaShare(plan: VlaPlan, shard: Shard): { episodes: VlaEpisodeKey[]; chains: VlaChainKey[] } {
  return {
    episodes: shardOf(plannedVlaEpisodes(plan), shard.index, shard.count),
    chains: shardOf(plannedVlaChains(plan), shard.index, shard.count),
  };
}

/**
 * The policy's sampling seed for one episode or chain: from the policy seed, the head seed and the rollout
 * alone, so that a rollout samples the same noise whichever shard runs it and whatever ran before it (one
 * policy over many rollouts would carry its chunk counter from one to the next), and every variant samples
 * the same noise in the same rollout.
 */
export function rolloutSeed(plan: VlaPlan, key: VlaEpisodeKey | VlaChainKey): number {
  const seed = plan.seed + key.head;
  return 'suite' in key
    ? seedFromParts(plan.policySeed, seed, key.suite, key.taskIndex, key.trial)
    : seedFromParts(plan.policySeed, seed, 'calvin', key.chain);
}

/** The heads' figures that every shard computes in full: final losses per head seed, and the probe. */
export interface VlaHeadFigures {
  headLoss: VlaScores['headLoss'];
  probe: VlaScores['probe'];
}

/**
 * One shard's output of a VLA benchmark ({@link benchmarkVlaShard}): the plan, the shard, its share's
 * results keyed by their place in the unsharded order, and the heads' figures (every shard trains every
 * head). Plain JSON.
 */
export interface VlaShardOutput extends VlaHeadFigures {
  shard: Shard;
  plan: VlaPlan;
  /** Episodes and chains of the whole run (all shards). */
  planned: { episodes: number; chains: number };
  /** This shard's episodes, in the unsharded order. */
  episodes: VlaEpisodeResult[];
  /** This shard's chains, in the unsharded order. */
  chains: VlaChainResult[];
}

/** A whole run's results, in any order, with its plan and heads' figures: what {@link vlaScores} scores. */
export interface VlaRun extends VlaHeadFigures {
  plan: VlaPlan;
  episodes: readonly VlaEpisodeResult[];
  chains: readonly VlaChainResult[];
}

/** A VLA benchmark's demonstrations: the LIBERO-style ones by suite, and the CALVIN-style chains (may be empty without chains). */
export interface VlaDemonstrations {
  libero: Readonly<Record<string, readonly RobotEpisode[]>>;
  calvin: readonly RobotEpisode[];
}

/** The plan's suites' demonstrations in its order, and each one's suite; throws naming a suite without any. */
function liberoDemonstrations(
  plan: VlaPlan,
  libero: VlaDemonstrations['libero'],
): { episodes: RobotEpisode[]; suiteOf: string[] } {
  const episodes: RobotEpisode[] = [];
  const suiteOf: string[] = [];
  for (const suite of plan.suites) {
    const list = Object.hasOwn(libero, suite) ? libero[suite] : [];
    if (list.length === 0) throw new Error(`VLA benchmark: no demonstrations of suite ${suite}`);
    episodes.push(...list);
    suiteOf.push(...list.map(() => suite));
  }
  return { episodes, suiteOf };
}

/**
 * A head seed's LIBERO-style heads, in the plan's order: the samples each trains on (of `set`, built over
 * the plan's suites' demonstrations, suite `suiteOf[e]` for demonstration `e`) and the suites it is
 * evaluated in. One per suite with `headPerSuite`, otherwise one for all.
 */
function liberoHeadSets(
  plan: VlaPlan,
  set: VlaTrainingSet,
  suiteOf: readonly string[],
): Array<{ suites: string[]; set: VlaTrainingSet }> {
  if (!plan.headPerSuite) return [{ suites: plan.suites, set }];
  return plan.suites.map((suite) => ({
    suites: [suite],
    set: demonstrationSubset(set, (e) => suiteOf[e] === suite),
  }));
}

/** Runs one episode of the share with its own policy: success or not. */
async function runVlaEpisode(vlm: Vlm, head: VlaHead, plan: VlaPlan, key: VlaEpisodeKey): Promise<boolean> {
  const report = (await evaluate(vlaPolicy(vlm, head, rolloutSeed(plan, key)), key.suite, {
    tasks: [key.taskIndex],
    trials: 1,
    firstTrial: key.trial,
    replanSteps: plan.replanSteps,
    imageSize: plan.imageSize,
    seed: plan.policySeed,
    videos: 'none',
    progress: false,
  })) as EpisodesReport;
  return episodeOutcomes(report)[0];
}

/** Runs one chain of the share with its own policy: the subtasks it completed. */
async function runVlaChain(vlm: Vlm, head: VlaHead, plan: VlaPlan, key: VlaChainKey): Promise<number> {
  const report = (await evaluate(vlaPolicy(vlm, head, rolloutSeed(plan, key)), 'calvin', {
    chains: 1,
    firstTrial: key.chain,
    replanSteps: plan.replanSteps,
    imageSize: plan.imageSize,
    seed: plan.policySeed,
    videos: 'none',
    progress: false,
  })) as ChainsReport;
  return chainLengths(report)[0];
}

/**
 * One shard of {@link benchmarkVla} (`options.shard`, default all): trains every head exactly as the
 * unsharded run does (the heads are deterministic given their seed), evaluates only the shard's share of the
 * episodes and chains ({@link vlaShare}), and returns them keyed by their place in the unsharded order.
 * `mergeVlaShards` combines the outputs of shards `0/n` … `n−1/n` into the scores `benchmarkVla` gives.
 */
export async function benchmarkVlaShard(
  vlm: Vlm,
  demos: VlaDemonstrations,
  options: VlaBenchmarkOptions,
): Promise<VlaShardOutput> {
  const shard = options.shard ?? WHOLE;
  const units = options.units ?? NO_UNIT_MEMO;
  const plan = vlaPlan(options);
  // Before any training: a bad shard or a suite without demonstrations fails at once.
  const share = vlaShare(plan, shard);
  const libero = liberoDemonstrations(plan, demos.libero);
  if (plan.chains > 0 && demos.calvin.length === 0)
    throw new Error(
      'VLA benchmark: the plan runs CALVIN-style chains but has no CALVIN-style demonstrations',
    );
  const liberoSet = await vlaTrainingSet(vlm, libero.episodes, plan.frameStride, plan.inputs);
  const calvinSet =
    plan.chains > 0 ? await vlaTrainingSet(vlm, demos.calvin, plan.frameStride, plan.inputs) : null;
  const fitted = actionProbe(liberoSet, plan.seed);
  const object = fitted && objectProbe(liberoSet, plan.seed);
  const probe = fitted && {
    actionR2: fitted.r2,
    ci95: fitted.ci95,
    lambda: fitted.lambda,
    objectR2: object?.r2 ?? null,
    objectCi95: object?.ci95 ?? null,
    objectLambda: object?.lambda ?? null,
  };
  const headSets = liberoHeadSets(plan, liberoSet, libero.suiteOf);
  const headLoss = { libero: [] as number[], calvin: [] as number[] };
  const episodes: VlaEpisodeResult[] = [];
  const chains: VlaChainResult[] = [];
  for (let k = 0; k < plan.headSeeds; k++) {
    const training = headTrainingOf(plan, k, options.session);
    const mine = {
      episodes: share.episodes.filter((e) => e.head === k),
      chains: share.chains.filter((c) => c.head === k),
    };
    const bar = progressBar({
      label: `VLA head seed ${plan.seed + k}${shard.count > 1 ? ` (shard ${shard.index}/${shard.count})` : ''}`,
      total: mine.episodes.length + mine.chains.length,
    });
    // A unit's name says which head of which share; its value is the head's loss and its rollouts.
    const unit = (head: string) => `shard ${shard.index}/${shard.count}, head seed ${k}, ${head}`;
    try {
      for (const { suites, set } of headSets) {
        const done = await units.run(unit(suites.join('+')), () =>
          trainAndRollOut(
            set,
            training,
            mine.episodes.filter((e) => suites.includes(e.suite)),
            async (head, key): Promise<VlaEpisodeResult> => ({
              ...key,
              success: await runVlaEpisode(vlm, head, plan, key),
            }),
            (finished) => bar.update(episodes.length + chains.length + finished),
          ),
        );
        headLoss.libero.push(done.loss);
        episodes.push(...done.results);
        bar.update(episodes.length + chains.length);
      }
      if (calvinSet) {
        const done = await units.run(unit('calvin'), () =>
          trainAndRollOut(
            calvinSet,
            training,
            mine.chains,
            async (head, key): Promise<VlaChainResult> => ({
              ...key,
              completed: await runVlaChain(vlm, head, plan, key),
            }),
            (finished) => bar.update(episodes.length + chains.length + finished),
          ),
        );
        headLoss.calvin.push(done.loss);
        chains.push(...done.results);
        bar.update(episodes.length + chains.length);
      }
    } finally {
      bar.stop();
    }
  }
  return {
    shard: { index: shard.index, count: shard.count },
    plan,
    planned: { episodes: plannedVlaEpisodes(plan).length, chains: plannedVlaChains(plan).length },
    episodes,
    chains,
    headLoss,
    probe,
  };
}

/** `results` by key, in the order of `planned`; throws naming a result that is missing, extra or doubled. */
function inPlannedOrder<K extends VlaEpisodeKey | VlaChainKey, R extends K>(
  what: string,
  planned: readonly K[],
  results: readonly R[],
): R[] {
  const byKey = new Map<string, R>();
  for (const r of results) {
    const key = vlaResultKey(r);
    if (byKey.has(key)) throw new Error(`VLA scores: ${key} is given twice`);
    byKey.set(key, r);
  }
  const ordered = planned.map((k) => {
    const r = byKey.get(vlaResultKey(k));
    if (!r) throw new Error(`VLA scores: the run lacks ${vlaResultKey(k)}`);
    return r;
  });
  if (ordered.length !== results.length)
    throw new Error(`VLA scores: ${results.length - ordered.length} ${what} are not in the plan`);
  return ordered;
}

/**
 * The scores of a whole run: per suite the pooled success with its Wilson interval, and the chains' average
 * length with its bootstrap interval, both over the results in the unsharded order (the intervals and the
 * paired lists depend on it). The one scoring step of {@link benchmarkVla} and `mergeVlaShards`.
 */
export function vlaScores(run: VlaRun): VlaScores {
  const { plan } = run;
  const episodes = inPlannedOrder('episodes', plannedVlaEpisodes(plan), run.episodes);
  const lengths = inPlannedOrder('chains', plannedVlaChains(plan), run.chains).map((c) => c.completed);
  const libero = Object.fromEntries(
    plan.suites.map((suite): [string, SuiteScore] => {
      const list = episodes.filter((e) => e.suite === suite).map((e) => e.success);
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
  const calvin: ChainScore | null =
    lengths.length === 0
      ? null
      : {
          avgLen: lengths.reduce((a, b) => a + b, 0) / lengths.length,
          ci95: bootstrapMean(lengths, 2000, plan.policySeed),
          chains: lengths.length,
          stepRates: [1, 2, 3, 4, 5].map((k) => lengths.filter((l) => l >= k).length / lengths.length),
          lengths,
        };
  return {
    libero,
    calvin,
    headLoss: { libero: [...run.headLoss.libero], calvin: [...run.headLoss.calvin] },
    probe: run.probe,
  };
}

/**
 * One frozen backbone on both benchmarks, as the paper converts it: per head seed, a head per LIBERO-style
 * suite trained on its demonstrations (`headPerSuite`; otherwise one head on every suite's, evaluated on
 * each), and one trained on the CALVIN-style demonstrations and evaluated on chains. Success is pooled over seeds (Wilson interval of the pooled
 * counts); chain lengths are pooled and bootstrapped. It is {@link benchmarkVlaShard} of shard `0/1`,
 * scored by {@link vlaScores}; to split the episodes and chains over machines, run `benchmarkVlaShard` per
 * shard and `mergeVlaShards` their outputs.
 */
export async function benchmarkVla(
  vlm: Vlm,
  demos: VlaDemonstrations,
  options: VlaBenchmarkOptions,
): Promise<VlaScores> {
  const shard = options.shard ?? WHOLE;
  if (shard.index !== 0 || shard.count !== 1)
    throw new Error(
      `benchmarkVla runs the whole benchmark, but options.shard is ${shard.index}/${shard.count}: run benchmarkVlaShard for each shard and merge their outputs with mergeVlaShards`,
    );
  return vlaScores(await benchmarkVlaShard(vlm, demos, { ...options, shard: WHOLE }));
}

/** Percentile bootstrap 95% interval of a mean. */
export function bootstrapMean(values: readonly number[], resamples: number, seed: number): [number, number] {
  const rand = mulberry32(seed);
  const means = Array.from({ length: resamples }, () => {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[Math.floor(rand() * values.length)];
    return s / values.length;
  }).sort((a, b) => a - b);
  return percentileInterval95(means);
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
  /** Final training loss ({@link tailMean}), averaged over the heads (one per suite with `headPerSuite`). */
  headLoss: number;
}

/** Input sets of {@link ablateVlaInputs}, each a head per suite: what dealing VLA stages to workers counts. */
export const ABLATION_INPUT_SETS = 4;

/**
 * The head-input ablation on one backbone: a head on the state only, on the state and the blind
 * instruction words ({@link instructionWordFeatures}: the task without the scene), on the features only,
 * and on both, each trained like the benchmark's LIBERO-style heads (per suite with `headPerSuite`; first
 * head seed) and scored on validation initial states, never on the evaluation's.
 */
export async function ablateVlaInputs(
  vlm: Vlm,
  demos: VlaDemonstrations['libero'],
  options: VlaBenchmarkOptions & { validationTrials: number },
): Promise<AblationRow[]> {
  const plan = vlaPlan(options);
  const features = plan.inputs.features;
  const libero = liberoDemonstrations(plan, demos);
  const rows: AblationRow[] = [];
  // The features-only set is the full set with its states zeroed: the backbone runs once for both.
  const both = await vlaTrainingSet(vlm, libero.episodes, plan.frameStride, { features, state: true });
  const sets = [
    await vlaTrainingSet(vlm, libero.episodes, plan.frameStride, { features: 'none', state: true }),
    await vlaTrainingSet(vlm, libero.episodes, plan.frameStride, { features: 'instruction', state: true }),
    withoutState(both),
    both,
  ];
  const units = options.units ?? NO_UNIT_MEMO;
  const training = headTrainingOf(plan, 0, options.session);
  for (const set of sets) {
    let successes = 0;
    let episodes = 0;
    const losses: number[] = [];
    for (const { suites, set: headSet } of liberoHeadSets(plan, set, libero.suiteOf)) {
      const done = await units.run(`${JSON.stringify(set.inputs)}, ${suites.join('+')}`, () =>
        trainAndRollOut(headSet, training, suites, async (head, suite) =>
          episodeOutcomes(
            (await evaluate(vlaPolicy(vlm, head, plan.seed), suite, {
              trials: options.validationTrials,
              firstTrial: VALIDATION_FIRST_TRIAL,
              tasks: plan.tasks[suite],
              replanSteps: plan.replanSteps,
              imageSize: plan.imageSize,
              seed: plan.policySeed,
              videos: 'none',
            })) as EpisodesReport,
          ),
        ),
      );
      const outcomes = done.results.flat();
      losses.push(done.loss);
      successes += outcomes.filter(Boolean).length;
      episodes += outcomes.length;
    }
    const { low, high } = wilsonInterval(successes, episodes);
    rows.push({
      inputs: set.inputs,
      successes,
      episodes,
      successRate: successes / episodes,
      ci95: [low, high],
      headLoss: losses.reduce((a, b) => a + b, 0) / losses.length,
    });
  }
  return rows;
}
