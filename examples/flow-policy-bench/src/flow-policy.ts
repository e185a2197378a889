import {
  type ActionHead,
  type ActionHeadConfig,
  type HeadSample,
  type NormStats,
  normalize,
} from '@roboalign/action-head';
import { ACTION_DIM, type ActionChunk, type Observation, type Policy } from '@roboalign/bench';
import { activeActionDims, chunkEpisode, type RobotEpisode } from '@roboalign/datasets';
import { instructionFeatures } from './instruction-features.js';

/**
 * The action dimensions the demonstrations use. The scripted expert never rolls or pitches the gripper, so those
 * two stay 0; like padded dimensions they are left out of the loss and the policy emits 0 for them. Learned,
 * the flow head's residual noise in them would tilt the gripper (tasks that need a grasp went from 0% to 60%).
 */
export function demonstratedDims(demos: readonly RobotEpisode[]): boolean[] {
  return activeActionDims(
    demos.map((d) => d.actions),
    ACTION_DIM,
  );
}

/**
 * Training samples: at every step of every demonstration, the features of its instruction, the normalized
 * state, and the next `horizon` expert actions (the last one repeated past the end, i.e. holding still).
 * Actions are already in [−1, 1], so they are not normalized.
 */
export function headSamples(
  demos: readonly RobotEpisode[],
  config: ActionHeadConfig,
  stateStats: NormStats,
  active: readonly boolean[] = demonstratedDims(demos),
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
    // One chunk per step t: the actions t .. t + H − 1, the last one repeated past the end.
    const chunks = chunkEpisode(demo.actions, demo.length, ACTION_DIM, { horizon: H, pad: 'repeat-last' });
    chunks.forEach((chunk, t) => {
      const state = new Float32Array(config.stateDim);
      state.set(states.subarray(t * 8, t * 8 + 8));
      // The head's action rows are config.actionDim wide; the dimensions past ACTION_DIM stay 0.
      const actions = new Float32Array(H * config.actionDim);
      for (let h = 0; h < H; h++) {
        actions.set(chunk.subarray(h * ACTION_DIM, (h + 1) * ACTION_DIM), h * config.actionDim);
      }
      samples.push({ features, featureMask, state, embodiment: 0, actions, actionMask });
    });
  }
  return samples;
}

/**
 * The trained head as a bench `Policy`: one sampled chunk per call, seeded per call so runs repeat; inactive
 * action dimensions are 0.
 */
export function flowPolicy(
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
