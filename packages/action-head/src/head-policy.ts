import type { NormStats } from '@roboalign/fast-tokenizer';
import type { ActionHead } from './action-head.js';
import type { ActionHeadConfig } from './config.js';
import { type HeadFeatures, headState } from './episode-samples.js';
import { ActionHeadError } from './errors.js';

/**
 * The noise seed of a policy's `call`-th chunk (0, 1, … over the policy's whole life, across episodes):
 * `seed · 1 000 003 + call`. Two policies with the same seed asked the same things sample the same chunks.
 */
export function chunkSeed(seed: number, call: number): number {
  return seed * 1_000_003 + call;
}

/**
 * A sampled head chunk `[horizon, actionDim]` as robot actions `[horizon, actionWidth]` (`actionWidth` is
 * `active.length`): the active dimensions clamped to [−1, 1], the others 0 (what the head was never trained
 * to move, and its padding, is not emitted).
 */
export function chunkToActions(
  chunk: Float32Array,
  active: readonly boolean[],
  layout: Pick<ActionHeadConfig, 'horizon' | 'actionDim'>,
): Float32Array {
  const { horizon, actionDim } = layout;
  const width = active.length;
  if (width > actionDim)
    throw new ActionHeadError(
      `chunkToActions: ${width} action dimensions but the head's rows hold ${actionDim}`,
    );
  if (chunk.length !== horizon * actionDim)
    throw new ActionHeadError(
      `chunkToActions: expected a [${horizon}, ${actionDim}] chunk, got ${chunk.length} values`,
    );
  const actions = new Float32Array(horizon * width);
  for (let h = 0; h < horizon; h++)
    for (let d = 0; d < width; d++)
      if (active[d]) actions[h * width + d] = Math.max(-1, Math.min(1, chunk[h * actionDim + d]));
  return actions;
}

/** The least an observation has for {@link headPolicy}: the robot state. */
export interface StateObservation {
  readonly state: ArrayLike<number>;
}

/** What {@link headPolicy} needs besides the head. */
export interface HeadPolicyOptions<O extends StateObservation> {
  /** Statistics the training states were normalized with. */
  readonly stateStats: NormStats;
  /** Action dimensions the head was trained on (one per robot action value); the others are emitted as 0. */
  readonly active: readonly boolean[];
  /** The backbone side of an observation: features and mask, `[backboneTokens, backboneDim]`. */
  readonly features: (observation: O) => HeadFeatures | Promise<HeadFeatures>;
  /** Seeds the noise of every chunk with {@link chunkSeed} (default 0). */
  readonly seed?: number;
  /** `false` gives the head a zero state (a head trained without it); default `true`. */
  readonly readState?: boolean;
  /** Embodiment id (default 0). */
  readonly embodiment?: number;
  /** Called at the start of every episode with its instruction; the policy has a `reset` only with one. */
  readonly reset?: (instruction: string) => void | Promise<void>;
}

/** A chunk of `horizon` robot actions, row-major `[horizon, actionWidth]`. */
export interface RobotActionChunk {
  readonly horizon: number;
  readonly actions: Float32Array;
}

/** A head as a control policy (structurally bench's and serve's `Policy`). */
export interface HeadPolicy<O extends StateObservation> {
  reset?(instruction: string): void | Promise<void>;
  act(observation: O): Promise<RobotActionChunk>;
}

/**
 * A trained head as a policy: per call, the observation's features (from `features`) and normalized state
 * ({@link headState}), one chunk sampled with noise seed {@link chunkSeed}`(seed, call)`, mapped to robot
 * actions by {@link chunkToActions}. The whole chunk is returned; how many of its actions run before the
 * next call (re-planning) is the caller's choice.
 */
export function headPolicy<O extends StateObservation = StateObservation>(
  head: Pick<ActionHead, 'config' | 'predict'>,
  options: HeadPolicyOptions<O>,
): HeadPolicy<O> {
  const { stateStats, active, features, seed = 0, readState = true, embodiment = 0, reset } = options;
  const config = head.config;
  let calls = 0;
  const policy: HeadPolicy<O> = {
    async act(observation: O): Promise<RobotActionChunk> {
      const { features: backbone, featureMask } = await features(observation);
      const state = readState
        ? headState(observation.state, stateStats, config.stateDim)
        : new Float32Array(config.stateDim);
      const chunk = await head.predict(
        { features: backbone, featureMask, state, embodiment },
        chunkSeed(seed, calls++),
      );
      return { horizon: config.horizon, actions: chunkToActions(chunk, active, config) };
    },
  };
  if (reset) policy.reset = reset;
  return policy;
}
