import {
  ACTION_DIM,
  CALVIN_STYLE_SUITE,
  type EpisodeSuite,
  type ExpertPhase,
  type Goal,
  type Layout,
  LIBERO_STYLE_SUITES,
  type RgbImage,
  type SceneSpec,
  sampleChain,
} from '@roboalign/bench';
import { chunkEpisode } from '@roboalign/datasets';
import { mulberry32, type Rng } from '@roboalign/utils';
import type { EnvCache } from './environments.js';
import { type SceneFacts, snapshotScene } from './scene-facts.js';

/** One task of the data pool: a LIBERO-style task, or a CALVIN-style chain of five instructions. */
export type PoolTask =
  | { readonly kind: 'libero'; readonly suite: EpisodeSuite; readonly taskIndex: number }
  | { readonly kind: 'calvin' };

/** The pool's tasks: the 40 LIBERO-style tasks and the CALVIN-style chains, each a unit in turn. */
export const POOL_TASKS: readonly PoolTask[] = [
  ...LIBERO_STYLE_SUITES.flatMap((suite) =>
    suite.tasks.map((_, taskIndex): PoolTask => ({ kind: 'libero', suite, taskIndex })),
  ),
  { kind: 'calvin' },
];

/** The task of unit `unit`: round robin over {@link POOL_TASKS}, so every task gets its share. */
export function poolTask(unit: number): PoolTask {
  return POOL_TASKS[unit % POOL_TASKS.length];
}

/** A name for logs and labels: `libero-goal/3` or `calvin`. */
export function poolTaskName(task: PoolTask): string {
  return task.kind === 'calvin' ? CALVIN_STYLE_SUITE.name : `${task.suite.name}/${task.taskIndex}`;
}

/** The scene, start and goals of one pool episode, from its layout seed. */
export function planPoolEpisode(
  task: PoolTask,
  layoutSeed: number,
): { scene: SceneSpec; layout: Layout; goals: Goal[] } {
  const rng = mulberry32(layoutSeed);
  if (task.kind === 'calvin') {
    const { layout, tasks } = sampleChain(CALVIN_STYLE_SUITE, rng);
    const goals = tasks.map((t) => ({
      instruction: t.instruction,
      success: t.success,
      maxSteps: CALVIN_STYLE_SUITE.subtaskSteps,
      expert: t.expert,
    }));
    return { scene: CALVIN_STYLE_SUITE.scene, layout, goals };
  }
  const definition = task.suite.tasks[task.taskIndex];
  return { scene: definition.scene, layout: definition.sampleLayout(rng), goals: [definition] };
}

/** A captured frame: the images, the privileged facts and what the expert does from here. */
export interface PoolFrame {
  /** Index of the frame within its unit (for image names). */
  readonly index: number;
  readonly goalIndex: number;
  readonly step: number;
  readonly instruction: string;
  readonly image: RgbImage;
  readonly wristImage: RgbImage;
  /** The 8-D proprioceptive state at this step. */
  readonly state: Float64Array;
  readonly facts: SceneFacts;
  /** The expert's phase for the action it takes at this step. */
  readonly phase: ExpertPhase | undefined;
  /** Target of the latest carry or lower-onto phase of this goal (where a held object goes). */
  readonly placeTarget: string | undefined;
  /** Steps since the gripper command last changed (fingers take about 6 steps to settle). */
  readonly gripSteady: number;
  /** The expert's next `horizon` actions, row-major `[horizon, 7]` (the last action repeats past the end). */
  readonly chunk: Float32Array;
  /**
   * The grasp point (`TabletopEnv.gripperPosition()`, world metres) at this step and the next `horizon − 1`,
   * row-major `[horizon, 3]`, before each step's action, as `chunk`'s actions are taken from them (the last
   * position repeats past the end of the instruction).
   */
  readonly trajectory: Float64Array;
}

/** One instruction of a pool episode as the expert ran it. */
export interface PoolGoal {
  readonly instruction: string;
  readonly success: boolean;
  /** Row-major `[steps, 7]` expert actions. */
  readonly actions: Float32Array;
  /** Row-major `[steps, 3]` grasp points, each before the action of its step. */
  readonly positions: Float64Array;
  readonly frames: readonly PoolFrame[];
}

/** How {@link runPoolEpisode} captures frames. */
export interface CaptureOptions {
  /** Capture one step in every `frameStride`, from a random offset; 0 captures nothing. */
  readonly frameStride: number;
  /** Steps per action chunk. */
  readonly horizon: number;
  readonly imageSize: number;
  /** Draws the frame offsets. */
  readonly rng: Rng;
}

/**
 * Rows `from … from + count − 1` of a row-major record with `width` values per step, the last row repeating
 * past the end (as `chunkEpisode`'s `repeat-last`).
 */
export function futureRows(record: Float64Array, width: number, from: number, count: number): Float64Array {
  const steps = record.length / width;
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(
      `futureRows: the record must hold whole rows of ${width}, got ${record.length} values`,
    );
  if (!Number.isInteger(from) || from < 0 || from >= steps)
    throw new RangeError(`futureRows: from must be a step in [0, ${steps - 1}], got ${from}`);
  const out = new Float64Array(count * width);
  for (let i = 0; i < count; i++) {
    const step = Math.min(from + i, steps - 1);
    out.set(record.subarray(step * width, (step + 1) * width), i * width);
  }
  return out;
}

/**
 * Runs the scripted expert through one pool episode (a chain goal by goal, stopping at the first failure),
 * capturing frames. The cameras render only at captured steps.
 */
export async function runPoolEpisode(
  envs: EnvCache,
  task: PoolTask,
  layoutSeed: number,
  options: CaptureOptions,
): Promise<PoolGoal[]> {
  const { scene, layout, goals } = planPoolEpisode(task, layoutSeed);
  const env = await envs.taskEnv(scene, options.imageSize);
  const out: PoolGoal[] = [];
  let frameIndex = 0;
  // The fingers carry over from one chain goal to the next, and so does their settling.
  let lastGrip = false;
  let gripSteady = 99;
  for (const [goalIndex, goal] of goals.entries()) {
    if (goalIndex === 0) env.reset(goal, layout);
    else env.beginGoal(goal);
    const stride = options.frameStride;
    const offset = stride > 0 ? Math.floor(options.rng() * stride) : -1;
    const actions: number[] = [];
    const positions: number[] = [];
    const pending: Omit<PoolFrame, 'chunk' | 'trajectory'>[] = [];
    let placeTarget: string | undefined;
    let success = false;
    for (let step = 0; step < goal.maxSteps; step++) {
      const action = env.expertAction();
      const phase = env.expertPhase();
      if ((phase?.step === 'carry-above' || phase?.step === 'lower-onto') && phase.target)
        placeTarget = phase.target;
      if (stride > 0 && step % stride === offset) {
        const observation = env.observation();
        pending.push({
          index: frameIndex++,
          goalIndex,
          step,
          instruction: goal.instruction,
          image: observation.image,
          wristImage: observation.wristImage,
          state: observation.state,
          facts: snapshotScene(env.env),
          phase,
          placeTarget,
          gripSteady,
        });
      }
      actions.push(...action);
      // The grasp point before this step's action: the rows of the frames' trajectories.
      positions.push(...env.env.gripperPosition());
      const closes = action[6] > 0;
      gripSteady = closes === lastGrip ? gripSteady + 1 : 1;
      lastGrip = closes;
      if (env.advance(action).terminated) {
        success = true;
        break;
      }
    }
    const steps = actions.length / ACTION_DIM;
    const recorded = Float32Array.from(actions);
    const chunks =
      pending.length > 0
        ? chunkEpisode(recorded, steps, ACTION_DIM, { horizon: options.horizon, pad: 'repeat-last' })
        : [];
    const recordedPositions = Float64Array.from(positions);
    out.push({
      instruction: goal.instruction,
      success,
      actions: recorded,
      positions: recordedPositions,
      frames: pending.map((frame) => ({
        ...frame,
        chunk: chunks[frame.step],
        trajectory: futureRows(recordedPositions, 3, frame.step, options.horizon),
      })),
    });
    if (!success) break;
  }
  return out;
}
