export {
  CHART_FONT,
  type CurveSeries,
  chainCurveSpec,
  suiteSuccessSpec,
  type TrainingCurveOptions,
  trainingCurveSpec,
} from './chart-specs.js';
export { escapeHtml, type PageChart, reportHtml } from './html-report.js';
export { cpuFlagsOf, describeMachine, type MachineInfo } from './machine.js';
export { chainsMarkdown, episodesMarkdown, formatAvgLen, formatPercent } from './markdown.js';
export {
  type McNemarPowerOptions,
  type McNemarResult,
  mcnemarExact,
  mcnemarPower,
  newcombePairedInterval,
  type PairedDifference,
  pairedBootstrapDifference,
  pairedSuccessDifference,
} from './paired.js';
export {
  chainCurveSvg,
  plotChainCurve,
  plotSuiteSuccess,
  plotTrainingCurve,
  suiteSuccessSvg,
  trainingCurveSvg,
  writePlot,
} from './plot.js';
export { chartSvg, svgToPng } from './render-chart.js';
export { reportPage } from './report-page.js';
export {
  type BenchmarkReport,
  CHAIN_LENGTH,
  type ChainResult,
  type ChainSummary,
  type ChainsReport,
  chainsReport,
  type EpisodeResult,
  type EpisodesReport,
  episodesReport,
  type ReportMeta,
  type RunSettings,
  type ShardRun,
  type SuiteSummary,
  summarizeChains,
  summarizeEpisodes,
  type TaskSummary,
  toJson,
} from './results.js';
export { type AnimationOptions, encodeAnimatedWebp, type RolloutVideo } from './rollout-video.js';
export { percentileInterval95, type RateInterval, wilsonInterval, Z_95 } from './stats.js';
export { softwareVersions } from './versions.js';
