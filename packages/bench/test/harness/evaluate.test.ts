import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/harness/evaluate.js';
import { initialStateSeed, runEpisode } from '../../src/harness/run.js';
import { getSuite, SUITES } from '../../src/harness/suites.js';
import type { ChainsReport, EpisodesReport } from '../../src/report/results.js';
import { LIBERO_STYLE_SUITES } from '../../src/suites/libero-style.js';
import type { EpisodeSuite } from '../../src/suites/task.js';
import { TaskEnv } from '../../src/suites/task-env.js';
import { ACTION_DIM, type Observation, type Policy } from '../../src/types.js';

const GOAL = LIBERO_STYLE_SUITES[2];

function episodes(report: Awaited<ReturnType<typeof evaluate>>): EpisodesReport {
  if (report.kind !== 'episodes') throw new Error(`expected an episodes report, got ${report.kind}`);
  return report;
}

/** A policy that holds still (zero deltas, gripper open) and counts its calls. */
function countingPolicy(horizon: number) {
  const calls = { act: 0, resets: [] as string[], observations: [] as Observation[] };
  const policy: Policy = {
    reset(instruction) {
      calls.resets.push(instruction);
    },
    act(observation) {
      calls.act++;
      if (calls.observations.length < 2) calls.observations.push(observation);
      const actions = new Float32Array(horizon * ACTION_DIM);
      for (let i = 0; i < horizon; i++) actions[i * ACTION_DIM + 6] = -1;
      return { horizon, actions };
    },
  };
  return { policy, calls };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bench-evaluate-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('evaluate: episodes', () => {
  it('the expert on libero-goal tasks 0 and 3: success rate 1, episodes sorted by task and trial', async () => {
    const report = episodes(
      await evaluate('expert', 'libero-goal', { trials: 1, tasks: [3, 0], workers: 0 }),
    );
    expect(report.successRate).toBe(1);
    expect(report.episodes.map((e) => [e.taskIndex, e.trial])).toEqual([
      [0, 0],
      [3, 0],
    ]);
    for (const e of report.episodes) {
      expect(e.suite).toBe('libero-goal');
      expect(e.taskName).toBe(GOAL.tasks[e.taskIndex].name);
      expect(e.instruction).toBe(GOAL.tasks[e.taskIndex].instruction);
      expect(e.seed).toBe(initialStateSeed('libero-goal', e.taskIndex, e.trial));
      expect(e.success).toBe(true);
      expect(e.steps).toBeGreaterThan(10);
      expect(e.steps).toBeLessThan(GOAL.tasks[e.taskIndex].maxSteps);
    }
    expect(report.suites).toHaveLength(1);
    expect(report.suites[0]).toMatchObject({ suite: 'libero-goal', trials: 2, successes: 2, successRate: 1 });
    expect(report.meta.policy).toBe('expert');
    expect(report.meta.seed).toBe(0);
  });

  it('random on libero-object: the same with 0 or 2 workers, sorted, and low success', async () => {
    const options = { trials: 2, tasks: [0, 1], seed: 1, imageSize: 16 } as const;
    const inline = episodes(await evaluate('random', 'libero-object', { ...options, workers: 0 }));
    const split = episodes(await evaluate('random', 'libero-object', { ...options, workers: 2 }));
    const key = (r: EpisodesReport) =>
      r.episodes.map((e) => [e.taskIndex, e.trial, e.seed, e.success, e.steps]);
    expect(key(split)).toEqual(key(inline));
    expect(inline.episodes.map((e) => [e.taskIndex, e.trial])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(inline.successRate).toBeLessThan(0.5);
    expect(inline.meta.seed).toBe(1);
    // Uniform random actions never finish these pick-and-place tasks in practice (0 of 120 episodes measured
    // over all four suites), so a run fails every episode at maxSteps whatever the seed: a different seed gives
    // the same success and steps. The initial states do not depend on the seed either.
    const other = episodes(await evaluate('random', 'libero-object', { ...options, seed: 2, workers: 0 }));
    expect(key(other)).toEqual(key(inline));
    expect(
      other.episodes.every((e) => !e.success && e.steps === LIBERO_STYLE_SUITES[1].tasks[0].maxSteps),
    ).toBe(true);
  });

  it('reports progress once per episode', async () => {
    const seen: [number, number][] = [];
    await evaluate('expert', 'libero-goal', {
      trials: 2,
      tasks: [2],
      workers: 0,
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});

describe('evaluate: replanning', () => {
  const maxSteps = GOAL.tasks[0].maxSteps;

  it(`executes 5 of each 10-action chunk: act called ceil(${maxSteps}/5) times`, async () => {
    const { policy, calls } = countingPolicy(10);
    const report = episodes(
      await evaluate(policy, 'libero-goal', { trials: 1, tasks: [0], replanSteps: 5, imageSize: 16 }),
    );
    expect(report.episodes[0]).toMatchObject({ success: false, steps: maxSteps });
    expect(calls.act).toBe(Math.ceil(maxSteps / 5));
    expect(calls.resets).toEqual([GOAL.tasks[0].instruction]);
    expect(report.meta.policy).toBe('in-process policy');
    const first = calls.observations[0];
    expect(first.instruction).toBe(GOAL.tasks[0].instruction);
    expect(first.image.width).toBe(16);
    expect(first.image.data).toHaveLength(16 * 16 * 3);
    expect(first.state).toHaveLength(8);
  });

  it(`executes a whole 10-action chunk when replanSteps is 20: act called ceil(${maxSteps}/10) times`, async () => {
    const { policy, calls } = countingPolicy(10);
    await evaluate(policy, 'libero-goal', { trials: 1, tasks: [0], replanSteps: 20, imageSize: 16 });
    expect(calls.act).toBe(Math.ceil(maxSteps / 10));
  });

  it('rounds up when maxSteps is not a multiple (23 steps: 5 calls at 5, 3 at 10)', async () => {
    // runEpisode directly: a custom suite with a 23-step budget.
    const suite: EpisodeSuite = { ...GOAL, tasks: [{ ...GOAL.tasks[0], maxSteps: 23 }] };
    const env = await TaskEnv.create(suite.tasks[0].scene, { render: false });
    try {
      for (const [replanSteps, expected] of [
        [5, 5],
        [20, 3],
        [1, 23],
      ] as const) {
        const { policy, calls } = countingPolicy(10);
        const result = await runEpisode(env, suite, 0, 0, policy, { replanSteps });
        expect(result).toMatchObject({ success: false, steps: 23 });
        expect(calls.act, `replanSteps ${replanSteps}`).toBe(expected);
      }
    } finally {
      env.dispose();
    }
  });

  it('rejects a chunk whose length is not horizon × 7', async () => {
    const bad: Policy = { act: () => ({ horizon: 2, actions: new Float32Array(13) }) };
    await expect(evaluate(bad, 'libero-goal', { trials: 1, tasks: [0], imageSize: 16 })).rejects.toThrow(
      /13 values for horizon 2/,
    );
  });
});

describe('evaluate: chains', () => {
  it('the expert on 3 calvin chains: avgLen = mean completed = sum of stepRates, successRate = avgLen / 5', async () => {
    const report = await evaluate('expert', 'calvin', { chains: 3, workers: 0 });
    expect(report.kind).toBe('chains');
    const chains = report as ChainsReport;
    expect(chains.results.map((r) => r.chain)).toEqual([0, 1, 2]);
    const completed = chains.results.map((r) => r.completed);
    const mean = completed.reduce((a, b) => a + b, 0) / 3;
    expect(chains.avgLen).toBeCloseTo(mean, 12);
    expect(chains.chains.avgLen).toBeCloseTo(mean, 12);
    expect(chains.chains.stepRates.reduce((a, b) => a + b, 0)).toBeCloseTo(mean, 12);
    expect(chains.successRate).toBeCloseTo(mean / 5, 12);
    expect(chains.chains.chains).toBe(3);
    expect(chains.avgLen).toBeGreaterThanOrEqual(4);
    for (const r of chains.results) expect(r.tasks).toHaveLength(5);
  });
});

describe('evaluate: bad options', () => {
  it('starts at firstTrial: trials 500 and 501 run the initial states of those trial numbers', async () => {
    const report = episodes(
      await evaluate('expert', 'libero-goal', { trials: 2, tasks: [1], firstTrial: 500, workers: 0 }),
    );
    expect(report.episodes.map((e) => e.trial)).toEqual([500, 501]);
    for (const e of report.episodes) expect(e.seed).toBe(initialStateSeed('libero-goal', 1, e.trial));
    await expect(evaluate('random', 'libero-goal', { firstTrial: -1, workers: 0 })).rejects.toThrow(
      /firstTrial must be an integer ≥ 0, got -1/,
    );
  });

  it('rejects trials 0, naming the option', async () => {
    await expect(evaluate('random', 'libero-goal', { trials: 0, workers: 0 })).rejects.toThrow(
      /trials must be a positive integer, got 0/,
    );
  });

  it('rejects a task index outside the suite, naming the range', async () => {
    await expect(evaluate('random', 'libero-goal', { trials: 1, tasks: [99], workers: 0 })).rejects.toThrow(
      /task index 99 is not in libero-goal \(0\.\.9\)/,
    );
  });

  it('rejects an unknown suite, listing the known ones', async () => {
    await expect(evaluate('random', 'libero-nope', { workers: 0 })).rejects.toThrow(
      /unknown suite "libero-nope"; choose one of: libero-spatial, libero-object, libero-goal, libero-long, calvin/,
    );
    expect(() => getSuite('calvin-d')).toThrow(/unknown suite "calvin-d"/);
    expect(SUITES.map((s) => s.name)).toEqual([
      'libero-spatial',
      'libero-object',
      'libero-goal',
      'libero-long',
      'calvin',
    ]);
  });

  it('rejects chains 0 and replanSteps 0', async () => {
    await expect(evaluate('expert', 'calvin', { chains: 0, workers: 0 })).rejects.toThrow(
      /chains must be a positive integer, got 0/,
    );
    await expect(
      evaluate('random', 'libero-goal', { trials: 1, replanSteps: 0, workers: 0 }),
    ).rejects.toThrow(/replanSteps must be a positive integer, got 0/);
  });
});

describe('evaluate: suite objects and worker counts', () => {
  it('runs a suite object that is not registered, in this thread, on its own tasks', async () => {
    const goal = getSuite('libero-goal') as EpisodeSuite;
    const custom: EpisodeSuite = { ...goal, name: 'my-goal', tasks: [{ ...goal.tasks[3], maxSteps: 23 }] };
    const report = (await evaluate('expert', custom, { trials: 1, progress: false })) as EpisodesReport;
    expect(report.episodes.map((e) => [e.suite, e.taskName, e.success])).toEqual([
      ['my-goal', 'turn_on_light', true],
    ]);
    const short: EpisodeSuite = { ...goal, tasks: [{ ...goal.tasks[3], maxSteps: 3 }] };
    const failed = (await evaluate('expert', short, { trials: 1, progress: false })) as EpisodesReport;
    // Same name as the registered suite, but its own 3-step task: the light is not reached in 3 steps.
    expect(failed.episodes.map((e) => [e.taskName, e.steps, e.success])).toEqual([
      ['turn_on_light', 3, false],
    ]);
  });

  it('rejects a worker count that is not a whole number ≥ 0, and a task listed twice', async () => {
    await expect(evaluate('random', 'libero-goal', { trials: 1, workers: 1.5 })).rejects.toThrow(
      /workers must be an integer/,
    );
    await expect(evaluate('random', 'libero-goal', { trials: 1, workers: -1 })).rejects.toThrow(
      /workers must be an integer/,
    );
    await expect(evaluate('random', 'libero-goal', { trials: 1, tasks: [0, 0] })).rejects.toThrow(
      /task twice/,
    );
  });
});

describe('evaluate: failing workers', () => {
  it('rejects, naming the cause, when workers cannot reach a remote policy', async () => {
    // The test's own timeout is the check that a failed worker ends the evaluation instead of hanging it.
    await expect(
      evaluate('ws://127.0.0.1:9', 'libero-goal', { trials: 1, tasks: [0, 1], workers: 2, progress: false }),
    ).rejects.toThrow(/evaluation worker failed/);
  }, 60_000);
});

describe('evaluate: module policies', () => {
  it('loads createPolicy from an .mjs file, passes the seed, and closes the policy afterwards', async () => {
    const file = join(tmp, 'zero-policy.mjs');
    await writeFile(
      file,
      `const log = (globalThis.__benchZeroPolicy = { seeds: [], acts: 0, closed: 0 });
export function createPolicy({ seed }) {
  log.seeds.push(seed);
  return {
    act() {
      log.acts++;
      return { horizon: 4, actions: new Float32Array(4 * 7) };
    },
    close() {
      log.closed++;
    },
  };
}
`,
    );
    const report = episodes(
      await evaluate(file, 'libero-goal', { trials: 1, tasks: [4], workers: 0, seed: 7, imageSize: 16 }),
    );
    const log = (globalThis as { __benchZeroPolicy?: { seeds: number[]; acts: number; closed: number } })
      .__benchZeroPolicy;
    const maxSteps = GOAL.tasks[4].maxSteps;
    expect(report.episodes[0]).toMatchObject({ taskIndex: 4, success: false, steps: maxSteps });
    expect(report.meta.policy).toBe(file);
    expect(log).toEqual({ seeds: [7], acts: Math.ceil(maxSteps / 4), closed: 1 });
  });

  it('explains what a module must export', async () => {
    const file = join(tmp, 'not-a-policy.mjs');
    await writeFile(file, 'export const answer = 42;\n');
    await expect(evaluate(file, 'libero-goal', { trials: 1, tasks: [0], workers: 0 })).rejects.toThrow(
      /policy module .*not-a-policy\.mjs: export a Policy/,
    );
  });

  it('names a module that cannot be imported', async () => {
    const file = join(tmp, 'missing.mjs');
    await expect(evaluate(file, 'libero-goal', { trials: 1, tasks: [0], workers: 0 })).rejects.toThrow(
      /policy module .*missing\.mjs: could not import it/,
    );
  });
});
