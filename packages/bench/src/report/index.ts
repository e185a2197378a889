export { type Canvas, createCanvas, drawLine, fillDisc, fillRect, getPixel, type Rgb } from './canvas.js';
export {
  drawText,
  GLYPH_ADVANCE,
  GLYPH_DESCENT,
  GLYPH_HEIGHT,
  GLYPH_WIDTH,
  glyphRows,
  textHeight,
  textWidth,
} from './font.js';
export { describeMachine, type MachineInfo } from './machine.js';
export { chainsMarkdown, episodesMarkdown, formatAvgLen, formatPercent } from './markdown.js';
export {
  type ChainPlotLayout,
  chainPlotLayout,
  PLOT_COLORS,
  plotChainCurve,
  plotSuiteSuccess,
  type SuitePlotLayout,
  suitePlotLayout,
  writePlot,
} from './plot.js';
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
  type SuiteSummary,
  summarizeChains,
  summarizeEpisodes,
  type TaskSummary,
  toJson,
} from './results.js';
