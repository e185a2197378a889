import { computeNormStats, type NormStats, normalize } from '@roboalign/fast-tokenizer';
import type { HeadSample } from './action-head.js';
import type { ActionHeadConfig } from './config.js';
import { ActionHeadError } from './errors.js';

/** Row-major numbers of one episode: `[length, width]`. */
export type EpisodeValues = Float32Array | Float64Array;

/** One demonstration as the head's samples read it: its expert actions and robot states, step by step. */
export interface DemonstrationArrays {
  /** Number of steps `T`. */
  readonly length: number;
  /** Expert actions, row-major `[T, actionWidth]`. */
  readonly actions: EpisodeValues;
  /** Robot states, row-major `[T, stateWidth]`. */
  readonly states: EpisodeValues;
}

/**
 * Where a robot's actions and states go in the head's arrays. The head's rows are wider than the robot's
 * (`actionDim ≥ actionWidth`, `stateDim ≥ stateWidth`); the values past the robot's width stay 0.
 * Pass the robot's widths from its benchmark (bench's `ACTION_DIM` 7 and `STATE_DIM` 8) rather than literals.
 */
export interface SampleLayout extends Pick<ActionHeadConfig, 'horizon' | 'actionDim' | 'stateDim'> {
  /** Values in one robot action (bench's `ACTION_DIM`). */
  readonly actionWidth: number;
  /** Values in one robot state (bench's `STATE_DIM`). */
  readonly stateWidth: number;
}

/**
 * The {@link SampleLayout} of a head for a robot whose actions are `actionWidth` and states `stateWidth`
 * values wide (for bench: `sampleLayout(config, ACTION_DIM, STATE_DIM)`).
 */
export function sampleLayout(
  config: Pick<ActionHeadConfig, 'horizon' | 'actionDim' | 'stateDim'>,
  actionWidth: number,
  stateWidth: number,
): SampleLayout {
  const { horizon, actionDim, stateDim } = config;
  const layout = { horizon, actionDim, stateDim, actionWidth, stateWidth };
  checkLayout(layout, 'sampleLayout');
  return layout;
}

/** One training step of one demonstration: the episode's position in its list and the step `t`. */
export interface EpisodeStep {
  readonly episode: number;
  readonly t: number;
}

/** The backbone side of one sample or observation: `[backboneTokens, backboneDim]` features and their mask. */
export interface HeadFeatures {
  readonly features: Float32Array;
  readonly featureMask: Float32Array;
}

function checkLayout(layout: SampleLayout, where: string): void {
  const { horizon, actionDim, stateDim, actionWidth, stateWidth } = layout;
  for (const [name, value] of Object.entries({ horizon, actionWidth, stateWidth }))
    if (!Number.isInteger(value) || value < 1)
      throw new ActionHeadError(`${where}: ${name} must be an integer >= 1, got ${value}`);
  if (actionWidth > actionDim)
    throw new ActionHeadError(
      `${where}: actions are ${actionWidth} wide but the head's rows hold ${actionDim}`,
    );
  if (stateWidth > stateDim)
    throw new ActionHeadError(
      `${where}: states are ${stateWidth} wide but the head's state holds ${stateDim}`,
    );
}

function checkEpisode(episode: DemonstrationArrays, layout: SampleLayout, where: string): void {
  const { length, actions, states } = episode;
  if (!Number.isInteger(length) || length < 0)
    throw new ActionHeadError(`${where}: length must be an integer >= 0, got ${length}`);
  if (actions.length !== length * layout.actionWidth)
    throw new ActionHeadError(
      `${where}: expected [${length}, ${layout.actionWidth}] actions, got ${actions.length} values`,
    );
  if (states.length !== length * layout.stateWidth)
    throw new ActionHeadError(
      `${where}: expected [${length}, ${layout.stateWidth}] states, got ${states.length} values`,
    );
}

/**
 * The loss mask of one chunk, `[horizon, actionDim]`: 1 in the action dimensions `active` marks (e.g. what
 * the demonstrations move), 0 in the others and in the head's padding past `active.length`.
 */
export function activeActionMask(
  active: readonly boolean[],
  horizon: number,
  actionDim: number,
): Float32Array {
  if (active.length > actionDim)
    throw new ActionHeadError(
      `activeActionMask: ${active.length} action dimensions but the head's rows hold ${actionDim}`,
    );
  const mask = new Float32Array(horizon * actionDim);
  for (let h = 0; h < horizon; h++)
    for (let d = 0; d < active.length; d++) mask[h * actionDim + d] = active[d] ? 1 : 0;
  return mask;
}

/**
 * The expert's chunk at step `t`, `[horizon, actionDim]`: actions `t … t + horizon − 1`, the last action
 * repeated past the end of the episode (a robot that holds still), each row zero-padded from `actionWidth`
 * to `actionDim`. Actions are copied as they are (not normalized).
 */
export function chunkAt(
  episode: Pick<DemonstrationArrays, 'length' | 'actions'>,
  t: number,
  layout: Pick<SampleLayout, 'horizon' | 'actionDim' | 'actionWidth'>,
): Float32Array {
  const { length, actions } = episode;
  const { horizon, actionDim, actionWidth } = layout;
  if (!Number.isInteger(t) || t < 0 || t >= length)
    throw new ActionHeadError(`chunkAt: step ${t} is outside the episode's ${length} steps`);
  if (actions.length !== length * actionWidth)
    throw new ActionHeadError(
      `chunkAt: expected [${length}, ${actionWidth}] actions, got ${actions.length} values`,
    );
  if (actionWidth > actionDim)
    throw new ActionHeadError(
      `chunkAt: actions are ${actionWidth} wide but the head's rows hold ${actionDim}`,
    );
  const chunk = new Float32Array(horizon * actionDim);
  for (let h = 0; h < horizon; h++) {
    const source = Math.min(t + h, length - 1);
    chunk.set(actions.subarray(source * actionWidth, (source + 1) * actionWidth), h * actionDim);
  }
  return chunk;
}

/**
 * One robot state as the head reads it, `[stateDim]`: mean-std normalized with `stats` and zero-padded
 * (the state's width is `stats`'). Used for training samples and for observations alike.
 */
export function headState(state: ArrayLike<number>, stats: NormStats, stateDim: number): Float32Array {
  if (state.length !== stats.mean.length)
    throw new ActionHeadError(
      `headState: the state has ${state.length} values but the normalization statistics ${stats.mean.length}`,
    );
  if (state.length > stateDim)
    throw new ActionHeadError(
      `headState: the state has ${state.length} values but the head holds ${stateDim}`,
    );
  const out = new Float32Array(stateDim);
  out.set(normalize(state, stats, 'mean-std'));
  return out;
}

/** Mean-std (and quantile) statistics of every state of every demonstration, `stateWidth` per row. */
export function episodeStateStats(
  episodes: readonly Pick<DemonstrationArrays, 'states'>[],
  stateWidth: number,
): NormStats {
  const values = new Float64Array(episodes.reduce((n, e) => n + e.states.length, 0));
  let offset = 0;
  for (const { states } of episodes) {
    values.set(states, offset);
    offset += states.length;
  }
  return computeNormStats(values, stateWidth);
}

/**
 * The steps the head trains on, in sample order: each episode in turn, steps `0, frameStride, 2·frameStride, …`
 * below its length. {@link headSamplesFromEpisodes} builds its samples in this order.
 */
export function episodeSteps(
  episodes: readonly Pick<DemonstrationArrays, 'length'>[],
  frameStride = 1,
): EpisodeStep[] {
  if (!Number.isInteger(frameStride) || frameStride < 1)
    throw new ActionHeadError(`episodeSteps: frameStride must be an integer >= 1, got ${frameStride}`);
  const steps: EpisodeStep[] = [];
  episodes.forEach(({ length }, episode) => {
    for (let t = 0; t < length; t += frameStride) steps.push({ episode, t });
  });
  return steps;
}

/** What {@link headSamplesFromEpisodes} needs besides the episodes. */
export interface EpisodeSampleOptions {
  readonly layout: SampleLayout;
  /** Statistics the states are normalized with (e.g. {@link episodeStateStats} of the same episodes). */
  readonly stateStats: NormStats;
  /** Action dimensions in the loss (`actionWidth` of them); the others are masked out. */
  readonly active: readonly boolean[];
  /** The backbone side of sample `sample`, taken at `step` (called once per sample, in order). */
  readonly features: (step: EpisodeStep, sample: number) => HeadFeatures;
  /** Steps between samples of one episode (default 1, every step). */
  readonly frameStride?: number;
  /** `false` zeroes every sample's state (a head that does not read the state); default `true`. */
  readonly readState?: boolean;
  /** Embodiment id of every sample (default 0). */
  readonly embodiment?: number;
}

/**
 * Training samples of the flow-matching head from demonstrations, one per {@link episodeSteps} step: the
 * features `features` gives, the normalized state at `t` ({@link headState}), the expert's next `horizon`
 * actions ({@link chunkAt}, the last one repeated past the end), and one shared loss mask
 * ({@link activeActionMask}).
 */
export function headSamplesFromEpisodes(
  episodes: readonly DemonstrationArrays[],
  options: EpisodeSampleOptions,
): HeadSample[] {
  const { layout, stateStats, active, features, frameStride = 1, readState = true, embodiment = 0 } = options;
  checkLayout(layout, 'headSamplesFromEpisodes');
  if (active.length !== layout.actionWidth)
    throw new ActionHeadError(
      `headSamplesFromEpisodes: active marks ${active.length} action dimensions, expected ${layout.actionWidth}`,
    );
  episodes.forEach((e, i) => {
    checkEpisode(e, layout, `headSamplesFromEpisodes: episode ${i}`);
  });
  const actionMask = activeActionMask(active, layout.horizon, layout.actionDim);
  const { stateWidth, stateDim } = layout;
  return episodeSteps(episodes, frameStride).map((step, sample) => {
    const episode = episodes[step.episode];
    const state = readState
      ? headState(
          episode.states.subarray(step.t * stateWidth, (step.t + 1) * stateWidth),
          stateStats,
          stateDim,
        )
      : new Float32Array(stateDim);
    const { features: backbone, featureMask } = features(step, sample);
    return {
      features: backbone,
      featureMask,
      state,
      embodiment,
      actions: chunkAt(episode, step.t, layout),
      actionMask,
    };
  });
}
