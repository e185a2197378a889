import { mulberry32, seedFromParts } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import type { ChainResult, EpisodeResult } from '../report/results.js';
import type { Layout } from '../sim/tabletop-env.js';
import { sampleChain } from '../suites/calvin-style.js';
import type { ChainSuite, ChainTask, EpisodeSuite } from '../suites/task.js';
import type { Goal, TaskEnv } from '../suites/task-env.js';
import { ACTION_DIM, type Policy } from '../types.js';
import { EXPERT } from './policies.js';
import type { RolloutFrames } from './rollout-frames.js';

/** How a policy is driven. */
export interface DriveOptions {
  /** Actions executed from each chunk before asking again (openpi's LIBERO client: 5). */
  readonly replanSteps: number;
  /**
   * Collects the frames the policy looks at (and the final state) for a video. The expert looks at no
   * camera, so for it the cameras render every `replanSteps` steps instead.
   */
  readonly frames?: RolloutFrames;
}

/** The seed of a task's fixed initial state number `trial` (independent of the run's seed, as LIBERO's 50 states). */
export function initialStateSeed(suite: string, taskIndex: number, trial: number): number {
  return seedFromParts(suite, taskIndex, trial);
}

/** The seed of chain number `chain` (independent of the run's seed, as CALVIN's fixed evaluation sequences). */
export function chainSeed(suite: string, chain: number): number {
  return seedFromParts(suite, 'chain', chain);
}

/** The fixed initial state number `trial` of a task: evaluation trial `trial` starts here. */
export function initialLayout(suite: EpisodeSuite, taskIndex: number, trial: number): Layout {
  return suite.tasks[taskIndex].sampleLayout(mulberry32(initialStateSeed(suite.name, taskIndex, trial)));
}

/** Chain number `chain`: its seed, start layout and tasks, each task as a goal with the suite's step budget. */
export interface ChainPlan<S> {
  readonly seed: number;
  readonly layout: Layout;
  readonly tasks: readonly ChainTask<S>[];
  readonly goals: readonly Goal[];
}

/** Plans chain number `chain` of `suite` (the same chain every time). */
export function chainPlan<S>(suite: ChainSuite<S>, chain: number): ChainPlan<S> {
  const seed = chainSeed(suite.name, chain);
  const { layout, tasks } = sampleChain(suite, mulberry32(seed));
  const goals = tasks.map((task) => ({
    instruction: task.instruction,
    success: task.success,
    maxSteps: suite.subtaskSteps,
    expert: task.expert,
  }));
  return { seed, layout, tasks, goals };
}

/** Starts goal `i` of a chain: the first resets to the start layout, later ones go on from the current state. */
export function startChainGoal<S>(env: TaskEnv, plan: ChainPlan<S>, i: number): Goal {
  const goal = plan.goals[i];
  if (i === 0) env.reset(goal, plan.layout);
  else env.beginGoal(goal);
  return goal;
}

/** Runs the current goal of `env` to success or truncation; returns whether it succeeded and the steps taken. */
async function driveGoal(
  env: TaskEnv,
  goal: Goal,
  policy: Policy | typeof EXPERT,
  options: DriveOptions,
): Promise<{ success: boolean; steps: number }> {
  if (policy !== EXPERT) await policy.reset?.(goal.instruction);
  const frames = options.frames;
  for (let steps = 0; steps < goal.maxSteps; ) {
    let actions: ArrayLike<number>;
    let count: number;
    if (policy === EXPERT) {
      if (frames && steps % options.replanSteps === 0) frames.push(env.observation());
      actions = env.expertAction();
      count = 1;
    } else {
      // Rendered only here, when the policy looks: the steps in between never draw their cameras.
      const observation = env.observation();
      frames?.push(observation);
      const chunk = await policy.act(observation);
      if (chunk.actions.length !== chunk.horizon * ACTION_DIM || chunk.horizon < 1) {
        throw new BenchError(
          `policy returned ${chunk.actions.length} values for horizon ${chunk.horizon}; expected [horizon ≥ 1, ${ACTION_DIM}]`,
        );
      }
      actions = chunk.actions;
      count = Math.min(options.replanSteps, chunk.horizon);
    }
    for (let i = 0; i < count && steps < goal.maxSteps; i++) {
      const result = env.advance(Array.prototype.slice.call(actions, i * ACTION_DIM, (i + 1) * ACTION_DIM));
      steps++;
      if (result.terminated) {
        frames?.push(env.observation());
        return { success: true, steps };
      }
    }
  }
  frames?.push(env.observation());
  return { success: false, steps: goal.maxSteps };
}

/** Runs one LIBERO-style episode. */
export async function runEpisode(
  env: TaskEnv,
  suite: EpisodeSuite,
  taskIndex: number,
  trial: number,
  policy: Policy | typeof EXPERT,
  options: DriveOptions,
): Promise<EpisodeResult> {
  const task = suite.tasks[taskIndex];
  env.reset(task, initialLayout(suite, taskIndex, trial));
  const { success, steps } = await driveGoal(env, task, policy, options);
  return {
    suite: suite.name,
    taskIndex,
    taskName: task.name,
    instruction: task.instruction,
    trial,
    seed: initialStateSeed(suite.name, taskIndex, trial),
    success,
    steps,
  };
}

/** Runs one CALVIN-style chain; it stops at the first failed instruction. */
export async function runChain<S>(
  env: TaskEnv,
  suite: ChainSuite<S>,
  chain: number,
  policy: Policy | typeof EXPERT,
  options: DriveOptions,
): Promise<ChainResult> {
  return (await runChainCounted(env, suite, chain, policy, options)).result;
}

/** {@link runChain}, plus the control steps taken over all attempted instructions and their text. */
export async function runChainCounted<S>(
  env: TaskEnv,
  suite: ChainSuite<S>,
  chain: number,
  policy: Policy | typeof EXPERT,
  options: DriveOptions,
): Promise<{ result: ChainResult; steps: number; instructions: string[] }> {
  const plan = chainPlan(suite, chain);
  let completed = 0;
  let steps = 0;
  const instructions: string[] = [];
  for (let i = 0; i < plan.goals.length; i++) {
    const goal = startChainGoal(env, plan, i);
    instructions.push(goal.instruction);
    const outcome = await driveGoal(env, goal, policy, options);
    steps += outcome.steps;
    if (!outcome.success) break;
    completed++;
  }
  return {
    result: { chain, seed: plan.seed, tasks: plan.tasks.map((t) => t.name), completed },
    steps,
    instructions,
  };
}
