import { type EpisodeSuite, getSuite, makeEnv } from '@roboalign/bench';

/** One expert episode: the instruction, then per step the 8-D state seen and the 7-D action taken. */
export interface Demonstration {
  readonly taskIndex: number;
  readonly instruction: string;
  readonly states: Float32Array;
  readonly actions: Float32Array;
  readonly length: number;
}

/**
 * Runs the scripted expert of every task of `suiteName` from initial states `firstTrial … firstTrial + perTask − 1`
 * and keeps the successful episodes. No images are rendered: the policy here reads the state and the instruction.
 */
export async function recordDemonstrations(
  suiteName: string,
  perTask: number,
  firstTrial = 1000,
): Promise<Demonstration[]> {
  const suite = getSuite(suiteName) as EpisodeSuite;
  const demos: Demonstration[] = [];
  for (const [taskIndex, task] of suite.tasks.entries()) {
    const env = await makeEnv(suite.name, taskIndex, { render: false });
    for (let trial = firstTrial; trial < firstTrial + perTask; trial++) {
      let { observation } = env.reset({ trial });
      const states: number[] = [];
      const actions: number[] = [];
      for (let step = 0; step < task.maxSteps; step++) {
        const action = env.expertAction();
        states.push(...observation.state);
        actions.push(...action);
        const result = env.step(action);
        observation = result.observation;
        if (result.terminated) {
          demos.push({
            taskIndex,
            instruction: task.instruction,
            states: Float32Array.from(states),
            actions: Float32Array.from(actions),
            length: step + 1,
          });
          break;
        }
      }
    }
    env.close();
  }
  return demos;
}
