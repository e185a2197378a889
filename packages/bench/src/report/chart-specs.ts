import type { TopLevelSpec } from 'vega-lite';
import { BenchError } from '../errors.js';
import { formatAvgLen, formatPercent } from './markdown.js';
import type { ChainSummary, SuiteSummary } from './results.js';
import { wilsonInterval } from './stats.js';

/** The font the charts name; the PNG renderer loads it from `dejavu-fonts-ttf`, browsers fall back to sans-serif. */
export const CHART_FONT = 'DejaVu Sans';

// One look for every chart: the font, no border around the plot, white background.
const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 12, titleFontSize: 13, gridColor: '#e4e4e4' },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 15, anchor: 'middle' },
} as const;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function checkRate(where: string, rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new BenchError(`${where}: rate must be in [0, 1], got ${rate}`);
}

/** One bar of {@link suiteSuccessSpec}: a task (or `All`) of one suite with its Wilson 95% interval. */
interface SuccessRow {
  suite: string;
  group: string;
  order: number;
  rate: number;
  low: number;
  high: number;
  label: string;
}

/**
 * Vega-Lite spec: per-task success rates as bars, one colour per suite, with Wilson 95% intervals as
 * error bars and a final `All` group with each suite's overall rate.
 */
export function suiteSuccessSpec(suites: readonly SuiteSummary[]): TopLevelSpec {
  if (suites.length === 0) throw new BenchError('suiteSuccessSpec: no suites to plot');
  const rows: SuccessRow[] = [];
  for (const s of suites) {
    for (const t of s.tasks) {
      checkRate(`suiteSuccessSpec: suite ${s.suite} task ${t.taskIndex}`, t.successRate);
      const { low, high } = wilsonInterval(t.successes, t.trials);
      rows.push({
        suite: s.suite,
        group: String(t.taskIndex),
        order: t.taskIndex,
        rate: t.successRate,
        low,
        high,
        label: `${t.successes}/${t.trials}`,
      });
    }
    const { low, high } = wilsonInterval(s.successes, s.trials);
    rows.push({
      suite: s.suite,
      group: 'All',
      order: Number.MAX_SAFE_INTEGER,
      rate: s.successRate,
      low,
      high,
      label: `${s.successes}/${s.trials}`,
    });
  }
  const title =
    suites.length === 1
      ? `Success rate per task: ${suites[0].suite} (${formatPercent(suites[0].successRate)})`
      : 'Success rate per task';
  const groups = [...new Set([...rows].sort((a, b) => a.order - b.order).map((r) => r.group))];
  const x = {
    field: 'group',
    type: 'ordinal',
    sort: groups,
    title: 'Task',
    axis: { labelAngle: 0 },
  } as const;
  const color = { field: 'suite', type: 'nominal', title: 'Suite', scale: { scheme: 'tableau10' } } as const;
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: 'bars: success rate; whiskers: Wilson 95% interval' },
    width: Math.max(360, groups.length * suites.length * 26),
    height: 260,
    config: CONFIG,
    data: { values: rows },
    encoding: { x, xOffset: { field: 'suite', type: 'nominal' } },
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          color,
          y: {
            field: 'rate',
            type: 'quantitative',
            title: 'Success rate',
            scale: { domain: [0, 1] },
            axis: { format: '.0%' },
          },
          tooltip: [
            { field: 'suite', type: 'nominal' },
            { field: 'group', type: 'ordinal', title: 'task' },
            { field: 'label', type: 'nominal', title: 'successes' },
            { field: 'rate', type: 'quantitative', format: '.1%' },
          ],
        },
      },
      {
        // Dark whiskers (no colour channel), so they show over the bar they cross.
        mark: { type: 'rule', color: '#222', strokeWidth: 2 },
        encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Vega-Lite spec: CALVIN's success curve, the rate of chains that completed at least k subtasks
 * (k = 1..5) as a line with labelled points and Wilson 95% intervals; the average length in the title.
 */
export function chainCurveSpec(summary: ChainSummary): TopLevelSpec {
  if (summary.stepRates.length !== 5)
    throw new BenchError(
      `chainCurveSpec(${summary.suite}): expected 5 step rates, got ${summary.stepRates.length}`,
    );
  const rows = summary.stepRates.map((rate, i) => {
    checkRate(`chainCurveSpec(${summary.suite}): step ${i + 1}`, rate);
    const { low, high } = wilsonInterval(Math.round(rate * summary.chains), summary.chains);
    return { k: i + 1, rate, low, high, label: formatPercent(rate) };
  });
  const x = {
    field: 'k',
    type: 'ordinal',
    title: 'Subtasks completed in a row',
    axis: { labelAngle: 0 },
  } as const;
  const y = {
    field: 'rate',
    type: 'quantitative',
    title: 'Chains',
    scale: { domain: [0, 1] },
    axis: { format: '.0%' },
  } as const;
  return {
    $schema: SCHEMA,
    title: {
      text: `Chains: ${summary.suite} (n=${summary.chains}), Avg. Len. ${formatAvgLen(summary.avgLen)}`,
      subtitle: 'whiskers: Wilson 95% interval',
    },
    width: 420,
    height: 260,
    config: CONFIG,
    data: { values: rows },
    encoding: { x },
    layer: [
      {
        mark: { type: 'rule', color: '#999', strokeWidth: 1.5 },
        encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
      { mark: { type: 'line', point: { size: 80 }, strokeWidth: 3, tooltip: true }, encoding: { y } },
      {
        mark: { type: 'text', dy: -14, fontSize: 12 },
        encoding: { y: { field: 'rate', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}

/** One line of a training curve: a name and its (step, value) points. */
export interface CurveSeries {
  readonly name: string;
  readonly points: readonly { readonly step: number; readonly value: number }[];
}

/** Options of {@link trainingCurveSpec}. */
export interface TrainingCurveOptions {
  /** Default `Training loss`. */
  readonly title?: string;
  /** Default `loss`. */
  readonly yTitle?: string;
  /** Default `step`. */
  readonly xTitle?: string;
  /** Logarithmic y axis (every value must then be positive). Default false. */
  readonly logY?: boolean;
  /**
   * Every series name in colour order. Give several plots the same list and a name keeps its colour in each,
   * whichever series a plot has. Default: the series' own order.
   */
  readonly colorDomain?: readonly string[];
}

/**
 * Vega-Lite spec: training curves, loss (or any metric) over steps, one coloured line per series.
 *
 * @example
 * trainingCurveSpec([{ name: 'train', points: [{ step: 0, value: 2.3 }, { step: 100, value: 0.9 }] }]);
 */
export function trainingCurveSpec(
  series: readonly CurveSeries[],
  options: TrainingCurveOptions = {},
): TopLevelSpec {
  if (series.length === 0) throw new BenchError('trainingCurveSpec: no series to plot');
  const missing = series.find((s) => options.colorDomain && !options.colorDomain.includes(s.name));
  if (missing) throw new BenchError(`trainingCurveSpec: series ${missing.name} is not in colorDomain`);
  const rows: { series: string; step: number; value: number }[] = [];
  for (const s of series) {
    if (s.points.length === 0) throw new BenchError(`trainingCurveSpec: series ${s.name} has no points`);
    for (const [i, p] of s.points.entries()) {
      if (!Number.isFinite(p.step) || !Number.isFinite(p.value))
        throw new BenchError(`trainingCurveSpec: series ${s.name} point ${i}: step and value must be finite`);
      if (options.logY && p.value <= 0)
        throw new BenchError(`trainingCurveSpec: series ${s.name} point ${i}: logY needs values > 0`);
      rows.push({ series: s.name, step: p.step, value: p.value });
    }
  }
  return {
    $schema: SCHEMA,
    title: options.title ?? 'Training loss',
    width: 480,
    height: 260,
    config: CONFIG,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: options.xTitle ?? 'step' },
      y: {
        field: 'value',
        type: 'quantitative',
        title: options.yTitle ?? 'loss',
        scale: options.logY ? { type: 'log' } : { zero: false },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { scheme: 'tableau10', ...(options.colorDomain && { domain: [...options.colorDomain] }) },
        // The legend lists only the series drawn, not the whole domain.
        legend: { values: series.map((s) => s.name) },
      },
    },
  } as TopLevelSpec;
}
