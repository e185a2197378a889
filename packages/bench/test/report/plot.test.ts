import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chainPlotLayout,
  PLOT_COLORS,
  plotChainCurve,
  plotSuiteSuccess,
  type Rgb,
  type SuiteSummary,
  suitePlotLayout,
  summarizeChains,
  writePlot,
} from '../../src/report/index.js';

interface Image {
  width: number;
  height: number;
  px(x: number, y: number): Rgb;
}

function decodeRgb(png: Uint8Array): Image {
  const img = decode(png);
  expect(img.channels).toBe(3);
  expect(img.depth).toBe(8);
  return {
    width: img.width,
    height: img.height,
    px: (x, y) => {
      const i = (y * img.width + x) * 3;
      return [img.data[i], img.data[i + 1], img.data[i + 2]];
    },
  };
}

const WHITE: Rgb = [255, 255, 255];
const BAR = PLOT_COLORS.series[0];

/** One suite: task 0 at 100% (2/2), task 1 at 0% (0/2), task 2 at 50% (1/2); overall 3/6. */
const SUITE: SuiteSummary = {
  suite: 'suite_a',
  tasks: [
    { taskIndex: 0, taskName: 't0', instruction: 'i0', trials: 2, successes: 2, successRate: 1 },
    { taskIndex: 1, taskName: 't1', instruction: 'i1', trials: 2, successes: 0, successRate: 0 },
    { taskIndex: 2, taskName: 't2', instruction: 'i2', trials: 2, successes: 1, successRate: 0.5 },
  ],
  trials: 6,
  successes: 3,
  successRate: 0.5,
};

function countColumn(img: Image, x: number, y0: number, y1: number, color: Rgb): number {
  let n = 0;
  for (let y = y0; y < y1; y++) if (String(img.px(x, y)) === String(color)) n++;
  return n;
}

describe('plotSuiteSuccess', () => {
  // Hand-computed layout: text is 14 px tall (7 rows × 2); the y labels need textWidth('100%') = (4·6−1)·2 = 46,
  // so plotLeft = 16 + 46 + 12 = 74. One legend row: plotTop = 16 + 14 + 14 + 24 + 14 = 82, x axis at 382.
  // Four groups (tasks 0..2 and All) in 760 px: slot 190, gap 14, bar 40, group 54;
  // group lefts 74 + 7 + 54·i = 81, 135, 189, and All 243 + 27 = 270.
  it('lays out bars where the hand computation says', () => {
    const l = suitePlotLayout([SUITE]);
    expect(l.plotLeft).toBe(74);
    expect(l.plotTop).toBe(82);
    expect(l.barWidth).toBe(40);
    expect(l.groupGap).toBe(14);
    expect(l.groups).toEqual([0, 1, 2, 'All']);
    expect(l.groupLeft).toEqual([81, 135, 189, 270]);
    // The title "Success rate per task: suite_a" (30 chars → 358 px) plus 2·16 decides the width.
    expect(l.width).toBe(390);
    expect(l.height).toBe(82 + 300 + 10 + 14 + 12 + 14 + 16);
  });

  const img = decodeRgb(plotSuiteSuccess([SUITE]));

  it('decodes to the layout size with a white background', () => {
    expect(img.width).toBe(390);
    expect(img.height).toBe(448);
    expect(img.px(0, 0)).toEqual(WHITE);
    expect(img.px(389, 447)).toEqual(WHITE);
  });

  it('draws a 100% bar from the top grid line down to the axis', () => {
    expect(img.px(101, 82)).toEqual(BAR);
    expect(img.px(101, 81)).toEqual(WHITE);
    expect(img.px(128, 82)).toEqual(PLOT_COLORS.grid); // the 100% grid line, in the gap after the bar
    expect(countColumn(img, 101, 0, img.height, BAR)).toBe(300);
    expect(img.px(81, 200)).toEqual(BAR);
    expect(img.px(120, 200)).toEqual(BAR);
    expect(img.px(80, 200)).toEqual(WHITE);
    expect(img.px(121, 200)).toEqual(WHITE);
    expect(img.px(101, 382)).toEqual(PLOT_COLORS.axis);
  });

  it('draws nothing for a 0% bar: only grid lines and the axis in its column', () => {
    expect(countColumn(img, 155, 0, img.height, BAR)).toBe(0);
    for (const y of [82, 157, 232, 307]) expect(img.px(155, y)).toEqual(PLOT_COLORS.grid);
    expect(img.px(155, 382)).toEqual(PLOT_COLORS.axis);
    expect(img.px(155, 200)).toEqual(WHITE);
  });

  it('draws a 50% bar from the 50% grid line (row 232)', () => {
    expect(img.px(209, 232)).toEqual(BAR);
    expect(img.px(209, 231)).toEqual(WHITE);
    expect(countColumn(img, 209, 0, img.height, BAR)).toBe(150);
    expect(countColumn(img, 290, 0, img.height, BAR)).toBe(150); // All = 3/6
  });

  it('shows the legend swatch and labels in dark text', () => {
    // The legend swatch is the series colour; some text pixels exist left of the y axis.
    let legendPixels = 0;
    for (let y = 44; y < 58; y++)
      for (let x = 0; x < img.width; x++) if (String(img.px(x, y)) === String(BAR)) legendPixels++;
    expect(legendPixels).toBe(14 * 14);
    let labelPixels = 0;
    for (let y = 75; y < 89; y++)
      for (let x = 16; x < 62; x++) if (String(img.px(x, y)) === String(PLOT_COLORS.text)) labelPixels++;
    expect(labelPixels).toBeGreaterThan(50);
  });

  it('colours each suite differently and rejects rates outside [0, 1]', () => {
    const two = decodeRgb(plotSuiteSuccess([SUITE, { ...SUITE, suite: 'suite_b' }]));
    const l = suitePlotLayout([SUITE, { ...SUITE, suite: 'suite_b' }]);
    const x0 = l.groupLeft[0];
    expect(two.px(x0 + 1, l.plotTop + 10)).toEqual(PLOT_COLORS.series[0]);
    expect(two.px(x0 + l.barWidth + 1, l.plotTop + 10)).toEqual(PLOT_COLORS.series[1]);
    const bad = { ...SUITE, tasks: [{ ...SUITE.tasks[0], successRate: 1.5 }] };
    expect(() => plotSuiteSuccess([bad])).toThrow(/suite_a task 0: rate must be in \[0, 1\], got 1\.5/);
    expect(() => plotSuiteSuccess([])).toThrow(/no suites/);
  });
});

describe('plotChainCurve', () => {
  const summary = summarizeChains(
    'calvin_d',
    [5, 3, 0, 1, 2].map((completed, chain) => ({
      chain,
      seed: 0,
      tasks: ['a', 'b', 'c', 'd', 'e'],
      completed,
    })),
  );
  const img = decodeRgb(plotChainCurve(summary));

  // Width 640: plotWidth = 640 − 74 − 24 = 542; point k at 74 + round((k − 0.5)·542/5) = 128, 237, 345, 453, 562.
  // plotTop = 16 + 14 + 24 + 14 + 12 = 80; rates 0.8..0.2 sit on rows 80 + round((1 − r)·300) = 140, 200, 260, 320, 320.
  it('puts markers at the hand-computed points', () => {
    const l = chainPlotLayout(summary);
    expect(l.pointX).toEqual([128, 237, 345, 453, 562]);
    expect(l.plotTop).toBe(80);
    expect(img.width).toBe(640);
    expect(img.height).toBe(80 + 300 + 10 + 14 + 12 + 14 + 16);
    const ys = [140, 200, 260, 320, 320];
    l.pointX.forEach((x, i) => {
      expect(img.px(x, ys[i])).toEqual(BAR);
      expect(img.px(x, ys[i] - 6)).toEqual(BAR); // marker radius 6
    });
    // Seven pixels right of the first marker's centre is outside the disc and above the line.
    expect(img.px(135, 140)).toEqual(WHITE);
  });

  it('joins the markers with a line and keeps the y axis at 0..100%', () => {
    // Midway between points 4 and 5 (both at 20%) the 3-px line covers rows 319..321.
    expect(img.px(507, 319)).toEqual(BAR);
    expect(img.px(507, 321)).toEqual(BAR);
    expect(img.px(507, 323)).toEqual(WHITE);
    expect(img.px(600, 80)).toEqual(PLOT_COLORS.grid);
    expect(img.px(600, 380)).toEqual(PLOT_COLORS.axis);
    expect(img.px(73, 200)).toEqual(PLOT_COLORS.axis);
  });

  it('labels each value above its marker', () => {
    // "80.0%" is 5 chars → 58 px wide, centred on x = 128, its top at 140 − 6 − 8 − 14 = 112.
    let dark = 0;
    for (let y = 112; y < 126; y++)
      for (let x = 99; x < 157; x++) if (String(img.px(x, y)) === String(PLOT_COLORS.text)) dark++;
    expect(dark).toBeGreaterThan(60);
  });

  it('rejects malformed summaries', () => {
    expect(() => plotChainCurve({ ...summary, stepRates: [1, 1, 1, 1] })).toThrow(
      /expected 5 step rates, got 4/,
    );
    expect(() => plotChainCurve({ ...summary, stepRates: [1, 1, 1, 1, Number.NaN] })).toThrow(/step 5: rate/);
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
    const png = plotSuiteSuccess([SUITE]);
    const path = join(dir, 'nested', 'suite.png');
    await writePlot(path, png);
    expect(existsSync(path)).toBe(true);
    expect(new Uint8Array(readFileSync(path))).toEqual(png);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['suite.png']);
  });
});
