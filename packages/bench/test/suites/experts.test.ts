import { mulberry32, type Rng } from '@roboalign/utils';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPERT } from '../../src/harness/policies.js';
import { chainSeed, initialLayout, initialStateSeed, runChain } from '../../src/harness/run.js';
import { sceneXml } from '../../src/sim/scene-xml.js';
import type { Layout } from '../../src/sim/tabletop-env.js';
import { CALVIN_STYLE_SUITE, type CalvinState, sampleChain } from '../../src/suites/calvin-style.js';
import { LIBERO_STYLE_SUITES } from '../../src/suites/libero-style.js';
import type { ChainSuite } from '../../src/suites/task.js';
import { TaskEnvPool } from '../../src/suites/task-env.js';

// One compiled environment per distinct scene, as the harness does.
const envs = new TaskEnvPool({ render: false });
afterAll(() => envs.dispose());

describe('LIBERO-style suites', () => {
  it('are the four suites with ten uniquely named tasks each and 50 fixed trials per task', () => {
    expect(LIBERO_STYLE_SUITES.map((s) => s.name)).toEqual([
      'libero-spatial',
      'libero-object',
      'libero-goal',
      'libero-long',
    ]);
    for (const suite of LIBERO_STYLE_SUITES) {
      expect(suite.tasks).toHaveLength(10);
      expect(new Set(suite.tasks.map((t) => t.name)).size).toBe(10);
      expect(suite.trialsPerTask).toBe(50);
    }
  });

  describe.each(LIBERO_STYLE_SUITES.map((s) => [s.name, s] as const))('%s', (_name, suite) => {
    it('the scripted expert succeeds on every task for trials 0 and 1', async () => {
      const failures: string[] = [];
      for (const [taskIndex, task] of suite.tasks.entries()) {
        const env = await envs.get(task.scene);
        for (const trial of [0, 1]) {
          const layout = initialLayout(suite, taskIndex, trial);
          const { info } = env.reset(task, layout);
          // No task may already hold at its start.
          expect(info.success, `${task.name} trial ${trial} succeeds before any step`).toBe(false);
          let result = env.step(env.expertAction());
          while (!result.terminated && !result.truncated) result = env.step(env.expertAction());
          if (!result.terminated) failures.push(`${task.name} trial ${trial}`);
          else {
            expect(result.reward).toBe(1);
            expect(result.info.step).toBeLessThanOrEqual(task.maxSteps);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('initial states are deterministic per trial and differ across trials', () => {
      for (const [taskIndex, task] of suite.tasks.entries()) {
        const sample = (trial: number): Layout => initialLayout(suite, taskIndex, trial);
        expect(sample(0)).toEqual(sample(0));
        expect(sample(7)).toEqual(sample(7));
        expect(sample(1)).not.toEqual(sample(0));
        expect(sample(2)).not.toEqual(sample(1));
        // Every scene object gets a position.
        expect(Object.keys(sample(0).objects).sort()).toEqual(task.scene.objects.map((o) => o.name).sort());
      }
    });
  });

  it('initialStateSeed differs across suites, tasks and trials', () => {
    const seeds = new Set<number>();
    for (const suite of LIBERO_STYLE_SUITES)
      for (let task = 0; task < 10; task++)
        for (let trial = 0; trial < 5; trial++) seeds.add(initialStateSeed(suite.name, task, trial));
    expect(seeds.size).toBe(4 * 10 * 5);
    expect(initialStateSeed('libero-goal', 3, 1)).toBe(initialStateSeed('libero-goal', 3, 1));
  });

  it('every scene compiles to MJCF naming all its objects', () => {
    for (const suite of LIBERO_STYLE_SUITES)
      for (const task of suite.tasks) {
        const xml = sceneXml(task.scene);
        for (const o of task.scene.objects) expect(xml).toContain(`<body name="${o.name}"`);
      }
  });
});

/** `sampleChain` on a suite whose `sampleStart` is recorded, so the chain can be replayed symbolically. */
function sampleRecorded(
  suite: ChainSuite<CalvinState>,
  rng: Rng,
): { layout: Layout; state: CalvinState; names: string[]; categories: string[]; replay: () => void } {
  const starts: { layout: Layout; state: CalvinState }[] = [];
  const spy: ChainSuite<CalvinState> = {
    ...suite,
    sampleStart: (r) => {
      const start = suite.sampleStart(r);
      starts.push(start);
      return start;
    },
  };
  const { layout, tasks } = sampleChain(spy, rng);
  const start = starts[starts.length - 1];
  expect(start.layout).toBe(layout);
  return {
    layout,
    state: start.state,
    names: tasks.map((t) => t.name),
    categories: tasks.map((t) => t.category),
    replay: () => {
      let state = start.state;
      for (const [i, task] of tasks.entries()) {
        expect(task.applicable(state), `step ${i} (${task.name}) applicable after the earlier effects`).toBe(
          true,
        );
        state = task.effect(state);
      }
    },
  };
}

describe('CALVIN-style chains', () => {
  it('have a pool of 22 tasks in 8 categories and chains of 5', () => {
    const pool = CALVIN_STYLE_SUITE.pool;
    expect(pool).toHaveLength(22);
    expect(new Set(pool.map((t) => t.name)).size).toBe(22);
    expect(new Set(pool.map((t) => t.category))).toEqual(
      new Set(['drawer', 'light', 'push_red', 'push_blue', 'push_pink', 'plate', 'tray', 'stack']),
    );
    expect(CALVIN_STYLE_SUITE.chainLength).toBe(5);
  });

  it('sampleChain yields 5 tasks of distinct categories, each applicable after the previous effects', () => {
    for (let chain = 0; chain < 200; chain++) {
      const sampled = sampleRecorded(CALVIN_STYLE_SUITE, mulberry32(chainSeed('calvin', chain)));
      expect(sampled.names).toHaveLength(5);
      expect(new Set(sampled.categories).size).toBe(5);
      sampled.replay();
      // The symbolic start agrees with the physical layout.
      expect(sampled.state.drawerOpen).toBe((sampled.layout.drawer ?? 0) > 0);
      expect(sampled.state.lightOn).toBe(sampled.layout.lightOn ?? false);
      for (const color of ['red', 'blue', 'pink'] as const) {
        const place = sampled.layout.objects[`${color}_block`];
        expect(sampled.state.blocks[color]).toEqual({ where: 'table', x: place.x, y: place.y });
      }
    }
  });

  it('sampleChain is deterministic per rng seed and varies across seeds', () => {
    const a = sampleChain(CALVIN_STYLE_SUITE, mulberry32(12345));
    const b = sampleChain(CALVIN_STYLE_SUITE, mulberry32(12345));
    expect(b.layout).toEqual(a.layout);
    expect(b.tasks.map((t) => t.name)).toEqual(a.tasks.map((t) => t.name));
    const chains = new Set(
      Array.from({ length: 20 }, (_, seed) =>
        sampleChain(CALVIN_STYLE_SUITE, mulberry32(seed))
          .tasks.map((t) => t.name)
          .join(','),
      ),
    );
    expect(chains.size).toBeGreaterThan(10);
  });

  it('sampleChain names the suite when no feasible chain exists', () => {
    const impossible: ChainSuite<CalvinState> = {
      ...CALVIN_STYLE_SUITE,
      name: 'tiny',
      pool: [],
      chainLength: 5,
    };
    expect(() => sampleChain(impossible, mulberry32(1))).toThrow(
      /tiny: could not sample a feasible chain of 5/,
    );
  });

  it('the scripted expert completes all 5 steps of chains 0..4 (at most one short chain)', async () => {
    const env = await envs.get(CALVIN_STYLE_SUITE.scene);
    const completed: number[] = [];
    for (let chain = 0; chain < 5; chain++) {
      const result = await runChain(env, CALVIN_STYLE_SUITE, chain, EXPERT, { replanSteps: 1 });
      expect(result.chain).toBe(chain);
      expect(result.seed).toBe(chainSeed('calvin', chain));
      expect(result.tasks).toHaveLength(5);
      completed.push(result.completed);
    }
    // The full-scale figure is 99 of 100 chains complete; allow one short chain in five.
    expect(completed.filter((c) => c < 5).length, `completed per chain: ${completed}`).toBeLessThanOrEqual(1);
    expect(completed.every((c) => c >= 0 && c <= 5)).toBe(true);
  });
});
