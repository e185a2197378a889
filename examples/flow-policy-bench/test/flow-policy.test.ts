import {
  ACTION_HEAD_PRESETS,
  type ActionHead,
  type ActionHeadConfig,
  computeNormStats,
  type HeadObservation,
  type HeadSample,
  type NormStats,
  normalize,
} from '@roboalign/action-head';
import { ACTION_DIM, type ActionChunk, type Observation, type Policy } from '@roboalign/bench';
import { chunkEpisode, type RobotEpisode } from '@roboalign/datasets';
import { mulberry32 } from '@roboalign/utils';
import { describe, expect, it } from 'vitest';
import { demonstratedDims, flowPolicy, headSamples } from '../src/flow-policy.js';
import { instructionFeatures } from '../src/instruction-features.js';

// The sample builder and policy as they were before they moved into @roboalign/action-head (issue #23),
// kept here to show that the shared functions build the same samples and act the same, bit for bit.
function oldHeadSamples(
  demos: readonly RobotEpisode[],
  config: ActionHeadConfig,
  stateStats: NormStats,
  active: readonly boolean[],
): HeadSample[] {
  const samples: HeadSample[] = [];
  const H = config.horizon;
  const actionMask = new Float32Array(H * config.actionDim);
  for (let h = 0; h < H; h++) {
    for (let d = 0; d < ACTION_DIM; d++) actionMask[h * config.actionDim + d] = active[d] ? 1 : 0;
  }
  for (const demo of demos) {
    const { features, featureMask } = instructionFeatures(
      demo.instruction,
      config.backboneTokens,
      config.backboneDim,
    );
    if (!demo.states) throw new Error(`demonstration ${demo.index} ("${demo.instruction}") has no states`);
    const states = normalize(demo.states, stateStats, 'mean-std');
    const chunks = chunkEpisode(demo.actions, demo.length, ACTION_DIM, { horizon: H, pad: 'repeat-last' });
    chunks.forEach((chunk, t) => {
      const state = new Float32Array(config.stateDim);
      state.set(states.subarray(t * 8, t * 8 + 8));
      const actions = new Float32Array(H * config.actionDim);
      for (let h = 0; h < H; h++) {
        actions.set(chunk.subarray(h * ACTION_DIM, (h + 1) * ACTION_DIM), h * config.actionDim);
      }
      samples.push({ features, featureMask, state, embodiment: 0, actions, actionMask });
    });
  }
  return samples;
}

function oldFlowPolicy(
  head: ActionHead,
  stateStats: NormStats,
  active: readonly boolean[],
  seed = 0,
): Policy {
  const config = head.config;
  let features = instructionFeatures('', config.backboneTokens, config.backboneDim);
  let calls = 0;
  return {
    reset(instruction: string) {
      features = instructionFeatures(instruction, config.backboneTokens, config.backboneDim);
    },
    async act(observation: Observation): Promise<ActionChunk> {
      const state = new Float32Array(config.stateDim);
      state.set(normalize(observation.state, stateStats, 'mean-std'));
      const chunk = await head.predict({ ...features, state, embodiment: 0 }, seed * 1_000_003 + calls++);
      const actions = new Float32Array(config.horizon * ACTION_DIM);
      for (let h = 0; h < config.horizon; h++) {
        for (let d = 0; d < ACTION_DIM; d++) {
          if (active[d])
            actions[h * ACTION_DIM + d] = Math.max(-1, Math.min(1, chunk[h * config.actionDim + d]));
        }
      }
      return { horizon: config.horizon, actions };
    },
  };
}

/** The bits of a float array, so that equal means bit for bit (−0 and NaN included). */
const bits = (values: Float32Array) =>
  Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

const random = mulberry32(23);
/** A demonstration with random actions (roll and pitch never moved) and states. */
function demo(index: number, length: number, instruction: string): RobotEpisode {
  const actions = Float32Array.from({ length: length * 7 }, (_, i) =>
    i % 7 === 3 || i % 7 === 4 ? 0 : 2 * random() - 1,
  );
  const states = Float32Array.from({ length: length * 8 }, () => 3 * random() - 1);
  return { index, instruction, fps: 20, length, actions, actionDim: 7, states, stateDim: 8 };
}
// Longer and shorter than the horizon (8), and one step long.
const demos = [demo(0, 13, 'open the drawer'), demo(1, 5, 'lift the block'), demo(2, 1, 'stop')];
const config = { ...ACTION_HEAD_PRESETS.small, backboneTokens: 4, backboneDim: 8 };
const stats = computeNormStats(Float64Array.from(demos.flatMap((d) => Array.from(d.states ?? []))), 8);

describe('head samples built by @roboalign/action-head', () => {
  it('are the samples the example built itself, bit for bit', () => {
    const active = demonstratedDims(demos);
    expect(active).toEqual([true, true, true, false, false, true, true]);
    const expected = oldHeadSamples(demos, config, stats, active);
    const samples = headSamples(demos, config, stats, active);
    expect(samples).toHaveLength(19);
    expect(samples).toHaveLength(expected.length);
    samples.forEach((s, i) => {
      const e = expected[i];
      for (const field of ['features', 'featureMask', 'state', 'actions', 'actionMask'] as const)
        expect(bits(s[field]), `sample ${i} ${field}`).toEqual(bits(e[field]));
      expect(s.embodiment).toBe(e.embodiment);
    });
  });

  it('still name a demonstration without states', () => {
    const { states: _, ...noStates } = demos[1];
    expect(() => headSamples([demos[0], noStates], config, stats)).toThrow(
      'demonstration 1 ("lift the block") has no states',
    );
  });
});

describe('the flow policy built on headPolicy', () => {
  it('asks the head the same things with the same seeds and returns the same actions', async () => {
    // A stand-in head whose chunk depends on the seed, the state and the features, beyond [−1, 1].
    const predict = async (observation: HeadObservation, seed: number) => {
      const r = mulberry32(seed);
      return Float32Array.from(
        { length: config.horizon * config.actionDim },
        (_, i) => 4 * r() - 2 + observation.state[i % 8] + observation.features[i % 4],
      );
    };
    const asked: Array<[string, HeadObservation, number]> = [];
    const head = (name: string) =>
      ({
        config,
        predict: (observation: HeadObservation, seed: number) => {
          asked.push([name, observation, seed]);
          return predict(observation, seed);
        },
      }) as unknown as ActionHead;
    const active = demonstratedDims(demos);
    const image = { width: 1, height: 1, data: new Uint8Array(3) };
    const policies = {
      old: oldFlowPolicy(head('old'), stats, active, 7),
      new: flowPolicy(head('new'), stats, active, 7),
    };
    const chunks: Record<string, ActionChunk[]> = { old: [], new: [] };
    for (const [name, policy] of Object.entries(policies)) {
      for (const d of demos) {
        await policy.reset?.(d.instruction);
        for (let t = 0; t < d.length; t += 2) {
          const state = Float64Array.from(d.states!.subarray(t * 8, (t + 1) * 8));
          chunks[name].push(
            await policy.act({ image, wristImage: image, state, instruction: d.instruction }),
          );
        }
      }
    }
    expect(chunks.new).toHaveLength(11);
    chunks.new.forEach((c, i) => {
      expect(c.horizon).toBe(chunks.old[i].horizon);
      expect(bits(c.actions)).toEqual(bits(chunks.old[i].actions));
    });
    const byName = (name: string) => asked.filter(([n]) => n === name).map(([, o, seed]) => ({ ...o, seed }));
    expect(byName('new')).toEqual(byName('old'));
    expect(byName('new').map((o) => o.seed)).toEqual(Array.from({ length: 11 }, (_, i) => 7_000_021 + i));
    expect(chunks.new.some((c) => c.actions.some((a) => a === 1 || a === -1))).toBe(true);
  });
});
