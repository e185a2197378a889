import { describe, expect, it } from 'vitest';
import {
  combineRewards,
  editSimilarityFunction,
  exactMatchFunction,
  formatRewardFunction,
  prefixSimilarityFunction,
  type RewardArgs,
  roboalignRewardFunction,
} from '../src/batch.js';

const answer = (ids: number[]) =>
  `<think>plan</think><answer><ACTION_START>${ids.map((i) => `<FAST_${i}>`).join('')}<ACTION_END></answer>`;

const args: RewardArgs = {
  prompts: ['pick the red block', 'pick the red block', 'open the drawer'],
  completions: [answer([1, 2, 3, 4]), answer([1, 2, 9, 9]), 'no format at all'],
  columns: {
    target_ids: [
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [7, 7],
    ],
  },
};

describe('batch reward functions', () => {
  it('score one number per completion', () => {
    expect(formatRewardFunction()(args)).toEqual([1, 1, 0]);
    expect(prefixSimilarityFunction()(args)).toEqual([1, 0.5, 0]);
    expect(exactMatchFunction()(args)).toEqual([1, 0, 0]);
    expect(editSimilarityFunction()(args)).toEqual([1, 0.5, 0]);
    expect(roboalignRewardFunction()(args)).toEqual([1, 0.75, 0]);
  });

  it('read ids from completionIds with markers', () => {
    const fn = prefixSimilarityFunction({ idMarkers: { start: 50, end: 51 } });
    expect(fn({ ...args, completionIds: [[50, 1, 2, 51], [50, 51], [1]] })).toEqual([0.5, 0, 0]);
  });

  it('combine with weights and report components', () => {
    const reward = combineRewards([
      { name: 'format', fn: formatRewardFunction(), weight: 0.5 },
      { name: 'accuracy', fn: prefixSimilarityFunction(), weight: 0.5 },
    ]);
    expect(reward(args)).toEqual(roboalignRewardFunction()(args));
    const { components } = reward.details(args);
    expect(components).toEqual({ format: [1, 1, 0], accuracy: [1, 0.5, 0] });
  });

  it('name the function, the sample and the problem on bad input', () => {
    expect(() => prefixSimilarityFunction()({ ...args, prompts: ['one'] })).toThrow(
      /prefixSimilarity: prompts has 1 entries but there are 3 completions/,
    );
    expect(() => prefixSimilarityFunction()({ ...args, columns: {} })).toThrow(
      /prefixSimilarity: missing column "target_ids"/,
    );
    expect(() => prefixSimilarityFunction()({ ...args, columns: { target_ids: [[1], [1.5], [1]] } })).toThrow(
      /column "target_ids" of sample 1: id at position 0 is 1.5/,
    );
    expect(() => prefixSimilarityFunction()({ ...args, columns: { target_ids: [[1], [], [1]] } })).toThrow(
      /prefixSimilarity: sample 1: target ids are empty/,
    );
    const nan = combineRewards([{ name: 'broken', fn: () => [1, Number.NaN, 0] }]);
    expect(() => nan(args)).toThrow(/"broken" gave NaN for sample 1/);
    expect(() => combineRewards([{ name: 'short', fn: () => [1] }])(args)).toThrow(
      /returned 1 rewards for 3/,
    );
    expect(() => combineRewards([])).toThrow(/at least one/);
  });
});
