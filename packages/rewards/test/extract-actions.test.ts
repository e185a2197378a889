import { describe, expect, it } from 'vitest';
import { extractActionIds, extractActionIdsFromText } from '../src/extract-actions.js';

const ids = (x: Int32Array | null) => (x === null ? null : Array.from(x));

describe('extractActionIds (token ids)', () => {
  const markers = { start: 100, end: 101 };
  it('takes the ids between the first start marker and the next end marker', () => {
    expect(ids(extractActionIds([7, 100, 5, 9, 101, 8, 100, 3, 101], markers))).toEqual([5, 9]);
    expect(ids(extractActionIds([100, 101], markers))).toEqual([]);
  });
  it('returns null when a marker is missing', () => {
    expect(extractActionIds([5, 9, 101], markers)).toBeNull();
    expect(extractActionIds([100, 5, 9], markers)).toBeNull();
    expect(extractActionIds([101, 100, 5], markers)).toBeNull();
  });
  it('rejects non-integer ids', () => {
    expect(() => extractActionIds([100, 1.5, 101], markers)).toThrow(/position 1 is 1.5/);
  });
});

describe('extractActionIdsFromText', () => {
  const answer = (inner: string) => `<think>go</think><answer>${inner}</answer>`;
  const table: Array<[string, string, number[] | null]> = [
    ['action tokens', answer('<ACTION_START><FAST_12><FAST_7><ACTION_END>'), [12, 7]],
    ['action tokens with spaces', answer('<ACTION_START> <FAST_12> <FAST_7>\n<ACTION_END>'), [12, 7]],
    ['integers', answer('<ACTION_START>12 7 3<ACTION_END>'), [12, 7, 3]],
    ['comma separated integers', answer('<ACTION_START>12, 7,3<ACTION_END>'), [12, 7, 3]],
    ['empty action', answer('<ACTION_START><ACTION_END>'), []],
    ['text before the markers', answer('moving left <ACTION_START><FAST_1><ACTION_END>'), [1]],
    ['no answer block', '<think>x</think><ACTION_START><FAST_1><ACTION_END>', null],
    ['no end marker', answer('<ACTION_START><FAST_1>'), null],
    ['junk between tokens', answer('<ACTION_START><FAST_1> and <FAST_2><ACTION_END>'), null],
    ['junk among integers', answer('<ACTION_START>1 two 3<ACTION_END>'), null],
    ['negative numbers', answer('<ACTION_START>-1 2<ACTION_END>'), null],
    // markers inside the reasoning do not count: the first answer block is what is scored
    [
      'markers in the reasoning',
      '<think><ACTION_START><FAST_9><ACTION_END></think><answer>none</answer>',
      null,
    ],
  ];
  it.each(table)('%s', (_name, text, want) => {
    expect(ids(extractActionIdsFromText(text))).toEqual(want);
  });

  it('takes other markers, token patterns, and can search the whole completion', () => {
    expect(() => extractActionIdsFromText('x', { startMarker: '' })).toThrow(/markers must be non-empty/);
    expect(
      ids(
        extractActionIdsFromText('<act>[[a:3]][[a:4]]</act>', {
          requireAnswer: false,
          startMarker: '<act>',
          endMarker: '</act>',
          tokenPattern: /\[\[a:(\d+)\]\]/,
        }),
      ),
    ).toEqual([3, 4]);
  });
});
