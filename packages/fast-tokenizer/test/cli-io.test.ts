import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatRows } from '../src/cli/format-numbers.js';
import { type RawLine, readLineBatches } from '../src/cli/json-lines.js';
import { mulberry32 } from './helpers/random.js';

async function lines(pieces: string[]): Promise<RawLine[]> {
  const input = new PassThrough();
  for (const piece of pieces) input.write(piece);
  input.end();
  const out: RawLine[] = [];
  for await (const batch of readLineBatches(input)) out.push(...batch);
  return out;
}

describe('readLineBatches', () => {
  it('splits on \\n and \\r\\n across read boundaries, numbering lines from 1', async () => {
    const got = await lines(['ab', 'c\r\nd', 'e\n\nf', 'g\r', '\nlast']);
    expect(got).toEqual([
      { line: 1, text: 'abc' },
      { line: 2, text: 'de' },
      { line: 3, text: '' },
      { line: 4, text: 'fg' },
      { line: 5, text: 'last' },
    ]);
    expect(await lines(['one\n'])).toEqual([{ line: 1, text: 'one' }]);
    expect(await lines([])).toEqual([]);
  });
});

describe('formatRows', () => {
  it('writes numbers exactly as JSON.stringify does, grouped in rows', () => {
    const rand = mulberry32(3);
    const values = Float64Array.from({ length: 6 * 5 }, (_, i) =>
      i % 7 === 0 ? -0 : (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20),
    );
    const rows = Array.from({ length: 6 }, (_, t) => Array.from(values.subarray(t * 5, t * 5 + 5)));
    expect(formatRows(values, 6, 5)).toBe(JSON.stringify(rows));
    expect(formatRows([7], 1, 1)).toBe('[[7]]');
    expect(formatRows([1, 2, 3], 3, 1)).toBe('[[1],[2],[3]]');
    expect(formatRows([1, 2, 3], 1, 3)).toBe('[[1,2,3]]');
  });

  it('rounds half away from zero to N decimals and drops trailing zeros', () => {
    expect(formatRows([0.12345, -0.12355, 2.5, -2.5, 1e-9, -1e-9, 3, 1234.5678], 2, 4, 3)).toBe(
      '[[0.123,-0.124,2.5,-2.5],[0,0,3,1234.568]]',
    );
    expect(formatRows([0.5, -0.5, 1.49], 1, 3, 0)).toBe('[[1,-1,1]]');
    expect(formatRows([0.001, 0.0105], 1, 2, 4)).toBe('[[0.001,0.0105]]');
    const rand = mulberry32(5);
    for (let i = 0; i < 2000; i++) {
      const x = (rand() - 0.5) * 10 ** Math.floor(rand() * 6 - 3);
      const got = Number(JSON.parse(formatRows([x], 1, 1, 6))[0][0]);
      expect(Math.abs(got - x)).toBeLessThanOrEqual(5e-7 + 1e-15);
    }
  });
});
