import { BenchError } from '../errors.js';
import type { ChainSummary, SuiteSummary } from './results.js';

/**
 * A rate in [0, 1] as a percentage with one decimal, e.g. `0.938` → `93.8%`.
 * The tiny offset makes ties such as 0.8125 round up even when the float product lands just below.
 */
export function formatPercent(rate: number): string {
  return `${(Math.round(rate * 1000 + 1e-9) / 10).toFixed(1)}%`;
}

/** An average chain length with two decimals, e.g. `4.09`. */
export function formatAvgLen(avgLen: number): string {
  return (Math.round(avgLen * 100 + 1e-9) / 100).toFixed(2);
}

/** Makes text safe inside one Markdown table cell: no line breaks, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\|/g, '\\|');
}

function table(header: string[], align: ('left' | 'right')[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = align.map((a) => (a === 'left' ? ':---' : '---:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

/**
 * One table per suite (task number, instruction, successes/trials, rate) under a `### <suite>` heading,
 * then an `### Overall` table with each suite's rate and, for more than one suite, a pooled `All` row.
 */
export function episodesMarkdown(suites: readonly SuiteSummary[]): string {
  if (suites.length === 0) throw new BenchError('episodesMarkdown: no suites to tabulate');
  const parts: string[] = [];
  for (const s of suites) {
    const rows = s.tasks.map((t) => [
      String(t.taskIndex),
      cell(t.instruction),
      `${t.successes}/${t.trials}`,
      formatPercent(t.successRate),
    ]);
    parts.push(
      `### ${cell(s.suite)}\n\n${table(['Task', 'Instruction', 'Successes', 'Rate'], ['right', 'left', 'right', 'right'], rows)}`,
    );
  }
  const overall = suites.map((s) => [
    cell(s.suite),
    `${s.successes}/${s.trials}`,
    formatPercent(s.successRate),
  ]);
  if (suites.length > 1) {
    const successes = suites.reduce((n, s) => n + s.successes, 0);
    const trials = suites.reduce((n, s) => n + s.trials, 0);
    overall.push(['**All**', `${successes}/${trials}`, formatPercent(successes / trials)]);
  }
  parts.push(`### Overall\n\n${table(['Suite', 'Successes', 'Rate'], ['left', 'right', 'right'], overall)}`);
  return `${parts.join('\n\n')}\n`;
}

/**
 * CALVIN's results table: the number of chains, the rate of chains that completed at least
 * 1..5 subtasks in a row (percent, one decimal) and the average length (two decimals).
 */
export function chainsMarkdown(summary: ChainSummary): string {
  if (summary.stepRates.length !== 5)
    throw new BenchError(
      `chainsMarkdown(${summary.suite}): expected 5 step rates, got ${summary.stepRates.length}`,
    );
  const header = ['Chains', '1/5', '2/5', '3/5', '4/5', '5/5', 'Avg. Len.'];
  const row = [String(summary.chains), ...summary.stepRates.map(formatPercent), formatAvgLen(summary.avgLen)];
  return `${table(header, new Array(header.length).fill('right'), [row])}\n`;
}
