import type { Rng } from '@roboalign/utils';
import type { SceneSpec } from '../sim/scene-xml.js';
import type { Layout } from '../sim/tabletop-env.js';
import type { Predicate } from './predicates.js';
import type { Skill } from './skills.js';

/** One task of an episode suite: a scene, how to sample its start, its goal and a scripted expert. */
export interface TaskDefinition {
  /** Snake-case identifier, unique within its suite. */
  readonly name: string;
  readonly instruction: string;
  readonly scene: SceneSpec;
  /** Control steps before the episode is truncated. */
  readonly maxSteps: number;
  sampleLayout(rng: Rng): Layout;
  readonly success: Predicate;
  /** A fresh scripted expert for one episode. */
  expert(): Skill;
}

/** A suite of single-instruction episodes, LIBERO-style. */
export interface EpisodeSuite {
  readonly kind: 'episodes';
  readonly name: string;
  readonly description: string;
  readonly tasks: readonly TaskDefinition[];
  /** Fixed initial states per task (LIBERO: 50). */
  readonly trialsPerTask: number;
}

/** One task of the chain pool, CALVIN-style, with a symbolic precondition and effect for sampling chains. */
export interface ChainTask<S> {
  readonly name: string;
  /** Tasks of one category never repeat within a chain. */
  readonly category: string;
  readonly instruction: string;
  applicable(state: S): boolean;
  /** The symbolic state after the task succeeds. */
  effect(state: S): S;
  readonly success: Predicate;
  expert(): Skill;
}

/** A chain-of-instructions protocol, CALVIN-style. */
export interface ChainSuite<S = unknown> {
  readonly kind: 'chains';
  readonly name: string;
  readonly description: string;
  readonly scene: SceneSpec;
  readonly pool: readonly ChainTask<S>[];
  readonly chainLength: number;
  readonly defaultChains: number;
  /** Control steps allowed per subtask. */
  readonly subtaskSteps: number;
  /** The start layout and the symbolic state it corresponds to. */
  sampleStart(rng: Rng): { layout: Layout; state: S };
}

/** Either kind of suite. */
export type Suite = EpisodeSuite | ChainSuite;
