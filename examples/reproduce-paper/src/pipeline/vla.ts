import {
  ACTION_HEAD_PRESETS,
  ActionHead,
  type ActionHeadConfig,
  computeNormStats,
  type HeadSample,
  memoryDataset,
  type NormStats,
  normalize,
  trainHead,
} from '@roboalign/action-head';
import {
  ACTION_DIM,
  type ActionChunk,
  type ChainsReport,
  type EpisodesReport,
  evaluate,
  type Observation,
  type Policy,
  wilsonInterval,
} from '@roboalign/bench';
import { chunkEpisode, type RobotEpisode } from '@roboalign/datasets';
import { mulberry32 } from '@roboalign/utils';
import type { Conversation, RgbImage, Vlm } from '@roboalign/vlm';

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

/** Frozen-backbone features padded (or cut) to `tokens` rows. */
function fitTokens(
  hidden: Float32Array,
  mask: Uint8Array,
  length: number,
  width: number,
  row: number,
  tokens: number,
) {
  const features = new Float32Array(tokens * width);
  const featureMask = new Float32Array(tokens);
  const n = Math.min(length, tokens);
  features.set(hidden.subarray(row * length * width, row * length * width + n * width));
  for (let s = 0; s < n; s++) featureMask[s] = mask[row * length + s];
  return { features, featureMask };
}

/** The action dimensions the demonstrations use (the expert never rolls or pitches; those stay 0). */
function activeDims(demos: readonly RobotEpisode[]): boolean[] {
  const active = new Array<boolean>(ACTION_DIM).fill(false);
  for (const d of demos)
    d.actions.forEach((v, i) => {
      if (v !== 0) active[i % ACTION_DIM] = true;
    });
  return active;
}

/** A head trained on one benchmark's demonstrations, over one frozen VLM. */
export interface VlaHead {
  head: ActionHead;
  stateStats: NormStats;
  active: boolean[];
  tokens: number;
  losses: number[];
}

/**
 * GR00T-N1.5 recipe: the VLM stays frozen; its middle-layer hidden states over (agent view, wrist view,
 * instruction) at every `frameStride`-th demonstration step, with the robot state, train a new
 * flow-matching head to predict the expert's next `horizon` actions.
 */
export async function trainVlaHead(
  vlm: Vlm,
  demos: readonly RobotEpisode[],
  options: { steps: number; frameStride: number; seed: number; progress?: boolean },
): Promise<VlaHead> {
  const frames: Array<{ demo: RobotEpisode; t: number }> = [];
  for (const demo of demos) {
    if (!demo.images || !demo.states) throw new Error(`demonstration ${demo.index} has no images or states`);
    for (let t = 0; t < demo.length; t += options.frameStride) frames.push({ demo, t });
  }
  const prompts = frames.map(({ demo, t }) =>
    observationPrompt(demo.images!.image[t], demo.images!.wrist_image[t], demo.instruction),
  );
  const f = await vlm.features(prompts, { batchSize: 32 });
  const [, tokens, width] = f.shape;
  const config: ActionHeadConfig = {
    ...ACTION_HEAD_PRESETS.small,
    backboneTokens: tokens,
    backboneDim: width,
  };
  const stateStats = computeNormStats(Float64Array.from(demos.flatMap((d) => Array.from(d.states ?? []))), 8);
  const active = activeDims(demos);
  const H = config.horizon;
  const actionMask = new Float32Array(H * config.actionDim);
  for (let h = 0; h < H; h++)
    for (let d = 0; d < ACTION_DIM; d++) actionMask[h * config.actionDim + d] = active[d] ? 1 : 0;
  const chunks = new Map(
    demos.map((d) => [d, chunkEpisode(d.actions, d.length, ACTION_DIM, { horizon: H, pad: 'repeat-last' })]),
  );
  const samples: HeadSample[] = frames.map(({ demo, t }, i) => {
    const state = new Float32Array(config.stateDim);
    state.set(normalize(demo.states!.subarray(t * 8, t * 8 + 8), stateStats, 'mean-std'));
    const chunk = chunks.get(demo)![t];
    const actions = new Float32Array(H * config.actionDim);
    for (let h = 0; h < H; h++)
      actions.set(chunk.subarray(h * ACTION_DIM, (h + 1) * ACTION_DIM), h * config.actionDim);
    return {
      ...fitTokens(f.hidden, f.mask, tokens, width, i, tokens),
      state,
      embodiment: 0,
      actions,
      actionMask,
    };
  });
  const head = await ActionHead.create(config, { batchSize: 32, lr: 3e-4 });
  const losses = await trainHead(head, memoryDataset(samples), {
    steps: options.steps,
    seed: options.seed,
    progress: options.progress,
  });
  return { head, stateStats, active, tokens, losses };
}

/** The frozen VLM and its head as a bench policy: features of the current views, one sampled chunk. */
export function vlaPolicy(vlm: Vlm, trained: VlaHead, seed: number): Policy {
  const { head, stateStats, active, tokens } = trained;
  const config = head.config;
  let calls = 0;
  return {
    async act(observation: Observation): Promise<ActionChunk> {
      const prompt = observationPrompt(observation.image, observation.wristImage, observation.instruction);
      const f = await vlm.features([prompt], { batchSize: 1 });
      const { features, featureMask } = fitTokens(f.hidden, f.mask, f.shape[1], f.shape[2], 0, tokens);
      const state = new Float32Array(config.stateDim);
      state.set(normalize(observation.state, stateStats, 'mean-std'));
      const chunk = await head.predict(
        { features, featureMask, state, embodiment: 0 },
        seed * 1_000_003 + calls++,
      );
      const actions = new Float32Array(config.horizon * ACTION_DIM);
      for (let h = 0; h < config.horizon; h++)
        for (let d = 0; d < ACTION_DIM; d++)
          if (active[d])
            actions[h * ACTION_DIM + d] = Math.max(-1, Math.min(1, chunk[h * config.actionDim + d]));
      return { horizon: config.horizon, actions };
    },
  };
}

/** A LIBERO-style suite's success with its Wilson 95% interval. */
export interface SuiteScore {
  successRate: number;
  ci95: [number, number];
  episodes: number;
  successes: number;
}

/** CALVIN-style average chain length with a bootstrap 95% interval. */
export interface ChainScore {
  avgLen: number;
  ci95: [number, number];
  chains: number;
  /** How many chains completed at least k subtasks, k = 1..5, as fractions. */
  stepRates: number[];
}

/** Evaluates a VLA in a LIBERO-style suite (in-thread: the VLM's sessions live here). */
export async function scoreSuite(
  policy: Policy,
  suite: string,
  options: { trials: number; tasks?: readonly number[]; replanSteps: number; seed: number },
): Promise<SuiteScore> {
  const report = (await evaluate(policy, suite, {
    trials: options.trials,
    tasks: options.tasks,
    replanSteps: options.replanSteps,
    seed: options.seed,
    imageSize: 64,
    videos: 'none',
  })) as EpisodesReport;
  const successes = report.episodes.filter((e) => e.success).length;
  const episodes = report.episodes.length;
  const { low, high } = wilsonInterval(successes, episodes);
  return { successRate: successes / episodes, ci95: [low, high], episodes, successes };
}

/** Evaluates a VLA on CALVIN-style chains; the interval is a seeded percentile bootstrap over chains. */
export async function scoreChains(
  policy: Policy,
  options: { chains: number; replanSteps: number; seed: number },
): Promise<ChainScore> {
  const report = (await evaluate(policy, 'calvin', {
    chains: options.chains,
    replanSteps: options.replanSteps,
    seed: options.seed,
    imageSize: 64,
    videos: 'none',
  })) as ChainsReport;
  const lengths = report.results.map((r) => r.completed);
  return {
    avgLen: report.avgLen,
    ci95: bootstrapMean(lengths, 2000, options.seed),
    chains: lengths.length,
    stepRates: [1, 2, 3, 4, 5].map((k) => lengths.filter((l) => l >= k).length / lengths.length),
  };
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
