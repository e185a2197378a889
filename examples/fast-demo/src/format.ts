import type { DemoReport, TokenizerReport } from './demo.js';

const f = (x: number, digits = 4) => x.toFixed(digits);

/** The demo's findings as a Markdown report. */
export function formatReport(report: DemoReport, tokenizers: readonly TokenizerReport[]): string {
  const { options } = report;
  const lines = [
    `# FAST on ${options.episodes} synthetic 7-D episodes (${options.hz} Hz, ${options.horizon}-step chunks = ${
      options.horizon / options.hz
    } s)`,
    '',
    `Fitted on ${report.trainChunks} chunks in ${f(report.fitSeconds, 1)} s (scale ${options.scale}, vocab ${
      options.vocabSize
    }, min_token ${report.tokenizer.config.minToken}); evaluated on ${report.heldOut.raw.length} held-out chunks.`,
    '',
    '| tokenizer | tokens / chunk (mean) | max | vs naive binning | RMSE (normalized) | max abs error (normalized) | position RMSE (mm) | rotation RMSE (mrad) | decode failures |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of tokenizers) {
    lines.push(
      `| ${r.name} | ${f(r.meanTokens, 1)} | ${r.maxTokens} | ${f(r.naiveTokens / r.meanTokens, 2)}× fewer | ${f(
        r.rmseNormalized,
      )} | ${f(r.maxAbsErrorNormalized)} | ${f(r.rmsePositionMm, 3)} | ${f(r.rmseRotationMrad, 3)} | ${r.decodeFailures} |`,
    );
  }
  const n = report.naive;
  lines.push(
    `| naive 256-bin per value | ${n.naiveTokens} | ${n.naiveTokens} | 1× | ${f(n.rmseNormalized)} | ${f(
      n.maxAbsErrorNormalized,
    )} | ${f(n.rmsePositionMm, 3)} | ${f(n.rmseRotationMrad, 3)} | 0 |`,
  );
  return lines.join('\n');
}
