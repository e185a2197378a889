import { describe, expect, it } from 'vitest';
import type { ActionChunkInput } from '../src/chunk.js';
import { toActionChunk, toRows } from '../src/chunk.js';
import { FastTokenizerError } from '../src/errors.js';

describe('toActionChunk', () => {
  it('flattens nested rows row-major and keeps the shape', () => {
    const c = toActionChunk([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(c.horizon).toBe(2);
    expect(c.dim).toBe(3);
    expect(Array.from(c.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toRows(c.data, 2, 3)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('accepts a flat chunk with its shape', () => {
    const c = toActionChunk({ data: new Float32Array([1, 2, 3, 4]), horizon: 2, dim: 2 });
    expect(c.horizon * c.dim).toBe(4);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a number', 3, /expected a \[T, D\] array/],
    ['null', null, /expected a \[T, D\] array.*null/],
    ['empty', [], /empty chunk: it has no time steps/],
    ['empty rows', [[]], /empty chunk: row 0 has no dimensions/],
    ['rank 1', [1, 2, 3], /expected rank 2.*row 0 is number/],
    ['ragged', [[1, 2], [3]], /ragged chunk: row 1 has 1 values, row 0 has 2/],
    ['a string value', [[1, '2']], /value at \[0, 1\] is string/],
    ['NaN', [[1], [Number.NaN]], /value at \[1, 0\] is NaN/],
    ['Infinity', [[Number.POSITIVE_INFINITY]], /value at \[0, 0\] is Infinity/],
    ['-Infinity', [[0, Number.NEGATIVE_INFINITY]], /value at \[0, 1\] is -Infinity/],
    ['bad shape', { data: [1, 2, 3], horizon: 2, dim: 2 }, /data has 3 values but shape \[2, 2\] needs 4/],
    ['zero dim', { data: [], horizon: 2, dim: 0 }, /positive integers/],
  ];

  it.each(bad)('rejects %s with an error naming the chunk', (_name, input, message) => {
    let error: unknown;
    try {
      toActionChunk(input as ActionChunkInput, 4);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FastTokenizerError);
    expect((error as FastTokenizerError).message).toMatch(/^chunk 4: /);
    expect((error as FastTokenizerError).message).toMatch(message);
    expect((error as FastTokenizerError).index).toBe(4);
  });
});
