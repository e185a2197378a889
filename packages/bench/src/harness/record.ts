import cliProgress from 'cli-progress';
import type { RobotEpisode } from '../data/episode.js';
import { type LeRobotWriteResult, writeLeRobotDataset } from '../data/lerobot-writer.js';
import type { SceneSpec } from '../sim/scene-xml.js';
import { sampleChain } from '../suites/calvin-style.js';
import { mulberry32 } from '../suites/random.js';
import type { Suite } from '../suites/task.js';
import { type Goal, TaskEnv } from '../suites/task-env.js';
import type { RgbImage } from '../types.js';
import { chainSeed, initialStateSeed } from './run.js';
import { getSuite } from './suites.js';

/** Options of `recordExpertDataset`. */
export interface RecordOptions {
  /** Demonstrations per task (episode suites) or chains (the chain suite). Default 10. */
  readonly episodes?: number;
  /** Camera resolution (default 64). */
  readonly imageSize?: number;
  /** Replace an existing dataset directory. */
  readonly overwrite?: boolean;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  readonly progress?: boolean;
}

/** Names of the 7 action and 8 state dimensions, written into `meta/info.json`. */
export const ACTION_NAMES = ['dx', 'dy', 'dz', 'drx', 'dry', 'drz', 'gripper'] as const;
export const STATE_NAMES = ['x', 'y', 'z', 'rx', 'ry', 'rz', 'finger_left', 'finger_right'] as const;
const FPS = 20;

/** Runs the expert on one goal while recording; returns the episode, or undefined if the expert failed. */
function recordGoal(env: TaskEnv, goal: Goal, index: number): RobotEpisode | undefined {
  const actions: number[] = [];
  const states: number[] = [];
  const image: RgbImage[] = [];
  const wristImage: RgbImage[] = [];
  let observation = env.observation();
  for (let step = 0; step < goal.maxSteps; step++) {
    const action = env.expertAction();
    actions.push(...action);
    states.push(...observation.state);
    image.push(observation.image);
    wristImage.push(observation.wristImage);
    const result = env.step(action);
    observation = result.observation;
    if (result.terminated) {
      const length = step + 1;
      return {
        index,
        instruction: goal.instruction,
        fps: FPS,
        length,
        actions: Float32Array.from(actions),
        actionDim: 7,
        states: Float32Array.from(states),
        stateDim: 8,
        images: { image, wrist_image: wristImage },
      };
    }
  }
  return undefined;
}

/**
 * Records successful scripted-expert demonstrations of a suite as a LeRobot v2.1 dataset (parquet episodes,
 * PNG frames, `meta/*`). For the chain suite every completed instruction becomes one episode. Trial k of a
 * task starts from the same fixed state as evaluation trial k.
 */
export async function recordExpertDataset(
  suiteName: string | Suite,
  dir: string,
  options: RecordOptions = {},
): Promise<LeRobotWriteResult & { attempted: number }> {
  const suite = typeof suiteName === 'string' ? getSuite(suiteName) : suiteName;
  const count = options.episodes ?? 10;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`episodes must be a positive integer, got ${count}`);
  const imageSize = options.imageSize ?? 64;
  const episodes: RobotEpisode[] = [];
  const envs = new Map<string, TaskEnv>();
  const envFor = async (scene: SceneSpec) => {
    const key = JSON.stringify(scene);
    let env = envs.get(key);
    if (!env) {
      env = await TaskEnv.create(scene, { imageSize });
      envs.set(key, env);
    }
    return env;
  };
  const total = suite.kind === 'chains' ? count : count * suite.tasks.length;
  const bar =
    (options.progress ?? Boolean(process.stderr.isTTY))
      ? new cliProgress.SingleBar(
          { format: `record ${suite.name} [{bar}] {value}/{total}`, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(total, 0);
  try {
    if (suite.kind === 'chains') {
      const env = await envFor(suite.scene);
      for (let chain = 0; chain < count; chain++) {
        const { layout, tasks } = sampleChain(suite, mulberry32(chainSeed(suite.name, chain)));
        for (const [i, task] of tasks.entries()) {
          const goal: Goal = {
            instruction: task.instruction,
            success: task.success,
            maxSteps: suite.subtaskSteps,
            expert: task.expert,
          };
          if (i === 0) env.reset(goal, layout);
          else env.beginGoal(goal);
          const episode = recordGoal(env, goal, episodes.length);
          if (!episode) break;
          episodes.push(episode);
        }
        bar?.increment();
      }
    } else {
      for (const [taskIndex, task] of suite.tasks.entries()) {
        const env = await envFor(task.scene);
        for (let trial = 0; trial < count; trial++) {
          env.reset(task, task.sampleLayout(mulberry32(initialStateSeed(suite.name, taskIndex, trial))));
          const episode = recordGoal(env, task, episodes.length);
          if (episode) episodes.push(episode);
          bar?.increment();
        }
      }
    }
  } finally {
    bar?.stop();
    for (const env of envs.values()) env.dispose();
  }
  if (episodes.length === 0)
    throw new Error(`${suite.name}: the expert succeeded in no episode; nothing to write`);
  const written = await writeLeRobotDataset(dir, episodes, {
    robotType: 'roboalign_tabletop_gantry',
    fps: FPS,
    overwrite: options.overwrite,
    actionNames: ACTION_NAMES,
    stateNames: STATE_NAMES,
  });
  return { ...written, attempted: total };
}
