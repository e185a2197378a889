import { mulberry32 } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import type { TabletopOptions } from '../sim/tabletop-env.js';
import type { TaskDefinition } from '../suites/task.js';
import { type StepInfo, type StepResult, TaskEnv } from '../suites/task-env.js';
import type { Observation } from '../types.js';
import { initialLayout } from './run.js';
import { getSuite } from './suites.js';

/** One task as a Gymnasium-style environment: `reset(seed)`, `step(action)`, `close()`. */
export interface TaskGym {
  readonly task: TaskDefinition;
  /**
   * Starts an episode. `{ trial: k }` starts from the task's fixed initial state k (the ones `evaluate` uses);
   * a number samples a start from that seed.
   */
  reset(seed?: number | { trial: number }): { observation: Observation; info: StepInfo };
  step(action: ArrayLike<number>): StepResult;
  /** The scripted expert's next action. */
  expertAction(): Float64Array;
  close(): void;
}

/**
 * Makes a Gymnasium-style environment for task `taskIndex` of an episode suite.
 *
 * @example
 * const env = await makeEnv('libero-goal', 2);
 * let { observation } = env.reset({ trial: 0 });
 * const { reward, terminated, truncated, info } = env.step([0, 0, -1, 0, 0, 0, -1]);
 * env.close();
 */
export async function makeEnv(
  suiteName: string,
  taskIndex: number,
  options: TabletopOptions = {},
): Promise<TaskGym> {
  const suite = getSuite(suiteName);
  if (suite.kind !== 'episodes')
    throw new BenchError(`${suite.name} is a chain suite; makeEnv takes a libero-* suite`);
  const task = suite.tasks[taskIndex];
  if (!task) throw new BenchError(`task ${taskIndex} is not in ${suite.name} (0..${suite.tasks.length - 1})`);
  const env = await TaskEnv.create(task.scene, options);
  return {
    task,
    reset(seed = 0) {
      const layout =
        typeof seed === 'number'
          ? task.sampleLayout(mulberry32(seed))
          : initialLayout(suite, taskIndex, seed.trial);
      return env.reset(task, layout);
    },
    step: (action) => env.step(action),
    expertAction: () => env.expertAction(),
    close: () => env.dispose(),
  };
}
