import { writeFileAtomic } from '@roboalign/utils';
import { encode } from 'fast-png';
import { BenchError } from '../errors.js';
import { type Canvas, createCanvas, drawLine, fillDisc, fillRect, type Rgb } from './canvas.js';
import { drawText, textHeight, textWidth } from './font.js';
import { formatAvgLen, formatPercent } from './markdown.js';
import type { ChainSummary, SuiteSummary } from './results.js';

/** Colours shared by both plots. */
export const PLOT_COLORS = {
  background: [255, 255, 255] as Rgb,
  text: [30, 30, 30] as Rgb,
  axis: [60, 60, 60] as Rgb,
  grid: [221, 221, 221] as Rgb,
  /** One colour per series, reused cyclically (Tableau 10 palette). */
  series: [
    [78, 121, 167],
    [242, 142, 43],
    [89, 161, 79],
    [225, 87, 89],
    [176, 122, 161],
    [118, 183, 178],
    [237, 201, 72],
    [156, 117, 95],
    [255, 157, 167],
    [186, 176, 172],
  ] as Rgb[],
} as const;

/** Text scale: each 5×7 font pixel becomes a 2×2 square. */
const SCALE = 2;
const LINE_H = textHeight(SCALE);
/** Blank border around everything. */
const PAD = 16;
/** Height of the plotting area, 0% to 100%. */
const PLOT_H = 300;
/** Left edge of the plotting area: room for the widest y label, `100%`. */
const PLOT_LEFT = PAD + textWidth('100%', SCALE) + 12;
/** Grid lines, as fractions. */
const GRID = [0, 0.25, 0.5, 0.75, 1];

/** The pixel row of rate `r` (0..1) in a plot whose 100% line is at `top`. */
function rowOf(top: number, r: number): number {
  return top + Math.round((1 - r) * PLOT_H);
}

function drawTitle(canvas: Canvas, title: string): void {
  drawText(
    canvas,
    title,
    Math.round((canvas.width - textWidth(title, SCALE)) / 2),
    PAD,
    PLOT_COLORS.text,
    SCALE,
  );
}

/** Grid lines and their percentage labels, right-aligned left of the plotting area. */
function drawGrid(canvas: Canvas, top: number, left: number, width: number): void {
  for (const g of GRID) {
    const y = rowOf(top, g);
    fillRect(canvas, left, y, width, 1, PLOT_COLORS.grid);
    const label = `${Math.round(g * 100)}%`;
    drawText(canvas, label, left - 8 - textWidth(label, SCALE), y - LINE_H / 2, PLOT_COLORS.text, SCALE);
  }
}

/** The x-axis title, centred under the plotting area below the tick labels. */
function drawXAxisTitle(canvas: Canvas, title: string, left: number, width: number, bottom: number): void {
  drawText(
    canvas,
    title,
    Math.round(left + (width - textWidth(title, SCALE)) / 2),
    bottom + 10 + LINE_H + 12,
    PLOT_COLORS.text,
    SCALE,
  );
}

/** The y axis and the x axis (on the 0% row), drawn over bars and grid. */
function drawAxes(canvas: Canvas, top: number, left: number, width: number): void {
  fillRect(canvas, left - 1, top, 1, PLOT_H + 1, PLOT_COLORS.axis);
  fillRect(canvas, left - 1, rowOf(top, 0), width + 1, 1, PLOT_COLORS.axis);
}

function checkRate(where: string, r: number): void {
  if (!(r >= 0 && r <= 1)) throw new BenchError(`${where}: rate must be in [0, 1], got ${r}`);
}

interface LegendEntry {
  color: Rgb;
  label: string;
}

const SWATCH = LINE_H;
const LEGEND_GAP = 28;
const LEGEND_ROW_H = LINE_H + 10;

function legendEntryWidth(e: LegendEntry): number {
  return SWATCH + 8 + textWidth(e.label, SCALE);
}

/** Splits legend entries into rows that fit `maxWidth`, each row centred later. */
function legendRows(entries: readonly LegendEntry[], maxWidth: number): LegendEntry[][] {
  const rows: LegendEntry[][] = [];
  let row: LegendEntry[] = [];
  let width = 0;
  for (const e of entries) {
    const w = legendEntryWidth(e);
    if (row.length > 0 && width + LEGEND_GAP + w > maxWidth) {
      rows.push(row);
      row = [];
      width = 0;
    }
    width += (row.length > 0 ? LEGEND_GAP : 0) + w;
    row.push(e);
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

function drawLegend(canvas: Canvas, rows: readonly LegendEntry[][], top: number): void {
  rows.forEach((row, i) => {
    const rowWidth = row.reduce((s, e) => s + legendEntryWidth(e), 0) + LEGEND_GAP * (row.length - 1);
    let x = Math.round((canvas.width - rowWidth) / 2);
    const y = top + i * LEGEND_ROW_H;
    for (const e of row) {
      fillRect(canvas, x, y, SWATCH, SWATCH, e.color);
      drawText(canvas, e.label, x + SWATCH + 8, y, PLOT_COLORS.text, SCALE);
      x += legendEntryWidth(e) + LEGEND_GAP;
    }
  });
}

function toPng(canvas: Canvas): Uint8Array {
  return encode({ width: canvas.width, height: canvas.height, data: canvas.data, channels: 3, depth: 8 });
}

/** Where the bars of {@link plotSuiteSuccess} go; exported so tests can check pixels against it. */
export interface SuitePlotLayout {
  width: number;
  height: number;
  /** Row of the 100% grid line; the 0% line (x axis) is `plotTop + 300`. */
  plotTop: number;
  plotLeft: number;
  plotWidth: number;
  barWidth: number;
  /** Blank pixels between neighbouring groups. */
  groupGap: number;
  /** Task indices along the x axis (one group each), followed by the `All` group. */
  groups: (number | 'All')[];
  /** Left edge of each group's first bar. */
  groupLeft: number[];
  legendRows: number;
}

/** Target width of the bar area; bars shrink or grow (3..40 px) to approach it. */
const TARGET_BAR_AREA = 760;

function suiteLegend(suites: readonly SuiteSummary[]): LegendEntry[] {
  return suites.map((s, i) => ({
    color: PLOT_COLORS.series[i % PLOT_COLORS.series.length],
    label: `${s.suite} ${formatPercent(s.successRate)}`,
  }));
}

function suiteTitle(suites: readonly SuiteSummary[]): string {
  if (suites.length === 1) return `Success rate per task: ${suites[0].suite}`;
  const successes = suites.reduce((n, s) => n + s.successes, 0);
  const trials = suites.reduce((n, s) => n + s.trials, 0);
  return `Success rate per task (all suites ${formatPercent(successes / trials)})`;
}

/** Computes the geometry of {@link plotSuiteSuccess} without drawing. */
export function suitePlotLayout(suites: readonly SuiteSummary[]): SuitePlotLayout {
  if (suites.length === 0) throw new BenchError('plotSuiteSuccess: no suites to plot');
  const taskIndices = [...new Set(suites.flatMap((s) => s.tasks.map((t) => t.taskIndex)))].sort(
    (a, b) => a - b,
  );
  const groups: (number | 'All')[] = [...taskIndices, 'All'];
  const slot = TARGET_BAR_AREA / groups.length;
  // About a fifth of each slot separates neighbouring groups.
  const groupGap = Math.max(3, Math.min(14, Math.round(0.22 * slot)));
  const barWidth = Math.max(3, Math.min(40, Math.floor((slot - groupGap) / suites.length)));
  const groupWidth = barWidth * suites.length + groupGap;
  // The `All` group sits half a slot further right, apart from the tasks.
  const groupLeft = groups.map((_, i) => PLOT_LEFT + Math.floor(groupGap / 2) + i * groupWidth);
  groupLeft[groups.length - 1] += Math.round(groupWidth / 2);
  const plotWidth = groupLeft[groups.length - 1] + groupWidth - Math.floor(groupGap / 2) - PLOT_LEFT;
  const width = Math.max(
    PLOT_LEFT + plotWidth + PAD + 8,
    textWidth(suiteTitle(suites), SCALE) + 2 * PAD,
    Math.max(...suiteLegend(suites).map(legendEntryWidth)) + 2 * PAD,
  );
  const rows = legendRows(suiteLegend(suites), width - 2 * PAD).length;
  const plotTop = PAD + LINE_H + 14 + rows * LEGEND_ROW_H + 14;
  // Below the axis: tick labels, then the axis title.
  const height = plotTop + PLOT_H + 10 + LINE_H + 12 + LINE_H + PAD;
  return {
    width,
    height,
    plotTop,
    plotLeft: PLOT_LEFT,
    plotWidth,
    barWidth,
    groupGap,
    groups,
    groupLeft,
    legendRows: rows,
  };
}

/**
 * A grouped bar chart of per-task success rates: one group per task index, one bar per suite
 * (coloured as in the legend, which also gives each suite's overall rate), and a final `All`
 * group with each suite's overall rate. Returns PNG bytes.
 */
export function plotSuiteSuccess(suites: readonly SuiteSummary[]): Uint8Array {
  const layout = suitePlotLayout(suites);
  const { plotTop, plotLeft, plotWidth, barWidth, groups, groupLeft } = layout;
  const canvas = createCanvas(layout.width, layout.height, PLOT_COLORS.background);
  drawTitle(canvas, suiteTitle(suites));
  const legend = suiteLegend(suites);
  drawLegend(canvas, legendRows(legend, layout.width - 2 * PAD), PAD + LINE_H + 14);
  drawGrid(canvas, plotTop, plotLeft, plotWidth);

  const bottom = rowOf(plotTop, 0);
  suites.forEach((suite, si) => {
    const rateOf = new Map<number | 'All', number>(suite.tasks.map((t) => [t.taskIndex, t.successRate]));
    rateOf.set('All', suite.successRate);
    groups.forEach((g, gi) => {
      const rate = rateOf.get(g);
      if (rate === undefined) return;
      checkRate(`plotSuiteSuccess: suite ${suite.suite} task ${g}`, rate);
      const top = rowOf(plotTop, rate);
      fillRect(canvas, groupLeft[gi] + si * barWidth, top, barWidth, bottom - top, legend[si].color);
    });
  });
  drawAxes(canvas, plotTop, plotLeft, plotWidth);

  // Task labels: with many tasks only every n-th, and none crowding the `All` label.
  const barsWidth = barWidth * suites.length;
  const centreOf = (gi: number) => groupLeft[gi] + barsWidth / 2;
  const widest = Math.max(...groups.map((g) => textWidth(String(g), SCALE)));
  const every = Math.max(1, Math.ceil((widest + 8) / (barsWidth + layout.groupGap)));
  const allCentre = centreOf(groups.length - 1);
  groups.forEach((g, gi) => {
    if (g !== 'All' && (gi % every !== 0 || allCentre - centreOf(gi) < widest + 8)) return;
    const label = String(g);
    const x = Math.round(centreOf(gi) - textWidth(label, SCALE) / 2);
    drawText(canvas, label, x, bottom + 10, PLOT_COLORS.text, SCALE);
  });
  drawXAxisTitle(canvas, 'Task', plotLeft, plotWidth, bottom);
  return toPng(canvas);
}

/** Where the points of {@link plotChainCurve} go; exported so tests can check pixels against it. */
export interface ChainPlotLayout {
  width: number;
  height: number;
  /** Row of the 100% grid line; the 0% line (x axis) is `plotTop + 300`. */
  plotTop: number;
  plotLeft: number;
  plotWidth: number;
  /** Centre column of the marker for k = 1..5 subtasks completed. */
  pointX: number[];
}

const CHAIN_PLOT_WIDTH = 640;
const MARKER_RADIUS = 6;

function chainTitle(summary: ChainSummary): string {
  return `Chains: ${summary.suite} (n=${summary.chains}), Avg. Len. ${formatAvgLen(summary.avgLen)}`;
}

/** Computes the geometry of {@link plotChainCurve} without drawing. */
export function chainPlotLayout(summary: ChainSummary): ChainPlotLayout {
  const width = Math.max(CHAIN_PLOT_WIDTH, textWidth(chainTitle(summary), SCALE) + 2 * PAD);
  const plotLeft = PLOT_LEFT;
  const plotWidth = width - plotLeft - PAD - 8;
  // Room above the 100% line for a value label over a 100% marker.
  const plotTop = PAD + LINE_H + 24 + LINE_H + 12;
  const height = plotTop + PLOT_H + 10 + LINE_H + 12 + LINE_H + PAD;
  const pointX = [1, 2, 3, 4, 5].map((k) => plotLeft + Math.round(((k - 0.5) * plotWidth) / 5));
  return { width, height, plotTop, plotLeft, plotWidth, pointX };
}

/**
 * CALVIN-style success curve: the rate of chains that completed at least k subtasks (k = 1..5),
 * as a line with labelled markers over a 0–100% axis, with the average length in the title.
 * Returns PNG bytes.
 */
export function plotChainCurve(summary: ChainSummary): Uint8Array {
  if (summary.stepRates.length !== 5)
    throw new BenchError(
      `plotChainCurve(${summary.suite}): expected 5 step rates, got ${summary.stepRates.length}`,
    );
  summary.stepRates.forEach((r, i) => {
    checkRate(`plotChainCurve(${summary.suite}): step ${i + 1}`, r);
  });
  const layout = chainPlotLayout(summary);
  const { plotTop, plotLeft, plotWidth, pointX } = layout;
  const canvas = createCanvas(layout.width, layout.height, PLOT_COLORS.background);
  const color = PLOT_COLORS.series[0];
  drawTitle(canvas, chainTitle(summary));
  drawGrid(canvas, plotTop, plotLeft, plotWidth);
  drawAxes(canvas, plotTop, plotLeft, plotWidth);

  const pointY = summary.stepRates.map((r) => rowOf(plotTop, r));
  for (let k = 1; k < 5; k++) drawLine(canvas, pointX[k - 1], pointY[k - 1], pointX[k], pointY[k], color, 3);
  const bottom = rowOf(plotTop, 0);
  summary.stepRates.forEach((r, i) => {
    fillDisc(canvas, pointX[i], pointY[i], MARKER_RADIUS, color);
    const value = formatPercent(r);
    const x = Math.round(pointX[i] - textWidth(value, SCALE) / 2);
    const y = pointY[i] - MARKER_RADIUS - 8 - LINE_H;
    // A white box keeps the value legible where it crosses the line or a grid line.
    fillRect(canvas, x - 3, y - 3, textWidth(value, SCALE) + 6, LINE_H + 6, PLOT_COLORS.background);
    drawText(canvas, value, x, y, PLOT_COLORS.text, SCALE);
    const tick = String(i + 1);
    drawText(
      canvas,
      tick,
      Math.round(pointX[i] - textWidth(tick, SCALE) / 2),
      bottom + 10,
      PLOT_COLORS.text,
      SCALE,
    );
  });
  drawXAxisTitle(canvas, 'Subtasks completed in a row', plotLeft, plotWidth, bottom);
  return toPng(canvas);
}

/** Writes PNG bytes to `path` atomically (temporary file, then rename), creating parent folders. */
export async function writePlot(path: string, png: Uint8Array): Promise<void> {
  await writeFileAtomic(path, png);
}
