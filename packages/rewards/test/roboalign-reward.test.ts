import { describe, expect, it } from 'vitest';
import { actionDistance, actionDistanceReward } from '../src/action-space-reward.js';
import { roboalignReward, roboalignRewardParts } from '../src/roboalign-reward.js';

const completion = (inner: string) =>
  `<think>the bowl is left</think>\n<answer><ACTION_START>${inner}<ACTION_END></answer>`;

describe('roboalignReward', () => {
  const target = [4, 8, 15, 16];
  const table: Array<[string, string, number]> = [
    ['perfect', completion('<FAST_4><FAST_8><FAST_15><FAST_16>'), 1],
    ['format right, half the prefix', completion('<FAST_4><FAST_8><FAST_1><FAST_16>'), (1 + 0.5) / 2],
    ['format right, first id wrong', completion('<FAST_5><FAST_8><FAST_15><FAST_16>'), 0.5],
    [
      'no reasoning, perfect actions',
      '<answer><ACTION_START><FAST_4><FAST_8><FAST_15><FAST_16><ACTION_END></answer>',
      0.5,
    ],
    ['format right, unparsable answer', '<think>x</think><answer>move left</answer>', 0.5],
    ['nothing right', 'move left', 0],
  ];
  it.each(table)('%s', (_name, text, want) => {
    expect(roboalignReward(text, target)).toBeCloseTo(want, 15);
  });

  it('reports its parts and takes other weights', () => {
    const parts = roboalignRewardParts(completion('<FAST_4><FAST_9>'), target);
    expect(parts).toMatchObject({ format: 1, accuracy: 0.25, reward: 0.625 });
    expect(Array.from(parts.actionIds ?? [])).toEqual([4, 9]);
    expect(
      roboalignReward(completion('<FAST_4><FAST_9>'), target, { weights: { format: 0.2, accuracy: 0.8 } }),
    ).toBeCloseTo(0.2 + 0.8 * 0.25, 15);
  });

  it('reads action ids from completion token ids when given markers', () => {
    const r = roboalignRewardParts('<think>x</think><answer>…</answer>', target, {
      completionIds: [1, 2, 900, 4, 8, 15, 901, 3],
      idMarkers: { start: 900, end: 901 },
    });
    expect(r.accuracy).toBe(0.75);
  });

  it('takes action ids the caller already read, before ids and text', () => {
    const text = completion('<FAST_4><FAST_8><FAST_15><FAST_16>');
    const given = roboalignRewardParts(text, target, {
      actionIds: [4, 8, 0],
      completionIds: [900, 4, 8, 15, 16, 901],
      idMarkers: { start: 900, end: 901 },
    });
    expect(given.accuracy).toBe(0.5);
    expect(Array.from(given.actionIds!)).toEqual([4, 8, 0]);
    const none = roboalignRewardParts(text, target, { actionIds: null });
    expect(none.accuracy).toBe(0);
    expect(none.reward).toBe(0.5);
  });

  it('throws on an empty target', () => {
    expect(() => roboalignReward(completion('<FAST_1>'), [])).toThrow(/target ids are empty/);
  });
});

describe('actionDistanceReward', () => {
  // A toy decoder: id i decodes to the action value i / 10; sequences must have 3 ids.
  const decode = (ids: ArrayLike<number>) =>
    ids.length === 3
      ? { actions: Array.from(ids, (i) => i / 10), ok: true }
      : { actions: [0, 0, 0], ok: false };

  it('scores exp(-distance / temperature) with L1 or L2 distances', () => {
    expect(actionDistance([1, 2, 3], [1, 2, 5], { decode })).toBeCloseTo(0.2 / 3, 15);
    expect(actionDistance([1, 2, 3], [1, 2, 5], { decode, metric: 'l2' })).toBeCloseTo(
      Math.sqrt(0.04 / 3),
      15,
    );
    expect(actionDistanceReward([1, 2, 3], [1, 2, 3], { decode })).toBe(1);
    expect(actionDistanceReward([1, 2, 3], [1, 2, 5], { decode, temperature: 0.1 })).toBeCloseTo(
      Math.exp(-2 / 3),
      15,
    );
  });

  it('gives near misses partial credit where prefix similarity gives none', () => {
    const near = actionDistanceReward([2, 2, 3], [1, 2, 3], { decode });
    const far = actionDistanceReward([9, 2, 3], [1, 2, 3], { decode });
    expect(near).toBeGreaterThan(far);
    expect(far).toBeGreaterThan(0);
  });

  it('scores 0 when the generation does not decode, and throws when the target does not', () => {
    expect(actionDistanceReward([1, 2], [1, 2, 3], { decode })).toBe(0);
    expect(() => actionDistanceReward([1, 2, 3], [1, 2], { decode })).toThrow(/target ids do not decode/);
    expect(() => actionDistanceReward([1, 2, 3], [1, 2, 3], { decode, temperature: 0 })).toThrow(
      /temperature/,
    );
  });
});
