// The FAST answer metrics on hand-computed cases.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadFastTokenizer } from '@roboalign/fast-tokenizer';
import { actionDistance } from '@roboalign/rewards';
import { describe, expect, it } from 'vitest';
import {
  constantBaseline,
  meanChunk,
  paddedFastDecoder,
  scoreFastAnswers,
} from '../../src/pipeline/fast-metrics.js';

const fastPlus = fileURLToPath(new URL('../../../../../shared/fast-plus', import.meta.url));

describe('constantBaseline', () => {
  it('picks the training answer with the best mean prefix similarity and scores it on held-out targets', () => {
    // [1,2,3] scores (1 + 2/3 + 0) / 3 = 5/9 on training, [1,2,4] ties at 5/9 (the first is kept), [5] 1/3.
    const result = constantBaseline(
      [[1, 2, 3], [1, 2, 4], [5]],
      [
        [1, 2],
        [1, 9, 9, 9],
      ],
    );
    expect(result.answer).toEqual([1, 2, 3]);
    expect(result.train).toBeCloseTo(5 / 9, 12);
    // Held out: 2/2 and 1/4.
    expect(result.heldOut).toBeCloseTo(5 / 8, 12);
  });

  it('refuses empty target sets', () => {
    expect(() => constantBaseline([], [[1]])).toThrow(/needs training and held-out targets/);
  });
});

describe.skipIf(!existsSync(fastPlus))('scoreFastAnswers (../shared/fast-plus)', () => {
  it('scores exact, cut-off and missing answers against the targets and the mean chunk', async () => {
    const fast = await loadFastTokenizer(fastPlus);
    const shape = { horizon: 10, dim: 7 };
    const chunk = (k: number) =>
      Array.from({ length: 10 }, (_, t) =>
        Array.from({ length: 7 }, (_, d) => 0.4 * Math.cos(0.2 * t + d * k)),
      );
    const targets = [1, 2, 3].map((k) => Array.from(fast.encode(chunk(k))));
    const mean = meanChunk(fast, targets, shape);
    const decoded = targets.map((t) => fast.decode([t], shape).actions[0]);
    decoded[0].forEach((_, i) => {
      expect(mean[i]).toBeCloseTo((decoded[0][i] + decoded[1][i] + decoded[2][i]) / 3, 12);
    });
    // Answer 0 exact, answer 1 is answer 0 (decodes, wrong), answer 2 has no action ids; then answer 0 cut
    // to its first id, which decodes only padded.
    const answers = [Int32Array.from(targets[0]), Int32Array.from(targets[0]), null];
    const scores = scoreFastAnswers(answers, targets, fast, shape, mean);
    const mae = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Array.from(b).reduce((s, v, i) => s + Math.abs(a[i] - v), 0) / b.length;
    const shared = commonPrefix(targets[0], targets[1]) / targets[1].length;
    expect(scores.prefixSimilarity).toBeCloseTo((1 + shared + 0) / 3, 12);
    expect(scores.decodeRate).toBeCloseTo(2 / 3, 12);
    expect(scores.actionMae).toBeCloseTo((0 + mae(decoded[0], decoded[1])) / 2, 12);
    expect(scores.meanChunkMae).toBeCloseTo((mae(mean, decoded[0]) + mae(mean, decoded[1])) / 2, 12);
    expect(scores.distinctAnswers).toBeCloseTo(2 / 3, 12);

    const cut = Int32Array.from(targets[0].slice(0, 1));
    const padded = fast.decode([cut], { ...shape, onError: 'pad' });
    expect(padded.ok[0]).toBe(false);
    const single = scoreFastAnswers([cut], [targets[0]], fast, shape, mean);
    expect(single.decodeRate).toBe(0);
    expect(single.actionMae).toBeCloseTo(mae(padded.actions[0], decoded[0]), 12);
    expect(single.actionMae).toBeGreaterThan(0);

    // GRPO's action-distance accuracy reads the same error as the evaluation, the cut answer included.
    const decode = paddedFastDecoder(fast, shape);
    expect(actionDistance(cut, targets[0], { decode })).toBeCloseTo(single.actionMae, 12);
    expect(actionDistance(answers[1]!, targets[1], { decode })).toBeCloseTo(
      scores.perPrompt.actionMae[1]!,
      12,
    );
    expect(actionDistance([], targets[0], { decode })).toBeNull();
  });
});

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
