import { describe, expect, it } from 'vitest';
import {
  type ChainResult,
  chainsMarkdown,
  episodesMarkdown,
  formatAvgLen,
  formatPercent,
  summarizeChains,
  summarizeEpisodes,
} from '../../src/report/index.js';
import { EPISODES } from './fixtures.js';

describe('formatting', () => {
  it('rounds percentages to one decimal and lengths to two, ties up', () => {
    expect(formatPercent(0.938)).toBe('93.8%');
    expect(formatPercent(2 / 3)).toBe('66.7%');
    expect(formatPercent(1 / 3)).toBe('33.3%');
    expect(formatPercent(0.8125)).toBe('81.3%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatAvgLen(4.09)).toBe('4.09');
    expect(formatAvgLen(2.675)).toBe('2.68');
    expect(formatAvgLen(11 / 5)).toBe('2.20');
  });
});

describe('episodesMarkdown', () => {
  it('writes one table per suite and an overall table', () => {
    const expected = [
      '### libero_spatial',
      '',
      '| Task | Instruction | Successes | Rate |',
      '| ---: | :--- | ---: | ---: |',
      '| 0 | pick up the black bowl | 2/2 | 100.0% |',
      '| 1 | put the bowl on the plate | 2/3 | 66.7% |',
      '',
      '### libero_goal',
      '',
      '| Task | Instruction | Successes | Rate |',
      '| ---: | :--- | ---: | ---: |',
      '| 0 | open the drawer \\| carefully | 1/4 | 25.0% |',
      '',
      '### Overall',
      '',
      '| Suite | Successes | Rate |',
      '| :--- | ---: | ---: |',
      '| libero_spatial | 4/5 | 80.0% |',
      '| libero_goal | 1/4 | 25.0% |',
      '| **All** | 5/9 | 55.6% |',
      '',
    ].join('\n');
    expect(episodesMarkdown(summarizeEpisodes(EPISODES))).toBe(expected);
  });

  it('omits the All row for a single suite and flattens line breaks', () => {
    const one = summarizeEpisodes([
      {
        suite: 's',
        taskIndex: 3,
        taskName: 't',
        instruction: 'a\nb',
        trial: 0,
        seed: 0,
        success: false,
        steps: 1,
      },
    ]);
    expect(episodesMarkdown(one)).toBe(
      [
        '### s',
        '',
        '| Task | Instruction | Successes | Rate |',
        '| ---: | :--- | ---: | ---: |',
        '| 3 | a b | 0/1 | 0.0% |',
        '',
        '### Overall',
        '',
        '| Suite | Successes | Rate |',
        '| :--- | ---: | ---: |',
        '| s | 0/1 | 0.0% |',
        '',
      ].join('\n'),
    );
  });
});

describe('chainsMarkdown', () => {
  it('writes the CALVIN table for chains [5,3,0,1,2]', () => {
    const results: ChainResult[] = [5, 3, 0, 1, 2].map((completed, chain) => ({
      chain,
      seed: chain,
      tasks: ['a', 'b', 'c', 'd', 'e'],
      completed,
    }));
    expect(chainsMarkdown(summarizeChains('calvin_d', results))).toBe(
      [
        '| Chains | 1/5 | 2/5 | 3/5 | 4/5 | 5/5 | Avg. Len. |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| 5 | 80.0% | 60.0% | 40.0% | 20.0% | 20.0% | 2.20 |',
        '',
      ].join('\n'),
    );
  });

  it('formats a 1000-chain row the way CALVIN tables do (93.8% … 3.78)', () => {
    const md = chainsMarkdown({
      suite: 'calvin_d',
      chains: 1000,
      stepRates: [0.938, 0.853, 0.77, 0.694, 0.526],
      avgLen: 3.78,
    });
    expect(md.split('\n')[2]).toBe('| 1000 | 93.8% | 85.3% | 77.0% | 69.4% | 52.6% | 3.78 |');
  });
});
