import { BenchError } from '../errors.js';
import type { SceneSpec } from '../sim/scene-xml.js';
import { type Layout, TabletopEnv, type TabletopOptions } from '../sim/tabletop-env.js';
import type { ObjectPosition, Observation } from '../types.js';
import { spoken } from './objects.js';
import { type Predicate, recordStart, type StartPositions } from './predicates.js';
import { type ExpertPhase, retreat, type Skill, sequence, stepWithPhase } from './skills.js';

/** What the environment needs to run one instruction. */
export interface Goal {
  readonly instruction: string;
  readonly success: Predicate;
  readonly maxSteps: number;
  expert(): Skill;
}

/** Extra facts about a step, as Gymnasium's `info`. */
export interface StepInfo {
  readonly success: boolean;
  readonly step: number;
}

/** The result of `step`, shaped like Gymnasium's. */
export interface StepResult {
  readonly observation: Observation;
  /** 1 on the step the goal is first reached, else 0 (sparse, as LIBERO). */
  readonly reward: number;
  /** The goal was reached. */
  readonly terminated: boolean;
  /** The step budget ran out. */
  readonly truncated: boolean;
  readonly info: StepInfo;
}

/**
 * A Gymnasium-style wrapper of the tabletop scene for one goal at a time. For chains, `beginGoal` swaps
 * the goal without resetting the physics.
 */
export class TaskEnv {
  readonly env: TabletopEnv;
  private goal?: Goal;
  private start: StartPositions = {};
  private steps = 0;
  private expertSkill?: Skill;
  private lastExpertPhase?: ExpertPhase;
  private lastObservation?: Observation;

  private constructor(env: TabletopEnv) {
    this.env = env;
  }

  /** Compiles `scene` for this environment. */
  static async create(scene: SceneSpec, options: TabletopOptions = {}): Promise<TaskEnv> {
    return new TaskEnv(await TabletopEnv.create(scene, options));
  }

  /** Resets the physics to `layout` and starts `goal`. */
  reset(goal: Goal, layout: Layout): { observation: Observation; info: StepInfo } {
    this.env.reset(layout);
    return this.beginGoal(goal);
  }

  /** Starts `goal` from the current physics state (the next instruction of a chain). */
  beginGoal(goal: Goal): { observation: Observation; info: StepInfo } {
    this.goal = goal;
    this.start = recordStart(this.env);
    this.steps = 0;
    this.expertSkill = undefined;
    this.lastExpertPhase = undefined;
    this.lastObservation = undefined;
    return { observation: this.observation(), info: { success: this.succeeded(), step: 0 } };
  }

  /** Applies one 7-D action. */
  step(action: ArrayLike<number>): StepResult {
    const result = this.advance(action);
    return { ...result, observation: this.observation() };
  }

  /**
   * `step` without the observation: the cameras are not rendered until `observation()` is asked for. A policy
   * that executes several actions of a chunk between queries saves the renders in between.
   */
  advance(action: ArrayLike<number>): Omit<StepResult, 'observation'> {
    const goal = this.requireGoal();
    if (this.steps >= goal.maxSteps)
      throw new BenchError(
        `TaskEnv.step called after the episode was truncated at ${goal.maxSteps} steps; call reset`,
      );
    this.env.step(action);
    this.steps++;
    this.lastObservation = undefined;
    const success = this.succeeded();
    return {
      reward: success ? 1 : 0,
      terminated: success,
      truncated: !success && this.steps >= goal.maxSteps,
      info: { success, step: this.steps },
    };
  }

  /** Whether the current goal holds now. */
  succeeded(): boolean {
    return this.requireGoal().success(this.env, this.start);
  }

  /** The scripted expert's next action for the current goal (holds still once its script is done). */
  expertAction(): Float64Array {
    const goal = this.requireGoal();
    this.expertSkill ??= sequence(retreat(), goal.expert());
    const { action, phase } = stepWithPhase(this.expertSkill, this.env);
    this.lastExpertPhase = phase;
    return action ?? new Float64Array([0, 0, 0, 0, 0, 0, this.env.gripperClosed() ? 1 : -1]);
  }

  /**
   * The phase of the scripted expert's latest `expertAction` ("move above the red block"): privileged labels
   * for robot-grounded data. Undefined before the first call of a goal and once the script is done.
   */
  expertPhase(): ExpertPhase | undefined {
    return this.lastExpertPhase;
  }

  /**
   * The observation of the current state (rendered on first request after each step), with every object's
   * and fixture's position as privileged `objects`.
   */
  observation(): Observation {
    const goal = this.requireGoal();
    this.lastObservation ??= { ...this.env.observe(goal.instruction), objects: scenePositions(this.env) };
    return this.lastObservation;
  }

  private requireGoal(): Goal {
    if (!this.goal) throw new BenchError('TaskEnv: no goal yet; call reset first');
    return this.goal;
  }

  /** Frees the simulation. */
  dispose(): void {
    this.env.dispose();
  }
}

/** Compiles each distinct scene once and hands out its environment; `dispose` frees them all. */
export class TaskEnvPool {
  private readonly envs = new Map<string, Promise<TaskEnv>>();

  constructor(private readonly options: TabletopOptions = {}) {}

  /** The environment of `scene`, compiled on first use. */
  get(scene: SceneSpec): Promise<TaskEnv> {
    const key = JSON.stringify(scene);
    let env = this.envs.get(key);
    if (!env) {
      env = TaskEnv.create(scene, this.options);
      this.envs.set(key, env);
    }
    return env;
  }

  /** Frees every environment compiled so far. */
  async dispose(): Promise<void> {
    for (const env of await Promise.allSettled(this.envs.values())) {
      if (env.status === 'fulfilled') env.value.dispose();
    }
    this.envs.clear();
  }
}

/**
 * Where every movable object and fixture of `env`'s scene is, named as instructions say it: the objects,
 * then the plate, tray, button cap and drawer handle where the scene has them.
 */
export function scenePositions(env: TabletopEnv): ObjectPosition[] {
  const { objects, fixtures } = env.spec;
  const at = (name: string, position: readonly [number, number, number]): ObjectPosition => ({
    name,
    position,
  });
  return [
    ...objects.map((o) => at(spoken(o.name), env.bodyPosition(o.name))),
    ...(fixtures.plate ? [at('plate', env.bodyPosition('plate'))] : []),
    ...(fixtures.tray ? [at('tray', env.bodyPosition('tray'))] : []),
    ...(fixtures.button ? [at('button', env.bodyPosition('button_cap'))] : []),
    ...(fixtures.cabinet ? [at('drawer', env.drawerHandlePosition())] : []),
  ];
}
