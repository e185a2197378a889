import { reportHtml } from './html-report.js';
import { chainCurveSvg, suiteSuccessSvg } from './plot.js';
import type { BenchmarkReport } from './results.js';

/**
 * The evaluation report page for `report` (see {@link reportHtml}), with its charts rendered: per-task
 * success bars for episode suites, the chain-step curve for chains.
 *
 * @example
 * const report = await evaluate('expert', 'libero-goal', { trials: 2, videos: 'sample' });
 * await writeFile('index.html', await reportPage(report));
 */
export async function reportPage(report: BenchmarkReport): Promise<string> {
  const charts =
    report.kind === 'chains'
      ? [
          {
            caption: 'Chains that completed at least k subtasks in a row',
            svg: await chainCurveSvg(report.chains),
          },
        ]
      : [{ caption: 'Success rate per task', svg: await suiteSuccessSvg(report.suites) }];
  return reportHtml(report, charts);
}
