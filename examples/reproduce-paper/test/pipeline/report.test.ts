// A known set of outcomes gives a known table: pooled Wilson intervals, paired tests, and relative
// improvements printed only beside an interval that excludes 0.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lmComparisons, pairedComparisons, pooledLibero } from '../../src/pipeline/comparisons.js';
import {
  alignmentTargetsMarkdown,
  comparisonsMarkdown,
  grpoMarkdown,
  lmComparisonsMarkdown,
  type Results,
  readGrpoLogs,
  relativeImprovements,
  resultsMarkdown,
  targetScoresMarkdown,
  writeReport,
} from '../../src/pipeline/report.js';
import type { Variant } from '../../src/pipeline/variants.js';
import type { ChainScore, SuiteScore, VlaScores } from '../../src/pipeline/vla.js';

const suite = (outcomes: boolean[]): SuiteScore => {
  const successes = outcomes.filter(Boolean).length;
  return {
    successRate: successes / outcomes.length,
    ci95: [0, 1],
    episodes: outcomes.length,
    successes,
    outcomes,
  };
};
const chains = (lengths: number[]): ChainScore => ({
  avgLen: lengths.reduce((a, b) => a + b, 0) / lengths.length,
  ci95: [0, 5],
  chains: lengths.length,
  stepRates: [1, 2, 3, 4, 5].map((k) => lengths.filter((l) => l >= k).length / lengths.length),
  lengths,
});
const scores = (goal: boolean[], spatial: boolean[], lengths: number[]): VlaScores => ({
  libero: { 'libero-goal': suite(goal), 'libero-spatial': suite(spatial) },
  calvin: chains(lengths),
  headLoss: { libero: [0.1], calvin: [0.1] },
  probe: {
    actionR2: 0.42,
    ci95: [0.3, 0.5],
    lambda: 0.1,
    objectR2: 0.91,
    objectCi95: [0.85, 0.95],
    objectLambda: 0.01,
  },
});
const repeat = <T>(value: T, n: number): T[] => Array(n).fill(value);

describe('pooledLibero', () => {
  it('is the Wilson interval of summed counts, not the mean of per-suite intervals', () => {
    // 1 of 120 (the base row): Wilson [0.15%, 4.57%], computed independently in Python float64.
    const one = scores([true, ...repeat(false, 59)], repeat(false, 60), [0]);
    const p = pooledLibero(one);
    expect([p.successes, p.episodes]).toEqual([1, 120]);
    expect(p.ci95[0]).toBeCloseTo(0.0014725557333420923, 12);
    expect(p.ci95[1]).toBeCloseTo(0.045696291245049675, 12);
    // 1 of 20: [0.9%, 23.6%], where the mislabelled column printed [0.9, 34.1].
    const twenty = pooledLibero(scores([true, ...repeat(false, 9)], repeat(false, 10), [0]));
    expect(twenty.ci95[1]).toBeCloseTo(0.23613119344674205, 12);
  });
});

describe('pairedComparisons', () => {
  // roboalign wins 12 episodes that roboalign-sft loses and loses 2 that it wins, out of 40: McNemar p is
  // 2·Σ_{i≤2} C(14, i)/2¹⁴ = 2·106/16384.
  const sftGoal = [...repeat(true, 8), ...repeat(false, 12)];
  const sftSpatial = [true, true, ...repeat(false, 18)];
  const alignGoal = [...repeat(true, 6), false, false, ...repeat(true, 12)];
  const alignSpatial = [true, true, ...repeat(false, 18)];
  const variants: Partial<Record<Variant, VlaScores>> = {
    'roboalign-sft': scores(sftGoal, sftSpatial, [1, 1, 0, 2]),
    roboalign: scores(alignGoal, alignSpatial, [1, 1, 0, 2]),
  };
  const result = pairedComparisons(variants, 0);
  const lm = {
    formatRate: 0.5,
    prefixSimilarity: { direct: 0.125, reasoning: 0 },
    constantBaseline: 0.03,
    actionMae: 0.25,
    meanChunkMae: 0.5,
    decodeRate: 0.75,
    distinctAnswers: 1,
    greyImages: { prefixSimilarity: 0.0625, actionMae: 0.375, distinctAnswers: 0.5 },
    answerNll: { first: 1.5, firstFive: 2, all: 2.5 },
    vqaAccuracy: { general: 0, robot: 0, reasoning: 0, mean: 0 },
  };

  it('tests only pairs that were both evaluated, on both metrics', () => {
    expect(result.map((c) => `${c.a}/${c.b}/${c.metric}`)).toEqual([
      'roboalign/roboalign-sft/libero-success',
      'roboalign/roboalign-sft/calvin-length',
    ]);
  });

  it('also compares by task where a task has several trials: a bootstrap over tasks, wider than McNemar', () => {
    // 5 trials a task: goal tasks roboalign − roboalign-sft = [0, 0, 1, 1] (1 − 1, 0.6 − 0.6, 1 − 0, 1 − 0),
    // spatial [0, 0, 0, 0]: mean 2/8, the pooled difference (20/40 − 10/40). A resample's mean is k/8 with
    // k ~ Binomial(8, 1/4): P(k = 0) = 0.100, so the lower bound is 0 and p ≈ 2 · 0.100; P(k ≤ 4) = 0.973.
    const byTask = pairedComparisons(variants, 0, 5).find((c) => c.metric === 'libero-success-by-task')!;
    expect(byTask).toMatchObject({
      difference: 0.25,
      n: 8,
      test: 'paired bootstrap (10000 resamples) over tasks',
    });
    expect(byTask.ci95[0]).toBe(0);
    expect(byTask.ci95[1]).toBeGreaterThanOrEqual(0.5);
    expect(byTask.ci95[1]).toBeLessThanOrEqual(0.625);
    expect(byTask.pValue).toBeGreaterThan(0.15);
    expect(byTask.pValue).toBeLessThan(0.25);
    expect(byTask.significant).toBe(false);
    expect(result[0]!.pValue).toBeCloseTo((2 * 106) / 16384, 12);
    expect(() => pairedComparisons(variants, 0, 3)).toThrow(/20 outcomes, not a whole number of tasks at 3/);
  });

  it('leaves out the chain comparison and the chain cells where no chains ran', async () => {
    const chainless = Object.fromEntries(
      Object.entries(variants).map(([k, v]) => [
        k,
        { ...v, lm, calvin: null, headLoss: { libero: [0.1], calvin: [] } },
      ]),
    ) as Partial<Record<Variant, VlaScores>>;
    const compared = pairedComparisons(chainless, 0);
    expect(compared.map((c) => `${c.a}/${c.b}/${c.metric}`)).toEqual([
      'roboalign/roboalign-sft/libero-success',
    ]);
    const md = resultsMarkdown({
      preset: 'test',
      variants: chainless,
      relative: {},
      comparisons: compared,
      grpo: null,
      vla: { ablation: null },
      manifest: {},
    } as unknown as Parameters<typeof resultsMarkdown>[0]);
    expect(md).toMatch(/\| roboalign \| 18\/20 \| 2\/20 \| 50\.0 \[[^|]*\| — \(not run\) \|/);
    expect(md).toContain('| roboalign | 0.100 | — |');
  });

  it('gives the McNemar p-value, the difference and a relative improvement beside its interval', () => {
    const [libero, calvin] = result;
    expect(libero.n).toBe(40);
    expect(libero.difference).toBeCloseTo(10 / 40, 15);
    expect(libero.pValue).toBeCloseTo((2 * 106) / 16384, 12);
    expect(libero.significant).toBe(true);
    // Baseline 10/40: +100% relative, with a bootstrap interval of the ratio that contains it and cannot
    // fall below −100%.
    expect(libero.relative!.percent).toBeCloseTo(100, 10);
    expect(libero.relative!.ci95[0]).toBeGreaterThan(0);
    expect(libero.relative!.ci95[0]).toBeLessThan(100);
    expect(libero.relative!.ci95[1]).toBeGreaterThan(100);
    expect(calvin).toMatchObject({ difference: 0, pValue: 1, ci95: [0, 0], significant: false });
    // The results' `relative` map is read off these comparisons.
    expect(relativeImprovements(result)).toEqual({
      'roboalign vs roboalign-sft': { libero: 100, calvin: 0 },
    });
  });

  it('prints "not significant" instead of a relative improvement when the interval includes 0', () => {
    const md = comparisonsMarkdown(result).join('\n');
    expect(md).toMatch(
      /\| roboalign vs roboalign-sft \| libero-success \| \+25\.0 \[\+\d+\.\d, \+\d+\.\d\] \| 0\.013 \| 40 \| \+100\.0% \[/,
    );
    expect(md).toMatch(
      /\| roboalign vs roboalign-sft \| calvin-length \| \+0\.00 \[\+0\.00, \+0\.00\] \| 1\.000 \| 4 \| not significant \|/,
    );
  });

  it('calls a difference significant only when the interval excludes 0 and p < 0.05', () => {
    // 7 vs 1 discordant of 20 (the committed quick run's roboalign vs roboalign-sft, mirrored): Newcombe's
    // interval excludes 0 but McNemar's exact p is 0.070.
    const a = [...repeat(true, 7), ...repeat(false, 13)];
    const b = [...repeat(false, 7), true, ...repeat(false, 12)];
    const mixed = pairedComparisons(
      {
        roboalign: scores(a.slice(0, 10), a.slice(10), [0]),
        'roboalign-sft': scores(b.slice(0, 10), b.slice(10), [0]),
      },
      0,
    )[0];
    expect(mixed.ci95[0]).toBeGreaterThan(0);
    expect(mixed.pValue).toBeCloseTo(0.0703125, 12);
    expect(mixed.significant).toBe(false);
    expect(comparisonsMarkdown([mixed]).join('\n')).toContain('| not significant |');
  });

  it('refuses outcomes that cannot pair', () => {
    const short = { ...variants, roboalign: scores(alignGoal.slice(1), alignSpatial, [1, 1, 0, 2]) };
    expect(() => pairedComparisons(short, 0)).toThrow(/39 and 40 outcomes/);
  });

  it('labels each interval by its method in the results table', () => {
    const md = resultsMarkdown({
      preset: 'test',
      variants: Object.fromEntries(
        Object.entries(variants).map(([k, v]) => [
          k,
          {
            ...v,
            // roboalign-sft's demonstrations carried no environment state: no object probe.
            ...(k === 'roboalign-sft'
              ? { probe: { ...v.probe!, objectR2: null, objectCi95: null, objectLambda: null } }
              : {}),
            lm: {
              ...lm,
              // Results written before the image-use figures have none: a dash.
              ...(k === 'roboalign'
                ? { imageUse: { general: { real: 0.5, grey: 0.75 }, robot: { real: 1.25, grey: 1.25 } } }
                : {}),
            },
          },
        ]),
      ),
      relative: {},
      comparisons: result,
      grpo: {
        steps: 8,
        nonZeroVarianceBefore: 0.625,
        zeroVarianceFraction: 0.25,
        rewardFirstQuarter: 0.1,
        rewardLastQuarter: 0.3,
        rewardRiseCi95: [0.05, 0.35],
        finalKl: 0.02,
      },
      vla: {
        ablation: [
          {
            inputs: { features: 'none', state: true },
            successes: 1,
            episodes: 20,
            successRate: 0.05,
            ci95: [0.0089, 0.2361],
            headLoss: 0.3,
          },
          {
            inputs: { features: 'instruction', state: true },
            successes: 0,
            episodes: 20,
            successRate: 0,
            ci95: [0, 0.1611],
            headLoss: 0.25,
          },
        ],
      },
      manifest: {},
    } as Parameters<typeof resultsMarkdown>[0]);
    expect(md).toContain('LIBERO pooled [Wilson 95% of summed counts]');
    expect(md).toContain('| roboalign | 18/20 | 2/20 | 50.0 [');
    expect(md).toContain(
      '| variant | action R² [bootstrap 95% over episodes] | object position R² [bootstrap 95% over episodes] |',
    );
    expect(md).toContain('| roboalign | 0.420 [0.300, 0.500] | 0.910 [0.850, 0.950] |');
    expect(md).toContain(
      '| roboalign-sft | 0.420 [0.300, 0.500] | — (no environment state in the demonstrations) |',
    );
    expect(md).toContain('| state only | 5.0 [0.9, 23.6] | 20 | 0.300 |');
    expect(md).toContain('| instruction words, no backbone + state | 0.0 [0.0, 16.1] | 20 | 0.250 |');
    expect(md).toContain(
      '| roboalign | 50.0 | 0.125 | 0.030 | 0.000 | 75.0 | 0.250 | 0.500 | 100.0 | 0.063 / 0.375 / 50.0 | 1.50 / 2.00 / 2.50 | 0.0 | 0.0 | 0.0 | 0.500 / 0.750 | 1.250 / 1.250 |',
    );
    expect(md).toContain('| 1.50 / 2.00 / 2.50 | 0.0 | 0.0 | 0.0 | — | — |');
    expect(md).toContain('| 62.5 | 25.0 | 0.100 | 0.300 | [0.050, 0.350] | 0.020 |');
  });

  it('compares language models over the same prompts: prefix over all, action error where both wrote ids', () => {
    const lm = (prefixSimilarity: number[], actionMae: (number | null)[]) => ({
      lm: { perPrompt: { prefixSimilarity, actionMae } },
    });
    const rows = lmComparisons(
      {
        roboalign: lm([1, 0.5, 0], [0.1, null, 0.3]),
        'roboalign-sft': lm([0.5, 0.5, 0], [0.2, 0.4, null]),
      },
      0,
    );
    expect(rows.map((r) => `${r.a} vs ${r.b}: ${r.metric} n=${r.n}`)).toEqual([
      'roboalign vs roboalign-sft: prefix-similarity n=3',
      'roboalign vs roboalign-sft: action-mae n=1',
    ]);
    // (1 − 0.5) / 3 and 0.1 − 0.2 on the one prompt both answered.
    expect(rows[0].difference).toBeCloseTo(1 / 6, 12);
    expect(rows[1].difference).toBeCloseTo(-0.1, 12);
    expect(rows[1].ci95).toEqual([rows[1].difference, rows[1].difference]);
    expect(lmComparisonsMarkdown(rows).join('\n')).toContain(
      '| roboalign vs roboalign-sft | prefix-similarity | +0.167 [',
    );
  });
});

describe('the alternative alignments in the report', () => {
  // base succeeds in 10 of 40 pooled episodes; align-highlevel wins 10 more and loses none (McNemar p =
  // 2/2¹⁰); align-trajectory wins 1 and loses 1.
  const baseGoal = [...repeat(true, 10), ...repeat(false, 10)];
  const none = repeat(false, 20);
  const variants: Partial<Record<Variant, VlaScores>> = {
    base: scores(baseGoal, none, [0, 0]),
    'align-highlevel': scores(repeat(true, 20), none, [0, 0]),
    'align-trajectory': scores([false, ...repeat(true, 9), true, ...repeat(false, 9)], none, [0, 0]),
  };
  const comparisons = pairedComparisons(variants, 0);

  it('pairs each alternative with base (and with roboalign where it ran)', () => {
    expect(comparisons.map((c) => `${c.a}/${c.b}/${c.metric}`)).toEqual([
      'align-highlevel/base/libero-success',
      'align-highlevel/base/calvin-length',
      'align-trajectory/base/libero-success',
      'align-trajectory/base/calvin-length',
    ]);
    expect(comparisons[0].pValue).toBeCloseTo(2 / 1024, 12);
  });

  it("prints the paper's Table 6 beside ours, a relative improvement only where significant", () => {
    const md = alignmentTargetsMarkdown({ variants: variants as never, comparisons }).join('\n');
    // 20/40 vs 10/40: +25 points, +100% relative; the paper's +13.1%.
    expect(md).toMatch(
      /\| align-highlevel \| high-level \| 50\.0 \(20\/40\) \| \+25\.0 \[[^\]]+\] \| \+100\.0% \[[^\]]+\] \| \+13\.1% \|/,
    );
    expect(md).toMatch(
      /\| align-trajectory \| trajectory \| 25\.0 \(10\/40\) \| \+0\.0 \[[^\]]+\] \| not significant \| \+15\.2% \|/,
    );
    // Without an alternative alignment there is no such table.
    expect(alignmentTargetsMarkdown({ variants: { base: variants.base } as never, comparisons: [] })).toEqual(
      [],
    );
  });

  it('prints each model’s answers to the alternative targets and every GRPO run’s signal', () => {
    const target = (formatRate: number, accuracy: number) => ({ formatRate, accuracy, perPrompt: [] });
    const md = targetScoresMarkdown({
      variants: {
        'roboalign-sft': {
          lm: { targets: { 'high-level': target(0.5, 0.25), trajectory: target(1, 0.875) } },
        },
        base: { lm: {} },
      } as never,
    }).join('\n');
    expect(md).toContain('| roboalign-sft | 50.0 | 0.250 | 100.0 | 0.875 |');
    expect(md).not.toContain('| base |');
    const summary = {
      steps: 8,
      nonZeroVarianceBefore: 0.5,
      zeroVarianceFraction: 0.25,
      rewardFirstQuarter: 0.1,
      rewardLastQuarter: 0.3,
      rewardRiseCi95: null,
      finalKl: 0.02,
    };
    const grpo = grpoMarkdown({ 'align-trajectory': summary, roboalign: summary }).join('\n');
    // Rows in the order of the targets, RoboAlign's first.
    expect(grpo.indexOf('| roboalign | fast |')).toBeLessThan(
      grpo.indexOf('| align-trajectory | trajectory |'),
    );
    expect(grpo).toContain(
      '| align-trajectory | trajectory | 50.0 | 25.0 | 0.100 | 0.300 | — (under 8 steps) | 0.020 |',
    );
    expect(grpoMarkdown({})).toEqual([]);
  });
});

describe('the GRPO logs a results folder keeps', () => {
  it('are written beside the report from the models’ logs, replacing an older copy, and read back without the models', async () => {
    const out = await mkdtemp(join(tmpdir(), 'report-grpo-'));
    const results = JSON.parse(
      await readFile(new URL('../../results/quick/results.json', import.meta.url), 'utf8'),
    ) as Results;
    const row = (step: number) => ({ step, reward: step / 10, 'rewards/format': step / 5, kl: 0.01 * step });
    const log = (rows: Array<Record<string, number>>) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    // A copy left by an earlier run, and this run's log in its model folder.
    await writeFile(join(out, 'grpo.jsonl'), log([row(9)]));
    await mkdir(join(out, 'models', 'roboalign'), { recursive: true });
    await writeFile(join(out, 'models', 'roboalign', 'grpo.jsonl'), log([row(1), row(2)]));
    const fromModels = await readGrpoLogs(out);
    expect(fromModels.roboalign).toEqual([row(1), row(2)]);
    await writeReport(out, results, fromModels);
    expect(await readFile(join(out, 'grpo.jsonl'), 'utf8')).toBe(log([row(1), row(2)]));
    expect(existsSync(join(out, 'plots', 'grpo.png'))).toBe(true);
    // A committed folder has no models: the copy is what the report is re-rendered from.
    const kept = await mkdtemp(join(tmpdir(), 'report-grpo-kept-'));
    await writeFile(join(kept, 'grpo.jsonl'), await readFile(join(out, 'grpo.jsonl')));
    await writeFile(join(kept, 'grpo-align-highlevel.jsonl'), log([row(3)]));
    expect(await readGrpoLogs(kept)).toEqual({ roboalign: [row(1), row(2)], 'align-highlevel': [row(3)] });
  });

  it('keep no chain plot from an earlier run when this run has no chains', async () => {
    const out = await mkdtemp(join(tmpdir(), 'report-chains-'));
    const results = JSON.parse(
      await readFile(new URL('../../results/quick/results.json', import.meta.url), 'utf8'),
    ) as Results;
    const chainPlot = join(out, 'plots', 'calvin-chains.png');
    for (const v of Object.values(results.variants)) v!.calvin = chains([1, 0]);
    await writeReport(out, results, {});
    expect(existsSync(chainPlot)).toBe(true);
    for (const v of Object.values(results.variants)) v!.calvin = null;
    await writeReport(out, results, {});
    expect(existsSync(chainPlot)).toBe(false);
    for (const plot of ['success.png', 'pooled.png']) expect(existsSync(join(out, 'plots', plot))).toBe(true);
  });
});
