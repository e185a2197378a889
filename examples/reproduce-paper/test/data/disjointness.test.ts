import {
  CALVIN_STYLE_SUITE,
  chainPlan,
  chainSeed,
  initialLayout,
  initialStateSeed,
  LIBERO_STYLE_SUITES,
} from '@roboalign/bench';
import { mulberry32, seedFromParts } from '@roboalign/utils';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvCache } from '../../src/data/environments.js';
import { POOL_TASKS, planPoolEpisode, poolTask, runPoolEpisode } from '../../src/data/pool-episodes.js';
import { createProducer, type PoolActions } from '../../src/data/producers.js';
import { EVALUATION_CHAINS, evaluationSeeds, seedOutside, unitSeed } from '../../src/data/seeds.js';

const SOURCES = ['general-vqa', 'robot-vqa', 'reasoning', 'fast-actions'] as const;
const envs = new EnvCache();
afterAll(() => envs.dispose());

describe('generated scenes are disjoint from the evaluation suites’ initial states', () => {
  it('the evaluation seeds are the 50 fixed states of the 40 LIBERO-style tasks and the first 1000 chains', () => {
    const seeds = evaluationSeeds();
    expect(EVALUATION_CHAINS).toBe(1000);
    expect(seeds.size).toBe(40 * 50 + 1000);
    expect(seeds.has(initialStateSeed('libero-goal', 3, 49))).toBe(true);
    expect(seeds.has(chainSeed('calvin', 999))).toBe(true);
  });

  it('no unit seed of any source, split or seed is an evaluation seed; splits never share a seed', () => {
    const evaluation = evaluationSeeds();
    const collisions: string[] = [];
    for (const source of SOURCES)
      for (const seed of [0, 1, 7]) {
        const train = new Set<number>();
        for (let unit = 0; unit < 4000; unit++) {
          const t = unitSeed(source, 'train', seed, unit);
          const h = unitSeed(source, 'heldout', seed, unit);
          if (evaluation.has(t) || evaluation.has(h)) collisions.push(`${source}/${seed}/${unit}`);
          train.add(t);
        }
        for (let unit = 0; unit < 4000; unit++)
          if (train.has(unitSeed(source, 'heldout', seed, unit)))
            collisions.push(`${source} heldout ${unit}`);
      }
    expect(collisions).toEqual([]);
  });

  it('a seed that hits an excluded one is drawn again', () => {
    const parts = ['roboalign-data', 'fast-actions', 'train', 0, 12] as const;
    const first = seedFromParts(...parts);
    expect(seedOutside(new Set(), ...parts)).toBe(first);
    const redrawn = seedOutside(new Set([first]), ...parts);
    expect(redrawn).not.toBe(first);
    expect(seedOutside(new Set([first, redrawn]), ...parts)).not.toBe(redrawn);
  });

  it('no pool layout equals an evaluation layout of its task (LIBERO-style states and CALVIN-style chains)', () => {
    const evalLayouts = new Map<string, Set<string>>();
    for (const suite of LIBERO_STYLE_SUITES)
      suite.tasks.forEach((_, task) => {
        const layouts = new Set<string>();
        for (let trial = 0; trial < suite.trialsPerTask; trial++)
          layouts.add(JSON.stringify(initialLayout(suite, task, trial)));
        evalLayouts.set(`${suite.name}/${task}`, layouts);
      });
    const chains = new Set<string>();
    for (let chain = 0; chain < 200; chain++)
      chains.add(JSON.stringify(chainPlan(CALVIN_STYLE_SUITE, chain).layout));
    evalLayouts.set('calvin', chains);
    let compared = 0;
    for (const source of ['robot-vqa', 'fast-actions'] as const)
      for (const split of ['train', 'heldout'] as const)
        for (let unit = 0; unit < 3 * POOL_TASKS.length; unit++) {
          const task = poolTask(unit);
          const key = task.kind === 'calvin' ? 'calvin' : `${task.suite.name}/${task.taskIndex}`;
          const { layout } = planPoolEpisode(task, unitSeed(source, split, 0, unit));
          expect(evalLayouts.get(key)!.has(JSON.stringify(layout)), `${source} ${split} unit ${unit}`).toBe(
            false,
          );
          compared++;
        }
    expect(compared).toBe(4 * 3 * 41);
  });

  it('the FAST tokenizer’s pool is the FAST rows’ episodes: each row’s chunk is a window of its pool episode', async () => {
    const job = { name: 'fast-actions', seed: 0, split: 'train', imageSize: 64 } as const;
    const pool = createProducer({ ...job, source: 'fast-pool', horizon: 10 }, envs);
    const { episodes } = (await pool.produce(3)) as PoolActions;
    expect(episodes.length).toBeGreaterThan(0);
    // The rows' chunks, before tokenization, from the same episode runner and unit seed as the rows.
    const seed = unitSeed('fast-actions', 'train', 0, 3);
    const goals = await runPoolEpisode(envs, poolTask(3), seed, {
      frameStride: 3,
      horizon: 10,
      imageSize: 64,
      rng: mulberry32(seed),
    });
    const frames = goals.filter((g) => g.success).flatMap((g) => g.frames);
    expect(frames.length).toBeGreaterThan(5);
    for (const frame of frames) {
      const actions = episodes[frame.goalIndex];
      const window = actions.slice(frame.step * 7, (frame.step + 10) * 7);
      expect(Array.from(frame.chunk.slice(0, window.length))).toEqual(Array.from(window));
    }
  });
});
