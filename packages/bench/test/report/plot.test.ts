import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chainCurveSpec,
  chainCurveSvg,
  plotChainCurve,
  plotSuiteSuccess,
  plotTrainingCurve,
  type SuiteSummary,
  suiteSuccessSpec,
  suiteSuccessSvg,
  summarizeChains,
  trainingCurveSpec,
  trainingCurveSvg,
  wilsonInterval,
  writePlot,
} from '../../src/report/index.js';

/** Tableau 10's first colour, the bar colour of the first suite. */
const BLUE = [76, 120, 168];

function decodeRgba(png: Uint8Array): { width: number; height: number; count(rgb: number[]): number } {
  const img = decode(png);
  expect(img.depth).toBe(8);
  const ch = img.channels;
  return {
    width: img.width,
    height: img.height,
    count: (rgb) => {
      let n = 0;
      for (let i = 0; i < img.data.length; i += ch) {
        if (
          Math.abs(img.data[i] - rgb[0]) +
            Math.abs(img.data[i + 1] - rgb[1]) +
            Math.abs(img.data[i + 2] - rgb[2]) <
          6
        )
          n++;
      }
      return n;
    },
  };
}

function suite(name: string, rates: [number, number][]): SuiteSummary {
  const tasks = rates.map(([successes, trials], taskIndex) => ({
    taskIndex,
    taskName: `t${taskIndex}`,
    instruction: `do ${taskIndex}`,
    trials,
    successes,
    successRate: successes / trials,
  }));
  const successes = tasks.reduce((n, t) => n + t.successes, 0);
  const trials = tasks.reduce((n, t) => n + t.trials, 0);
  return { suite: name, tasks, trials, successes, successRate: successes / trials };
}

type Row = { suite: string; group: string; rate: number; low: number; high: number };
function rows(spec: unknown): Row[] {
  return (spec as { data: { values: Row[] } }).data.values;
}

describe('suiteSuccessSpec / plotSuiteSuccess', () => {
  const goal = suite('libero-goal', [
    [4, 4],
    [2, 4],
    [0, 4],
  ]);

  it('has one bar per task and an All bar, each with its Wilson 95% interval', () => {
    const data = rows(suiteSuccessSpec([goal]));
    expect(data.map((r) => r.group)).toEqual(['0', '1', '2', 'All']);
    expect(data.map((r) => r.rate)).toEqual([1, 0.5, 0, 0.5]);
    expect(data[1].low).toBeCloseTo(wilsonInterval(2, 4).low, 12);
    expect(data[3].high).toBeCloseTo(wilsonInterval(6, 12).high, 12);
  });

  it('renders the title, the task labels and each suite in the legend', async () => {
    const svg = await suiteSuccessSvg([
      goal,
      suite('libero-long', [
        [1, 4],
        [3, 4],
        [2, 4],
      ]),
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['Success rate per task', 'libero-goal', 'libero-long', '>All<', '>Task<', '100%'])
      expect(svg).toContain(text);
  });

  it('draws more bar pixels for higher success rates, at twice the SVG size', async () => {
    const high = decodeRgba(await plotSuiteSuccess([suite('s', [[4, 4]])]));
    const half = decodeRgba(await plotSuiteSuccess([suite('s', [[2, 4]])]));
    const none = decodeRgba(await plotSuiteSuccess([suite('s', [[0, 4]])]));
    expect(high.width).toBeGreaterThan(700);
    // The All bar repeats the task's rate, so 100% draws two full bars and 0% none: only the legend swatch
    // is blue, and bar pixels grow with the rate.
    const swatch = none.count(BLUE);
    expect(swatch).toBeLessThan(600);
    expect(half.count(BLUE) - swatch).toBeGreaterThan(10_000);
    expect(high.count(BLUE) - swatch).toBeGreaterThan(1.8 * (half.count(BLUE) - swatch));
    expect(high.count([255, 255, 255])).toBeGreaterThan(0.3 * high.width * high.height);
  });

  it('rejects no suites and rates outside [0, 1]', () => {
    expect(() => suiteSuccessSpec([])).toThrow(/no suites/);
    const bad = suite('s', [[1, 2]]);
    const broken = { ...bad, tasks: [{ ...bad.tasks[0], successRate: 1.5 }] };
    expect(() => suiteSuccessSpec([broken])).toThrow(/rate must be in \[0, 1\], got 1.5/);
  });
});

describe('chainCurveSpec / plotChainCurve', () => {
  const summary = summarizeChains(
    'calvin',
    [5, 3, 1, 0].map((completed, chain) => ({
      chain,
      seed: chain,
      tasks: ['a', 'b', 'c', 'd', 'e'],
      completed,
    })),
  );

  it('plots the five step rates with labels, intervals and the average length in the title', async () => {
    const data = rows(chainCurveSpec(summary)) as unknown as { k: number; rate: number; low: number }[];
    expect(data.map((r) => r.k)).toEqual([1, 2, 3, 4, 5]);
    expect(data.map((r) => r.rate)).toEqual([0.75, 0.5, 0.5, 0.25, 0.25]);
    expect(data[0].low).toBeCloseTo(wilsonInterval(3, 4).low, 12);
    const svg = await chainCurveSvg(summary);
    for (const text of [
      'Chains: calvin (n=4), Avg. Len. 2.25',
      '75.0%',
      '25.0%',
      'Subtasks completed in a row',
    ])
      expect(svg).toContain(text);
    const png = decodeRgba(await plotChainCurve(summary));
    expect(png.count(BLUE)).toBeGreaterThan(300);
  });

  it('rejects malformed summaries', () => {
    expect(() => chainCurveSpec({ ...summary, stepRates: [1, 1] })).toThrow(/expected 5 step rates, got 2/);
    expect(() => chainCurveSpec({ ...summary, stepRates: [1, 1, 1, 1, -0.1] })).toThrow(/step 5/);
  });
});

describe('trainingCurveSpec / plotTrainingCurve', () => {
  const series = [
    { name: 'train', points: [0, 1, 2, 3].map((i) => ({ step: 100 * i, value: 2 / (i + 1) })) },
    { name: 'eval', points: [0, 2].map((i) => ({ step: 100 * i, value: 2.5 / (i + 1) })) },
  ];

  it('draws one line per series with the given titles', async () => {
    const spec = trainingCurveSpec(series, { title: 'Flow-matching loss', yTitle: 'MSE', logY: true });
    expect(rows(spec)).toHaveLength(6);
    const svg = await trainingCurveSvg(series, { title: 'Flow-matching loss', yTitle: 'MSE' });
    for (const text of ['Flow-matching loss', '>MSE<', '>train<', '>eval<', '>step<'])
      expect(svg).toContain(text);
    const png = decodeRgba(await plotTrainingCurve(series));
    expect(png.width).toBeGreaterThan(500);
  });

  it('keeps a series colour across plots with colorDomain, whichever series a plot has', async () => {
    const orange = [245, 133, 24]; // Tableau 10's second colour
    const only = [{ name: 'b', points: series[0].points }];
    const own = decodeRgba(await plotTrainingCurve(only));
    expect(own.count(BLUE)).toBeGreaterThan(100);
    expect(own.count(orange)).toBe(0);
    const shared = decodeRgba(await plotTrainingCurve(only, { colorDomain: ['a', 'b'] }));
    expect(shared.count(orange)).toBeGreaterThan(100);
    expect(shared.count(BLUE)).toBe(0);
    expect(() => trainingCurveSpec(only, { colorDomain: ['a'] })).toThrow(/series b is not in colorDomain/);
  });

  it('rejects empty series, non-finite points and non-positive values on a log axis', () => {
    expect(() => trainingCurveSpec([])).toThrow(/no series/);
    expect(() => trainingCurveSpec([{ name: 'x', points: [] }])).toThrow(/series x has no points/);
    expect(() => trainingCurveSpec([{ name: 'x', points: [{ step: 0, value: Number.NaN }] }])).toThrow(
      /finite/,
    );
    expect(() => trainingCurveSpec([{ name: 'x', points: [{ step: 0, value: 0 }] }], { logY: true })).toThrow(
      /logY needs values > 0/,
    );
  });
});

describe('writePlot', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes the bytes atomically, creating folders and leaving no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-plot-'));
    dirs.push(dir);
    const png = await plotSuiteSuccess([suite('s', [[1, 2]])]);
    const path = join(dir, 'nested', 'suite.png');
    await writePlot(path, png);
    expect(existsSync(path)).toBe(true);
    expect(new Uint8Array(readFileSync(path))).toEqual(png);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['suite.png']);
  });
});
