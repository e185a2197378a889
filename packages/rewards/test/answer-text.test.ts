import { describe, expect, it } from 'vitest';
import { answerText, textBetween } from '../src/answer-text.js';

describe('answerText', () => {
  const table: Array<[string, string, string]> = [
    ['answer block', '<think>x</think><answer>lift</answer>', 'lift'],
    ['first of two blocks', '<answer>a</answer><answer>b</answer>', 'a'],
    ['no answer block: the whole completion', 'lift the red block', 'lift the red block'],
    ['opening tag only: the whole completion', '<answer>lift', '<answer>lift'],
    ['empty block', '<answer></answer>', ''],
  ];
  it.each(table)('%s', (_name, completion, want) => {
    expect(answerText(completion)).toBe(want);
  });

  it('takes other tags', () => {
    const template = { thinkOpen: '<r>', thinkClose: '</r>', answerOpen: '[A]', answerClose: '[/A]' };
    expect(answerText('<answer>no</answer>[A]yes[/A]', template)).toBe('yes');
    expect(textBetween('a<b>c</b>', '<b>', '</b>')).toBe('c');
    expect(textBetween('a</b><b>c', '<b>', '</b>')).toBeNull();
  });
});
