import {
  type ActionHead,
  type ActionHeadConfig,
  type DemonstrationArrays,
  type HeadSample,
  headPolicy,
  headSamplesFromEpisodes,
  type NormStats,
  sampleLayout,
} from '@roboalign/action-head';
import { ACTION_DIM, type Policy, STATE_DIM } from '@roboalign/bench';
import { activeActionDims, type RobotEpisode } from '@roboalign/datasets';
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

/** A demonstration's actions and states; an error names a demonstration without states. */
export function demonstrationArrays(demo: RobotEpisode): DemonstrationArrays {
  if (!demo.states) throw new Error(`demonstration ${demo.index} ("${demo.instruction}") has no states`);
  return { length: demo.length, actions: demo.actions, states: demo.states };
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
  // One features object per demonstration, shared by its samples.
  const features = demos.map((demo) =>
    instructionFeatures(demo.instruction, config.backboneTokens, config.backboneDim),
  );
  return headSamplesFromEpisodes(demos.map(demonstrationArrays), {
    layout: sampleLayout(config, ACTION_DIM, STATE_DIM),
    stateStats,
    active,
    features: ({ episode }) => features[episode],
  });
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
  return headPolicy(head, {
    stateStats,
    active,
    seed,
    features: () => features,
    reset(instruction: string) {
      features = instructionFeatures(instruction, config.backboneTokens, config.backboneDim);
    },
  });
}
