import { progressBar } from '@roboalign/utils';
import { loadActionTokenizer } from './action-tokenizer.js';
import { TRAJECTORY_STRIDE } from './alternative-targets.js';
import { clearDataset, completedDataset, writeDataset } from './dataset-files.js';
import type { JobSpec, ReasoningUnitStats } from './producers.js';
import { DEFAULT_TEACHER_NOISE, type TeacherNoise } from './reasoning.js';
import type { GeneratedDataset, GenerateOptions, ProducedRow, SourceName, Split } from './types.js';
import { UnitPool } from './unit-pool.js';

/** Default worker threads: the two cores of the reference machine. */
export const DEFAULT_WORKERS = 2;
/** Default capture interval of robot VQA, in control steps (0.3 s at 20 Hz; two questions per frame). */
export const DEFAULT_FRAME_STRIDE = 6;
/**
 * Default capture interval of the reasoning and FAST sources (0.15 s): physics, not rendering, is the cost of
 * an episode, so denser frames give more rows per second (and FAST more distinct chunks).
 */
export const DENSE_FRAME_STRIDE = 3;

/** `<source>` for training rows, `<source>-heldout` for the held-out split. */
export function datasetName(source: SourceName, split: Split): string {
  return split === 'heldout' ? `${source}-heldout` : source;
}

function checkOptions(options: GenerateOptions, what: string): void {
  if (!Number.isInteger(options.count) || options.count < 0)
    throw new RangeError(`${what}: count must be an integer >= 0, got ${options.count}`);
  if (!Number.isInteger(options.seed))
    throw new RangeError(`${what}: seed must be an integer, got ${options.seed}`);
}

/** Runs a source's job on a pool (the caller's or a fresh one) and writes its dataset; resumes when complete. */
async function generateSource<T>(
  options: GenerateOptions,
  source: SourceName,
  extra: Readonly<Record<string, unknown>>,
  job: (name: string, split: Split, imageSize: number) => JobSpec,
  rowsOf: (result: T) => readonly ProducedRow[],
  statsOf?: (results: readonly T[], kept: number) => Record<string, number>,
): Promise<GeneratedDataset> {
  checkOptions(options, `generate ${source}`);
  const started = performance.now();
  const split = options.split ?? 'train';
  const imageSize = options.imageSize ?? 64;
  const name = datasetName(source, split);
  const config = { source, split, count: options.count, seed: options.seed, imageSize, ...extra };
  const seconds = () => (performance.now() - started) / 1000;
  const previous = await completedDataset(options.out, name, config);
  if (previous) return { ...previous, seconds: seconds(), resumed: true };
  await clearDataset(options.out, name, true);
  const pool = options.pool ?? new UnitPool(options.workers ?? DEFAULT_WORKERS);
  const bar = progressBar({ label: name, total: options.count, enabled: options.progress !== false });
  let results: T[];
  try {
    results = await pool.run<T>(job(name, split, imageSize), {
      target: options.count,
      measure: (r) => rowsOf(r).length,
      onProgress: (n) => bar.update(Math.min(n, options.count)),
    });
  } finally {
    bar.stop();
    if (!options.pool) await pool.close();
  }
  const rows = results.flatMap(rowsOf).slice(0, options.count);
  const manifest = await writeDataset(
    options.out,
    {
      name,
      source,
      split,
      seed: options.seed,
      units: results.length,
      config,
      ...(statsOf ? { stats: statsOf(results, rows.length) } : {}),
    },
    rows,
  );
  return { ...manifest, seconds: seconds(), resumed: false };
}

/** Options of {@link generateGeneralVqa}. */
export interface GeneralVqaOptions extends GenerateOptions {
  /** Questions of distinct kinds per random scene, sharing its image (default 3). */
  readonly questionsPerScene?: number;
}

/**
 * (a) General multimodal data, the stand-in for MLLM pretraining and general VQA: random tabletop scenes
 * (1–5 of bench's 20 catalogue objects, plate, tray, button, cabinet), each rendered once in the agent view and
 * asked captions, object names, colours, counts, spatial relations, grounding boxes `[x0, y0, x1, y1]` in
 * agent-view pixels, and drawer or lamp state.
 */
export function generateGeneralVqa(options: GeneralVqaOptions): Promise<GeneratedDataset> {
  const questionsPerScene = options.questionsPerScene ?? 3;
  return generateSource<ProducedRow[]>(
    options,
    'general-vqa',
    { questionsPerScene },
    (name, split, imageSize) => ({
      source: 'general-vqa',
      name,
      split,
      seed: options.seed,
      imageSize,
      questionsPerScene,
    }),
    (rows) => rows,
  );
}

/** Options of the sources built from expert episodes. */
export interface EpisodeSourceOptions extends GenerateOptions {
  /** Capture one frame every `frameStride` control steps (default 6). */
  readonly frameStride?: number;
}

/** Options of {@link generateRobotVqa}. */
export interface RobotVqaOptions extends EpisodeSourceOptions {
  /** Questions of distinct kinds per frame (default 2). */
  readonly questionsPerFrame?: number;
}

/**
 * (b) Robot-grounded VQA, the analogue of the paper's RoboAlign VQA: frames of scripted-expert episodes of the
 * pool (LIBERO-style tasks and CALVIN-style chains, from initial states outside the evaluation's), asking where
 * the gripper is in the image, whether it is open or closed and what it holds, the next high-level step (the
 * expert's phase) and the direction of the next motion (the expert's next action chunk).
 */
export function generateRobotVqa(options: RobotVqaOptions): Promise<GeneratedDataset> {
  const frameStride = options.frameStride ?? DEFAULT_FRAME_STRIDE;
  const questionsPerFrame = options.questionsPerFrame ?? 2;
  return generateSource<ProducedRow[]>(
    options,
    'robot-vqa',
    { frameStride, questionsPerFrame },
    (name, split, imageSize) => ({
      source: 'robot-vqa',
      name,
      split,
      seed: options.seed,
      imageSize,
      frameStride,
      questionsPerFrame,
    }),
    (rows) => rows,
  );
}

/** Options of {@link generateReasoning}. */
export interface ReasoningOptions extends EpisodeSourceOptions {
  /** Multiple-choice questions of distinct kinds per frame (default 2). */
  readonly questionsPerFrame?: number;
  /** Teacher traces tried per question before the frame is dropped (default 3). */
  readonly attempts?: number;
  /** The stand-in teacher's perception noise. */
  readonly noise?: TeacherNoise;
}

/**
 * (c) Reasoning data with zero-shot CoT: embodied multiple-choice questions (next step, direction of the
 * target, what the gripper holds) answered `<think>…</think><answer>X</answer>` by a stand-in teacher that
 * reasons from a noisy perception of the privileged state; only traces whose answer is right are kept.
 * `stats` reports the traces attempted and kept.
 */
export function generateReasoning(options: ReasoningOptions): Promise<GeneratedDataset> {
  const frameStride = options.frameStride ?? DENSE_FRAME_STRIDE;
  const questionsPerFrame = options.questionsPerFrame ?? 2;
  const attempts = options.attempts ?? 3;
  const noise = options.noise ?? DEFAULT_TEACHER_NOISE;
  type Unit = { rows: ProducedRow[]; stats: ReasoningUnitStats };
  return generateSource<Unit>(
    options,
    'reasoning',
    { frameStride, questionsPerFrame, attempts, noise },
    (name, split, imageSize) => ({
      source: 'reasoning',
      name,
      split,
      seed: options.seed,
      imageSize,
      frameStride,
      questionsPerFrame,
      attempts,
      noise,
    }),
    (unit) => unit.rows,
    (units, kept) => {
      const attempted = units.reduce((n, u) => n + u.stats.attempted, 0);
      const questions = units.reduce((n, u) => n + u.stats.questions, 0);
      return { questions, attempted, kept, keptPerAttempt: attempted === 0 ? 0 : kept / attempted };
    },
  );
}

/** Options of {@link generateFastActions}. */
export interface FastActionsOptions extends EpisodeSourceOptions {
  /** Folder of the action tokenizer (`fitActionTokenizer`). */
  readonly tokenizer: string;
  /** Bins of the robot state in the prompt, as pi0-FAST (`stateText`); 0 or absent leaves it out. */
  readonly stateBins?: number;
  /**
   * Share of rows asked with the RL prompt and answered think-then-act (`thinkActAnswer`), a deviation of the
   * miniature that makes the format learnable; 0 or absent: none.
   */
  readonly thinkShare?: number;
  /**
   * Also label each row with the alternative alignment targets (issue #22): `high_level`, the expert's next step
   * in words (absent when the frame has no phase), and `trajectory`, the grasp point's agent-view pixels
   * `[column, row]` at steps t, t + 2, …, t + 8 (`alternativeTargetFacts`). Rows and images are the same
   * either way. Default false.
   */
  readonly alternativeTargets?: boolean;
}

/**
 * (d) FAST token data: agent and wrist view with the task instruction in a fixed question, answered with the
 * FAST tokens of the expert's next 10-step chunk, `<ACTION_START><FAST_i>…<ACTION_END>`. Episodes come from
 * the pool, whose initial states are disjoint from the evaluation suites' (see `unitSeed`).
 */
export async function generateFastActions(options: FastActionsOptions): Promise<GeneratedDataset> {
  const frameStride = options.frameStride ?? DENSE_FRAME_STRIDE;
  const { tokenizer, fit } = await loadActionTokenizer(options.tokenizer);
  const stateBins = options.stateBins ?? 0;
  const thinkShare = options.thinkShare ?? 0;
  const alternativeTargets = options.alternativeTargets ?? false;
  if (!(thinkShare >= 0 && thinkShare <= 1))
    throw new RangeError(`generate fast-actions: thinkShare must be in [0, 1], got ${thinkShare}`);
  return generateSource<ProducedRow[]>(
    options,
    'fast-actions',
    // The options join the config only when used, so datasets written before them still resume.
    {
      frameStride,
      tokenizer: fit,
      fastVocabSize: tokenizer.fastVocabSize,
      ...(stateBins > 0 ? { stateBins } : {}),
      ...(thinkShare > 0 ? { thinkShare } : {}),
      ...(alternativeTargets ? { alternativeTargets: { trajectoryStride: TRAJECTORY_STRIDE } } : {}),
    },
    (name, split, imageSize) => ({
      source: 'fast-actions',
      name,
      split,
      seed: options.seed,
      imageSize,
      frameStride,
      tokenizerDir: options.tokenizer,
      stateBins,
      thinkShare,
      alternativeTargets,
    }),
    (rows) => rows,
  );
}
