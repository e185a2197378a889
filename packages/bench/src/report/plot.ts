import { writeFileAtomic } from '@roboalign/utils';
import {
  type CurveSeries,
  chainCurveSpec,
  suiteSuccessSpec,
  type TrainingCurveOptions,
  trainingCurveSpec,
} from './chart-specs.js';
import { chartSvg, svgToPng } from './render-chart.js';
import type { ChainSummary, SuiteSummary } from './results.js';

// PNGs are drawn at twice the SVG size, so they stay sharp in a README or on a high-density screen.
const PNG_SCALE = 2;

/** SVG of {@link plotSuiteSuccess}: per-task success bars with Wilson 95% intervals, one colour per suite. */
export function suiteSuccessSvg(suites: readonly SuiteSummary[]): Promise<string> {
  return chartSvg(suiteSuccessSpec(suites));
}

/** SVG of {@link plotChainCurve}: the rate of chains with at least k subtasks done, k = 1..5. */
export function chainCurveSvg(summary: ChainSummary): Promise<string> {
  return chartSvg(chainCurveSpec(summary));
}

/** SVG of {@link plotTrainingCurve}: loss (or any metric) over steps, one line per series. */
export function trainingCurveSvg(
  series: readonly CurveSeries[],
  options: TrainingCurveOptions = {},
): Promise<string> {
  return chartSvg(trainingCurveSpec(series, options));
}

/**
 * A grouped bar chart of per-task success rates: one group per task index and a final `All` group,
 * one bar per suite, Wilson 95% intervals as whiskers. Returns PNG bytes.
 */
export async function plotSuiteSuccess(suites: readonly SuiteSummary[]): Promise<Uint8Array> {
  return svgToPng(await suiteSuccessSvg(suites), PNG_SCALE);
}

/**
 * CALVIN-style success curve: the rate of chains that completed at least k subtasks (k = 1..5), with
 * labelled points, Wilson 95% intervals and the average length in the title. Returns PNG bytes.
 */
export async function plotChainCurve(summary: ChainSummary): Promise<Uint8Array> {
  return svgToPng(await chainCurveSvg(summary), PNG_SCALE);
}

/**
 * Training curves (loss over steps, several series) as PNG bytes, for examples that train.
 *
 * @example
 * await writePlot('loss.png', await plotTrainingCurve([{ name: 'train', points }], { logY: true }));
 */
export async function plotTrainingCurve(
  series: readonly CurveSeries[],
  options: TrainingCurveOptions = {},
): Promise<Uint8Array> {
  return svgToPng(await trainingCurveSvg(series, options), PNG_SCALE);
}

/** Writes PNG bytes to `path` atomically (temporary file, then rename), creating parent folders. */
export async function writePlot(path: string, png: Uint8Array): Promise<void> {
  await writeFileAtomic(path, png);
}
