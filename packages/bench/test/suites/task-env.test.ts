import { describe, expect, it } from 'vitest';
import { initialLayout } from '../../src/harness/run.js';
import { getSuite } from '../../src/harness/suites.js';
import type { EpisodeSuite } from '../../src/suites/task.js';
import { TaskEnv } from '../../src/suites/task-env.js';

describe('TaskEnv.advance', () => {
  it('steps like step() and renders the same observation, only when asked', async () => {
    const suite = getSuite('libero-goal') as EpisodeSuite;
    const task = suite.tasks[0];
    const layout = initialLayout(suite, 0, 0);
    const a = await TaskEnv.create(task.scene, { imageSize: 16 });
    const b = await TaskEnv.create(task.scene, { imageSize: 16 });
    a.reset(task, layout);
    b.reset(task, layout);
    const actions = Array.from({ length: 6 }, (_, t) => [0.5, -0.3, -0.4, 0, 0, 0.2, t > 3 ? 1 : -1]);
    let last = a.step(actions[0]);
    for (const action of actions.slice(1)) last = a.step(action);
    let advanced = b.advance(actions[0]);
    for (const action of actions.slice(1)) advanced = b.advance(action);
    expect(advanced).toEqual({
      reward: last.reward,
      terminated: last.terminated,
      truncated: last.truncated,
      info: last.info,
    });
    const seen = b.observation();
    expect(Array.from(seen.state)).toEqual(Array.from(last.observation.state));
    expect(Buffer.from(seen.image.data).equals(Buffer.from(last.observation.image.data))).toBe(true);
    expect(Buffer.from(seen.wristImage.data).equals(Buffer.from(last.observation.wristImage.data))).toBe(
      true,
    );
    // Asked twice without a step in between: the same render.
    expect(b.observation()).toBe(seen);
    a.dispose();
    b.dispose();
  });
});
