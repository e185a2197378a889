import { describe, expect, it } from 'vitest';
import { addedTokenActionMapping, paligemmaActionMapping } from '../src/vocab-mapping.js';

describe('paligemmaActionMapping', () => {
  const m = paligemmaActionMapping(257152, 2048);

  it('counts down from the end of the vocabulary past 128 skipped tokens (openpi)', () => {
    expect(Array.from(m.toLm([0, 1, 2047]))).toEqual([257023, 257022, 254976]);
    expect(Array.from(m.fromLm([257023, 254976]))).toEqual([0, 2047]);
  });

  it('rejects ids outside the action range, naming the position', () => {
    expect(() => m.toLm([0, 2048])).toThrow(/position 1 is 2048/);
    expect(() => m.fromLm([5])).toThrow(/position 0/);
  });
});

describe('addedTokenActionMapping', () => {
  const m = addedTokenActionMapping({ baseVocabSize: 1000, fastVocabSize: 4 });

  it('puts the markers first, then one token per FAST id', () => {
    expect(m.startId).toBe(1000);
    expect(m.endId).toBe(1001);
    expect(m.addedTokens).toEqual([
      '<ACTION_START>',
      '<ACTION_END>',
      '<FAST_0>',
      '<FAST_1>',
      '<FAST_2>',
      '<FAST_3>',
    ]);
    expect(Array.from(m.wrap([3, 0]))).toEqual([1000, 1005, 1002, 1001]);
  });

  it('extracts the FAST ids between the markers', () => {
    expect(Array.from(m.extract([5, 1000, 1003, 1004, 1001, 7]) ?? [])).toEqual([1, 2]);
    expect(m.extract([1000, 1003])).toBeNull();
    expect(m.extract([1003, 1001])).toBeNull();
    expect(() => m.extract([1000, 5, 1001])).toThrow(/position 0/);
  });

  it('with allowUnterminated, keeps the prefix of a cut-off answer and stops at the first non-FAST id', () => {
    const open = { allowUnterminated: true };
    // FAST ids are 1002..1005 (fastVocabSize 4).
    expect(Array.from(m.extract([5, 1000, 1003, 1004], open) ?? [])).toEqual([1, 2]);
    expect(Array.from(m.extract([1000, 1003, 1001, 1004], open) ?? [])).toEqual([1]);
    expect(Array.from(m.extract([1000, 1005, 5, 1002], open) ?? [])).toEqual([3]);
    expect(Array.from(m.extract([1000, 1006], open) ?? [])).toEqual([]);
    expect(m.extract([1003, 1004], open)).toBeNull();
    expect([999, 1000, 1001, 1002, 1005, 1006].map((id) => m.isFastId(id))).toEqual([
      false,
      false,
      false,
      true,
      true,
      false,
    ]);
  });
});
