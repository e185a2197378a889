import { type LeRobotWriteResult, type RobotEpisode, writeLeRobotDataset } from '@roboalign/datasets';
import { progressBar } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import type { TabletopEnv, Vec3 } from '../sim/tabletop-env.js';
import type { ExpertPhase, ExpertStep } from '../suites/skills.js';
import type { Suite } from '../suites/task.js';
import { type Goal, type TaskEnv, TaskEnvPool } from '../suites/task-env.js';
import type { ObjectPosition, RgbImage } from '../types.js';
import { chainPlan, initialLayout, startChainGoal } from './run.js';
import { getSuite } from './suites.js';

/** Options of `recordExpertEpisodes` and `recordExpertDataset`. */
export interface RecordOptions {
  /** Demonstrations per task (episode suites) or chains (the chain suite). Default 10. */
  readonly episodes?: number;
  /** Camera resolution (default 64); 0 records no images. */
  readonly imageSize?: number;
  /** The first initial state (trial) of each task (default 0, as evaluation; later ones keep demos apart). */
  readonly firstTrial?: number;
  /** Replace an existing dataset directory. */
  readonly overwrite?: boolean;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  readonly progress?: boolean;
  /**
   * How `recordExpertDataset` stores camera frames: `png` (default: PNG bytes inside the parquet files,
   * lossless) or `mp4` (opt-in, LeRobot's layout: one H.264 video per camera and episode under `videos/`,
   * lossy). `mp4` needs the optional peer dependency `@napi-rs/webcodecs` (install it next to this package),
   * whose binary links GPL-2.0-or-later libx264; without it recording throws an error that says how to
   * install it.
   */
  readonly frames?: 'png' | 'mp4';
}

/** Names of the 7 action and 8 state dimensions, written into `meta/info.json`. */
export const ACTION_NAMES = ['dx', 'dy', 'dz', 'drx', 'dry', 'drz', 'gripper'] as const;
export const STATE_NAMES = ['x', 'y', 'z', 'rx', 'ry', 'rz', 'finger_left', 'finger_right'] as const;
/**
 * Names of the 3 environment-state dimensions (`observation.environment_state`): the world position of what
 * the instruction is about at that step (see {@link stepSubjects} and {@link subjectPosition}).
 */
export const ENVIRONMENT_STATE_NAMES = ['target_x', 'target_y', 'target_z'] as const;
const FPS = 20;

/** Expert steps whose target is where the held object goes, not what the instruction is about. */
const DESTINATION_STEPS: ReadonlySet<ExpertStep> = new Set<ExpertStep>(['carry-above', 'lower-onto']);

/**
 * What the instruction is about at each step, from the scripted expert's phases (one per step, undefined where
 * a step has none): the target of the latest phase at or before the step that acts on something (picking,
 * pushing, the drawer, the button; carrying to a plate, tray or block names a destination and does not
 * count), and before the first such phase, its target (the expert is on its way there). So a one-object
 * instruction has one subject throughout, and a two-stage one (`put the red block on the plate and the green
 * block in the tray`) switches when the expert heads for the second object. Undefined when no phase names a
 * subject.
 */
export function stepSubjects(phases: readonly (ExpertPhase | undefined)[]): string[] | undefined {
  const acting = phases.map((phase) =>
    phase?.target !== undefined && !DESTINATION_STEPS.has(phase.step) ? phase.target : undefined,
  );
  const first = acting.find((target) => target !== undefined);
  if (first === undefined) return undefined;
  let current = first;
  return acting.map((target) => {
    current = target ?? current;
    return current;
  });
}

/**
 * The world position of an expert target: a movable object's body; for `drawer` its handle's grasp point and
 * for `button` the cap that is pressed (the parts the expert manipulates).
 */
export function subjectPosition(env: TabletopEnv, target: string): Vec3 {
  if (target === 'drawer') return env.drawerHandlePosition();
  if (target === 'button') return env.bodyPosition('button_cap');
  return env.bodyPosition(target);
}

/** Every target an expert phase can name as a subject in `env`'s scene: its objects, the drawer, the button. */
function subjectCandidates(env: TabletopEnv): string[] {
  const { objects, fixtures } = env.spec;
  return [
    ...objects.map((o) => o.name),
    ...(fixtures.cabinet ? ['drawer'] : []),
    ...(fixtures.button ? ['button'] : []),
  ];
}

/** Runs the expert on one goal while recording; returns the episode, or undefined if the expert failed. */
function recordGoal(
  env: TaskEnv,
  goal: Goal,
  index: number,
  withImages: boolean,
): RecordedEpisode | undefined {
  const actions: number[] = [];
  const states: number[] = [];
  const image: RgbImage[] = [];
  const wristImage: RgbImage[] = [];
  const phases: (ExpertPhase | undefined)[] = [];
  const sceneObjects: (readonly ObjectPosition[])[] = [];
  // Every candidate's position per step: a step's subject can be known only from later phases.
  const candidates = subjectCandidates(env.env);
  const positions = new Map(candidates.map((name): [string, number[]] => [name, []]));
  let observation = env.observation();
  for (let step = 0; step < goal.maxSteps; step++) {
    const action = env.expertAction();
    phases.push(env.expertPhase());
    for (const name of candidates) positions.get(name)!.push(...subjectPosition(env.env, name));
    actions.push(...action);
    states.push(...observation.state);
    sceneObjects.push(observation.objects ?? []);
    if (withImages) {
      image.push(observation.image);
      wristImage.push(observation.wristImage);
    }
    const result = env.step(action);
    observation = result.observation;
    if (result.terminated) {
      const length = step + 1;
      const subjects = stepSubjects(phases);
      if (subjects === undefined)
        throw new BenchError(`recording "${goal.instruction}": no expert phase names what it acts on`);
      const environmentStates = Float32Array.from(
        subjects.flatMap((name, t) => {
          const rows = positions.get(name);
          if (rows === undefined)
            throw new BenchError(
              `recording "${goal.instruction}": the expert acts on "${name}", which has no position`,
            );
          return rows.slice(3 * t, 3 * t + 3);
        }),
      );
      return {
        index,
        instruction: goal.instruction,
        fps: FPS,
        length,
        actions: Float32Array.from(actions),
        actionDim: 7,
        states: Float32Array.from(states),
        stateDim: 8,
        environmentStates,
        environmentStateDim: 3,
        ...(withImages ? { images: { image, wrist_image: wristImage } } : {}),
        sceneObjects,
      };
    }
  }
  return undefined;
}

/**
 * A recorded demonstration, with the privileged position of every object and fixture at each step
 * (`Observation.objects`), which a LeRobot dataset does not store.
 */
export interface RecordedEpisode extends RobotEpisode {
  readonly sceneObjects: readonly (readonly ObjectPosition[])[];
}

/**
 * Runs the scripted expert and keeps its successful episodes in memory: per step the 8-D state, the 7-D
 * action, the world position of what the instruction is about as the 3-D environment state
 * ({@link ENVIRONMENT_STATE_NAMES}; the object to pick, push or stack, the drawer handle, the button cap) and
 * (unless `imageSize` is 0) both camera frames. For the chain suite every completed instruction is
 * one episode. Trial k of a task starts from the same fixed state as evaluation trial k.
 */
export async function recordExpertEpisodes(
  suiteName: string | Suite,
  options: RecordOptions = {},
): Promise<{ episodes: RecordedEpisode[]; attempted: number }> {
  const suite = typeof suiteName === 'string' ? getSuite(suiteName) : suiteName;
  const count = options.episodes ?? 10;
  if (!Number.isInteger(count) || count < 1)
    throw new BenchError(
      `recordExpertEpisodes(${suite.name}): episodes must be a positive integer, got ${count}`,
    );
  const firstTrial = options.firstTrial ?? 0;
  if (!Number.isInteger(firstTrial) || firstTrial < 0)
    throw new BenchError(
      `recordExpertEpisodes(${suite.name}): firstTrial must be an integer >= 0, got ${firstTrial}`,
    );
  const imageSize = options.imageSize ?? 64;
  const withImages = imageSize > 0;
  const episodes: RecordedEpisode[] = [];
  const envs = new TaskEnvPool(withImages ? { imageSize } : { render: false });
  const total = suite.kind === 'chains' ? count : count * suite.tasks.length;
  const bar = progressBar({ label: `record ${suite.name}`, total, enabled: options.progress });
  let done = 0;
  try {
    if (suite.kind === 'chains') {
      const env = await envs.get(suite.scene);
      for (let chain = firstTrial; chain < firstTrial + count; chain++) {
        const plan = chainPlan(suite, chain);
        for (let i = 0; i < plan.goals.length; i++) {
          const episode = recordGoal(env, startChainGoal(env, plan, i), episodes.length, withImages);
          if (!episode) break;
          episodes.push(episode);
        }
        bar.update(++done);
      }
    } else {
      for (const [taskIndex, task] of suite.tasks.entries()) {
        const env = await envs.get(task.scene);
        for (let trial = firstTrial; trial < firstTrial + count; trial++) {
          env.reset(task, initialLayout(suite, taskIndex, trial));
          const episode = recordGoal(env, task, episodes.length, withImages);
          if (episode) episodes.push(episode);
          bar.update(++done);
        }
      }
    }
  } finally {
    bar.stop();
    await envs.dispose();
  }
  return { episodes, attempted: total };
}

/**
 * Records successful scripted-expert demonstrations of a suite (see `recordExpertEpisodes`) as a LeRobot v2.1
 * dataset: parquet episodes, `meta/*`, and the cameras as PNG frames in the parquet files (or, opt-in, as
 * H.264 MP4 videos with `frames: 'mp4'`).
 */
export async function recordExpertDataset(
  suiteName: string | Suite,
  dir: string,
  options: RecordOptions = {},
): Promise<LeRobotWriteResult & { attempted: number }> {
  const { episodes, attempted } = await recordExpertEpisodes(suiteName, options);
  if (episodes.length === 0) {
    const name = typeof suiteName === 'string' ? suiteName : suiteName.name;
    throw new BenchError(`${name}: the expert succeeded in no episode; nothing to write`);
  }
  const written = await writeLeRobotDataset(dir, episodes, {
    robotType: 'roboalign_tabletop_gantry',
    fps: FPS,
    overwrite: options.overwrite,
    actionNames: ACTION_NAMES,
    stateNames: STATE_NAMES,
    environmentStateNames: ENVIRONMENT_STATE_NAMES,
    frames: options.frames ?? 'png',
  });
  return { ...written, attempted };
}
