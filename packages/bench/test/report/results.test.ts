import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChainResult,
  chainsReport,
  episodesReport,
  type ReportMeta,
  summarizeChains,
  summarizeEpisodes,
  toJson,
} from '../../src/report/index.js';
import { EPISODES, episode } from './fixtures.js';

const TASKS = ['open_drawer', 'lift_red_block', 'push_into_drawer', 'close_drawer', 'turn_on_led'];

function chains(completed: number[]): ChainResult[] {
  return completed.map((c, i) => ({ chain: i, seed: 100 + i, tasks: [...TASKS], completed: c }));
}

const META: ReportMeta = {
  policy: 'random',
  seed: 42,
  startedAt: '2025-01-31T12:00:00.000Z',
  durationMs: 1234,
  machine: {
    platform: 'linux',
    arch: 'x64',
    cpuModel: 'Test CPU',
    cpuCount: 4,
    totalMemoryBytes: 8,
    nodeVersion: 'v20.0.0',
  },
};

describe('summarizeChains', () => {
  it('computes CALVIN step rates and average length by hand: [5,3,0,1,2]', () => {
    const s = summarizeChains('calvin_d', chains([5, 3, 0, 1, 2]));
    expect(s.suite).toBe('calvin_d');
    expect(s.chains).toBe(5);
    // ≥1: all but the 0 → 4/5; ≥2: 5,3,2; ≥3: 5,3; ≥4: 5; ≥5: 5.
    expect(s.stepRates).toEqual([4 / 5, 3 / 5, 2 / 5, 1 / 5, 1 / 5]);
    expect(s.avgLen).toBeCloseTo(2.2, 12);
  });

  it('handles all-zero and all-five chains', () => {
    expect(summarizeChains('s', chains([0, 0])).stepRates).toEqual([0, 0, 0, 0, 0]);
    const full = summarizeChains('s', chains([5, 5, 5]));
    expect(full.stepRates).toEqual([1, 1, 1, 1, 1]);
    expect(full.avgLen).toBe(5);
  });

  it('avgLen equals the sum of step rates and rates never increase (random chains)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 60 }), (completed) => {
        const s = summarizeChains('p', chains(completed));
        const sum = s.stepRates.reduce((a, b) => a + b, 0);
        expect(s.avgLen).toBeCloseTo(sum, 12);
        for (let k = 1; k < 5; k++) expect(s.stepRates[k]).toBeLessThanOrEqual(s.stepRates[k - 1]);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects empty input and bad chains, naming the chain', () => {
    expect(() => summarizeChains('calvin_d', [])).toThrow(/calvin_d.*no chain results/);
    const bad = chains([1, 2]);
    bad[1] = { ...bad[1], chain: 7, completed: 6 };
    expect(() => summarizeChains('calvin_d', bad)).toThrow(
      /chain 7: completed must be an integer in 0\.\.5, got 6/,
    );
    bad[1] = { ...bad[1], completed: 2.5 };
    expect(() => summarizeChains('calvin_d', bad)).toThrow(/chain 7: .*got 2\.5/);
    bad[1] = { ...bad[1], completed: -1 };
    expect(() => summarizeChains('calvin_d', bad)).toThrow(/chain 7: .*got -1/);
    bad[1] = { ...bad[1], completed: 1, tasks: TASKS.slice(0, 4) };
    expect(() => summarizeChains('calvin_d', bad)).toThrow(/chain 7: expected 5 task names, got 4/);
    const dup = chains([1, 2]);
    dup[1] = { ...dup[1], chain: 0 };
    expect(() => summarizeChains('calvin_d', dup)).toThrow(/chain 0: appears twice/);
  });
});

describe('summarizeEpisodes', () => {
  it('groups by suite (first appearance) and task (sorted), with hand-counted rates', () => {
    const [spatial, goal] = summarizeEpisodes(EPISODES);
    expect(spatial).toEqual({
      suite: 'libero_spatial',
      tasks: [
        {
          taskIndex: 0,
          taskName: 'task_0',
          instruction: 'pick up the black bowl',
          trials: 2,
          successes: 2,
          successRate: 1,
        },
        {
          taskIndex: 1,
          taskName: 'task_1',
          instruction: 'put the bowl on the plate',
          trials: 3,
          successes: 2,
          successRate: 2 / 3,
        },
      ],
      trials: 5,
      successes: 4,
      successRate: 0.8,
    });
    expect(goal.suite).toBe('libero_goal');
    expect(goal.tasks).toHaveLength(1);
    expect(goal.tasks[0].successRate).toBe(0.25);
    expect(goal.successRate).toBe(0.25);
  });

  it('rejects empty input, duplicates, inconsistent task names and malformed fields', () => {
    expect(() => summarizeEpisodes([])).toThrow(/no episode results/);
    const dup = [...EPISODES, episode('libero_goal', 0, 'open the drawer | carefully', 3, false)];
    expect(() => summarizeEpisodes(dup)).toThrow(
      /episodes\[9\]: suite libero_goal task 0 trial 3 appears twice/,
    );
    const renamed = [...EPISODES, episode('libero_goal', 0, 'close the drawer', 4, false)];
    expect(() => summarizeEpisodes(renamed)).toThrow(/episodes\[9\]: suite libero_goal task 0 is/);
    const badIndex = [{ ...EPISODES[0], taskIndex: 1.5 }];
    expect(() => summarizeEpisodes(badIndex)).toThrow(
      /episodes\[0\]: taskIndex must be a non-negative integer/,
    );
    expect(() => summarizeEpisodes([{ ...EPISODES[0], suite: '' }])).toThrow(/episodes\[0\]: suite/);
  });
});

describe('reports and toJson', () => {
  it('episodes report pools successes over all suites', () => {
    const r = episodesReport(EPISODES, META);
    expect(r.kind).toBe('episodes');
    expect(r.successRate).toBe(5 / 9);
    expect(r.episodes).toHaveLength(9);
  });

  it('chains report defines successRate as avgLen / 5', () => {
    const r = chainsReport('calvin_d', chains([5, 3, 0, 1, 2]), META);
    expect(r.kind).toBe('chains');
    expect(r.avgLen).toBeCloseTo(2.2, 12);
    expect(r.successRate).toBeCloseTo(0.44, 12);
  });

  it('rejects bad meta', () => {
    expect(() => episodesReport(EPISODES, { ...META, startedAt: 'yesterday' })).toThrow(/startedAt/);
    expect(() => chainsReport('c', chains([1]), { ...META, policy: '' })).toThrow(/policy/);
  });

  it('writes pretty JSON with a fixed key order that round-trips', () => {
    const r = chainsReport('calvin_d', chains([5, 3]), META);
    const json = toJson(r);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.split('\n')[1]).toBe('  "kind": "chains",');
    const parsed = JSON.parse(json);
    expect(parsed).toEqual(r);
    expect(Object.keys(parsed)).toEqual(['kind', 'successRate', 'avgLen', 'chains', 'meta', 'results']);
    expect(Object.keys(parsed.results[0])).toEqual(['chain', 'seed', 'tasks', 'completed']);
    expect(Object.keys(parsed.meta.machine)).toEqual([
      'platform',
      'arch',
      'cpuModel',
      'cpuCount',
      'totalMemoryBytes',
      'nodeVersion',
    ]);
  });

  it('gives the same JSON whatever key order the input objects had', () => {
    const r = episodesReport(EPISODES, META);
    const shuffled = episodesReport(
      EPISODES.map((e) => ({
        steps: e.steps,
        success: e.success,
        seed: e.seed,
        trial: e.trial,
        instruction: e.instruction,
        taskName: e.taskName,
        taskIndex: e.taskIndex,
        suite: e.suite,
      })),
      { machine: META.machine, durationMs: 1234, startedAt: META.startedAt, seed: 42, policy: 'random' },
    );
    expect(toJson(shuffled)).toBe(toJson(r));
    const parsed = JSON.parse(toJson(r));
    expect(Object.keys(parsed)).toEqual(['kind', 'successRate', 'suites', 'meta', 'episodes']);
    expect(Object.keys(parsed.suites[0])).toEqual(['suite', 'trials', 'successes', 'successRate', 'tasks']);
    expect(Object.keys(parsed.episodes[0])).toEqual([
      'suite',
      'taskIndex',
      'taskName',
      'instruction',
      'trial',
      'seed',
      'success',
      'steps',
    ]);
  });
});
