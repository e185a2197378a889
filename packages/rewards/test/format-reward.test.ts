import { describe, expect, it } from 'vitest';
import { formatReward } from '../src/format-reward.js';

describe('formatReward (R1-V / EasyR1 rule)', () => {
  const table: Array<[string, number]> = [
    ['<think>reach</think><answer>a</answer>', 1],
    ['<think>reach</think>\n\n  <answer>a</answer>', 1],
    ['<think>multi\nline</think><answer>x\ny</answer>', 1], // DOTALL
    ['<think></think><answer></answer>', 1],
    // fullmatch with lazy groups still matches when the answer contains the closing tag
    ['<think>a</think><answer>b</answer>c</answer>', 1],
    ['<think>a</think><answer>b</answer>\n', 0], // trailing text, even white space
    [' <think>a</think><answer>b</answer>', 0], // leading text
    ['<answer>b</answer>', 0],
    ['<think>a</think>', 0],
    ['<think>a</think>text<answer>b</answer>', 0],
    ['<answer>b</answer><think>a</think>', 0],
    ['', 0],
    // Python's \s includes U+001F and not U+FEFF (JS differs on both)
    ['<think>a</think>\u001f<answer>b</answer>', 1],
    ['<think>a</think>\ufeff<answer>b</answer>', 0],
    ['<think>a</think>\u3000<answer>b</answer>', 1],
  ];
  it.each(table)('%j scores %i', (completion, want) => {
    expect(formatReward(completion)).toBe(want);
  });

  it('takes other tag names', () => {
    const template = {
      thinkOpen: '<reason>',
      thinkClose: '</reason>',
      answerOpen: '[A]',
      answerClose: '[/A]',
    };
    expect(formatReward('<reason>r</reason> [A]x[/A]', template)).toBe(1);
    expect(formatReward('<think>r</think><answer>x</answer>', template)).toBe(0);
  });
});
