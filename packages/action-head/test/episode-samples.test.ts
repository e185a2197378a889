import { computeNormStats, normalize } from '@roboalign/fast-tokenizer';
import { describe, expect, it } from 'vitest';
import type { HeadObservation } from '../src/action-head.js';
import type { ActionHeadConfig } from '../src/config.js';
import {
  activeActionMask,
  chunkAt,
  type DemonstrationArrays,
  episodeStateStats,
  episodeSteps,
  headSamplesFromEpisodes,
  headState,
  type SampleLayout,
  sampleLayout,
} from '../src/episode-samples.js';
import { ActionHeadError } from '../src/errors.js';
import { chunkSeed, chunkToActions, headPolicy } from '../src/head-policy.js';
import { TINY } from './helpers/tiny-config.js';

// A robot with 2-D actions and 2-D states on a head whose rows are 3 wide: horizon 4, one padded column.
const layout: SampleLayout = { horizon: 4, actionDim: 3, stateDim: 3, actionWidth: 2, stateWidth: 2 };

/** Three steps; action t is (t + 1, −(t + 1) / 10), state t is (t, 10 t). */
const episode: DemonstrationArrays = {
  length: 3,
  actions: Float32Array.of(1, -0.1, 2, -0.2, 3, -0.3),
  states: Float32Array.of(0, 0, 1, 10, 2, 20),
};
/** A second episode of two steps. */
const short: DemonstrationArrays = {
  length: 2,
  actions: Float32Array.of(5, 0.5, 6, 0.6),
  states: Float32Array.of(4, 40, 6, 60),
};
const f32 = (...values: number[]) => Array.from(Float32Array.from(values));

describe('the layout', () => {
  it('puts the robot widths next to the head widths and rejects a robot wider than the head', () => {
    expect(sampleLayout({ ...TINY, horizon: 4, actionDim: 3, stateDim: 3 }, 2, 2)).toEqual(layout);
    expect(() => sampleLayout(TINY, 7, 2)).toThrow(/actions are 7 wide but the head's rows hold 2/);
    expect(() => sampleLayout(TINY, 2, 8)).toThrow(/states are 8 wide but the head's state holds 2/);
  });
});

describe('chunks of an episode', () => {
  it('take the next `horizon` actions, repeat the last past the end, and zero the padded columns', () => {
    expect(Array.from(chunkAt(episode, 0, layout))).toEqual(
      f32(1, -0.1, 0, 2, -0.2, 0, 3, -0.3, 0, 3, -0.3, 0),
    );
    expect(Array.from(chunkAt(episode, 1, layout))).toEqual(
      f32(2, -0.2, 0, 3, -0.3, 0, 3, -0.3, 0, 3, -0.3, 0),
    );
    // The last step holds still for the whole horizon.
    expect(Array.from(chunkAt(episode, 2, layout))).toEqual(
      f32(3, -0.3, 0, 3, -0.3, 0, 3, -0.3, 0, 3, -0.3, 0),
    );
  });

  it('reject a step outside the episode and actions of another shape', () => {
    expect(() => chunkAt(episode, 3, layout)).toThrow(ActionHeadError);
    expect(() => chunkAt(episode, -1, layout)).toThrow(/outside the episode's 3 steps/);
    expect(() => chunkAt({ length: 4, actions: episode.actions }, 0, layout)).toThrow(
      /expected \[4, 2\] actions, got 6 values/,
    );
    expect(() => chunkAt(episode, 0, { ...layout, actionDim: 1 })).toThrow(/rows hold 1/);
  });
});

describe('the loss mask', () => {
  it('is 1 in the active dimensions of every row and 0 in the others and the padding', () => {
    expect(Array.from(activeActionMask([true, false], 2, 3))).toEqual([1, 0, 0, 1, 0, 0]);
    expect(() => activeActionMask([true, true, true, true], 2, 3)).toThrow(ActionHeadError);
  });
});

describe('states', () => {
  const stats = episodeStateStats([episode, short], 2);

  it('are normalized over every state of every episode', () => {
    expect(stats).toEqual(computeNormStats(Float64Array.of(0, 0, 1, 10, 2, 20, 4, 40, 6, 60), 2));
    expect(stats.mean).toEqual([2.6, 26]);
  });

  it('are mean-std normalized and zero-padded to the head width', () => {
    const state = headState(Float64Array.of(1, 10), stats, 3);
    expect(Array.from(state)).toEqual([...f32(...normalize([1, 10], stats, 'mean-std')), 0]);
    expect(state[0]).toBeCloseTo((1 - 2.6) / stats.std[0], 6);
    expect(() => headState([1, 2, 3], stats, 3)).toThrow(/3 values but the normalization statistics 2/);
    expect(() => headState([1, 2], stats, 1)).toThrow(/the head holds 1/);
  });
});

describe('head samples from episodes', () => {
  const stats = episodeStateStats([episode, short], 2);
  const features = (episodeIndex: number, t: number) => ({
    features: Float32Array.of(episodeIndex, t),
    featureMask: Float32Array.of(1),
  });

  it('visit every `frameStride`-th step of each episode in turn', () => {
    expect(episodeSteps([episode, short])).toEqual([
      { episode: 0, t: 0 },
      { episode: 0, t: 1 },
      { episode: 0, t: 2 },
      { episode: 1, t: 0 },
      { episode: 1, t: 1 },
    ]);
    expect(episodeSteps([episode, short], 2)).toEqual([
      { episode: 0, t: 0 },
      { episode: 0, t: 2 },
      { episode: 1, t: 0 },
    ]);
    expect(() => episodeSteps([episode], 0)).toThrow(/frameStride must be an integer >= 1/);
  });

  it('join features, the normalized state, the padded chunk and one shared mask per step', () => {
    const seen: number[] = [];
    const samples = headSamplesFromEpisodes([episode, short], {
      layout,
      stateStats: stats,
      active: [true, false],
      features: ({ episode: e, t }, sample) => {
        seen.push(sample);
        return features(e, t);
      },
    });
    expect(samples).toHaveLength(5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    const last = samples[4]; // episode 1, step 1: its last action held for the whole horizon
    expect(Array.from(last.features)).toEqual([1, 1]);
    expect(Array.from(last.state)).toEqual(Array.from(headState([6, 60], stats, 3)));
    expect(Array.from(last.actions)).toEqual(f32(6, 0.6, 0, 6, 0.6, 0, 6, 0.6, 0, 6, 0.6, 0));
    expect(Array.from(last.actionMask)).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0]);
    expect(last.embodiment).toBe(0);
    expect(samples.every((s) => s.actionMask === last.actionMask)).toBe(true);
    expect(Array.from(samples[1].actions)).toEqual(Array.from(chunkAt(episode, 1, layout)));
    expect(Array.from(samples[1].state)).toEqual(Array.from(headState([1, 10], stats, 3)));
  });

  it('take a stride, zero the states of a head that does not read them, and set the embodiment', () => {
    const samples = headSamplesFromEpisodes([episode, short], {
      layout,
      stateStats: stats,
      active: [true, true],
      features: ({ episode: e, t }) => features(e, t),
      frameStride: 2,
      readState: false,
      embodiment: 1,
    });
    expect(samples.map((s) => Array.from(s.features))).toEqual([
      [0, 0],
      [0, 2],
      [1, 0],
    ]);
    expect(samples.every((s) => s.state.length === 3 && s.state.every((v) => v === 0))).toBe(true);
    expect(samples.every((s) => s.embodiment === 1)).toBe(true);
    expect(Array.from(samples[0].actionMask)).toEqual([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0]);
  });

  it('reject episodes and layouts that do not fit', () => {
    const options = { layout, stateStats: stats, active: [true, true], features: () => features(0, 0) };
    const bad = { ...short, states: Float32Array.of(1, 2, 3) };
    expect(() => headSamplesFromEpisodes([episode, bad], options)).toThrow(
      /episode 1: expected \[2, 2\] states, got 3 values/,
    );
    expect(() => headSamplesFromEpisodes([episode], { ...options, active: [true] })).toThrow(
      /active marks 1 action dimensions, expected 2/,
    );
    expect(() =>
      headSamplesFromEpisodes([episode], { ...options, layout: { ...layout, stateDim: 1 } }),
    ).toThrow(ActionHeadError);
  });
});

describe('the head as a policy', () => {
  it('seeds every chunk from the policy seed and its call number', () => {
    expect(chunkSeed(0, 0)).toBe(0);
    expect(chunkSeed(2, 5)).toBe(2_000_011);
  });

  it('clamps the active dimensions to [−1, 1] and emits 0 in the others and in no padding', () => {
    const chunk = Float32Array.of(1.5, 0.7, 9, -0.25, -3, 9);
    expect(Array.from(chunkToActions(chunk, [true, false], { horizon: 2, actionDim: 3 }))).toEqual([
      1, 0, -0.25, 0,
    ]);
    expect(Array.from(chunkToActions(chunk, [true, true], { horizon: 2, actionDim: 3 }))).toEqual(
      f32(1, 0.7, -0.25, -1),
    );
    expect(() => chunkToActions(chunk, [true], { horizon: 3, actionDim: 3 })).toThrow(/\[3, 3\] chunk/);
  });

  // A stand-in for a trained head: its chunk is the seed, then the state, then the first feature.
  const config: ActionHeadConfig = { ...TINY, horizon: 2, actionDim: 3, stateDim: 3 };
  const asked: Array<{ observation: HeadObservation; seed: number }> = [];
  const head = {
    config,
    async predict(observation: HeadObservation, seed: number): Promise<Float32Array> {
      asked.push({ observation, seed });
      const { state, features } = observation;
      return Float32Array.of(seed / 1e7, state[0], features[0], state[1], 0.5, 7);
    },
  };
  const stats = computeNormStats(Float64Array.of(0, 0, 2, 4), 2);

  it('samples a chunk per call with a deterministic noise seed and maps it to clamped robot actions', async () => {
    asked.length = 0;
    const reset: string[] = [];
    let word = 0;
    const policy = headPolicy(head, {
      stateStats: stats,
      active: [true, true],
      seed: 3,
      features: () => ({ features: Float32Array.of(word, 0), featureMask: Float32Array.of(1) }),
      reset: (instruction) => {
        reset.push(instruction);
        word = 0.25;
      },
    });
    const first = await policy.act({ state: [1, 2] });
    await policy.reset?.('lift');
    const second = await policy.act({ state: [3, 2] });
    expect(asked.map((a) => a.seed)).toEqual([3_000_009, 3_000_010]);
    expect(reset).toEqual(['lift']);
    expect(Array.from(asked[0].observation.state)).toEqual(Array.from(headState([1, 2], stats, 3)));
    expect(asked[0].observation.embodiment).toBe(0);
    expect(first.horizon).toBe(2);
    // Row 0: seed/1e7, normalized state[0] = 0 (the mean); row 1: normalized state[1] = 0, then 0.5.
    expect(Array.from(first.actions)).toEqual(f32(0.3000009, 0, 0, 0.5));
    // Normalized state[0] = (3 − 1)/1 = 2 is clamped to 1; the features are those after the reset.
    expect(Array.from(second.actions)).toEqual(f32(0.300001, 1, 0, 0.5));
    expect(asked[1].observation.features[0]).toBe(0.25);
    // A new policy with the same seed samples the same noise again.
    const again = headPolicy(head, {
      stateStats: stats,
      active: [true, true],
      seed: 3,
      features: () => ({ features: Float32Array.of(0, 0), featureMask: Float32Array.of(1) }),
    });
    await again.act({ state: [1, 2] });
    expect(asked[2].seed).toBe(3_000_009);
    expect(again.reset).toBeUndefined();
  });

  it('gives a head without state zeros and emits 0 in inactive dimensions', async () => {
    asked.length = 0;
    const policy = headPolicy(head, {
      stateStats: stats,
      active: [false, true],
      readState: false,
      embodiment: 1,
      features: async () => ({ features: Float32Array.of(-4, 0), featureMask: Float32Array.of(1) }),
    });
    const { actions } = await policy.act({ state: [5, 5] });
    expect(Array.from(asked[0].observation.state)).toEqual([0, 0, 0]);
    expect(asked[0].observation.embodiment).toBe(1);
    expect(asked[0].seed).toBe(0);
    expect(Array.from(actions)).toEqual([0, 0, 0, 0.5]);
  });
});
