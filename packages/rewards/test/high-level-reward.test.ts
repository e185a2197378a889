import { describe, expect, it } from 'vitest';
import { highLevelRewardFunction, type RewardArgs } from '../src/batch.js';
import {
  highLevelAccuracy,
  highLevelReward,
  highLevelRewardParts,
  normalizePhrase,
  phraseVerb,
} from '../src/high-level-reward.js';

const answer = (phrase: string) => `<think>the block is in the gripper</think>\n<answer>${phrase}</answer>`;

describe('normalizePhrase', () => {
  const table: Array<[string, string]> = [
    ['lift the red block', 'lift the red block'],
    ['  Lift the RED\n\t block. ', 'lift the red block'], // case, white space runs, trailing full stop
    ['open the gripper . .', 'open the gripper'], // every trailing full stop and the spaces between
    ['move the gripper up...', 'move the gripper up'],
    ['the red block', 'the red block'], // articles are kept
    ['press the button!', 'press the button!'], // other punctuation is kept
    ['a.b', 'a.b'], // inner full stops are kept
    [' . ', ''],
    ['', ''],
  ];
  it.each(table)('%j → %j', (text, want) => {
    expect(normalizePhrase(text)).toBe(want);
  });
});

describe('phraseVerb', () => {
  it('is the first word of the normalized phrase', () => {
    expect(phraseVerb('Lower the red block onto the plate.')).toBe('lower');
    expect(phraseVerb('move above the red block')).toBe('move');
    expect(phraseVerb('move behind the red block')).toBe('move');
    expect(phraseVerb('  Open')).toBe('open');
    expect(phraseVerb(' . ')).toBe('');
  });
});

describe('highLevelAccuracy', () => {
  const target = 'lift the red block';
  const table: Array<[string, string, number]> = [
    ['exact, in answer tags', answer('lift the red block'), 1],
    ['exact, bare text', 'lift the red block', 1],
    ['exact after normalization', answer('\n  Lift the Red block.\n'), 1],
    ['right verb, wrong object', answer('lift the blue block'), 0.5],
    ['right verb, extra words', answer('lift the red block now'), 0.5],
    ['wrong verb, same object', answer('lower the red block onto the plate'), 0],
    ['wrong verb', answer('open the gripper'), 0],
    ['empty answer', answer(''), 0],
    ['empty completion', '', 0],
    // without an answer block the whole completion is the answer, reasoning included
    ['no answer block', '<think>go</think> lift the red block', 0],
    // only the first answer block is read
    [
      'second answer block ignored',
      '<answer>open the gripper</answer><answer>lift the red block</answer>',
      0,
    ],
    // verb = first word only: "move above" and "move behind" share the verb "move"
    ['only the first word is the verb', answer('lift'), 0.5],
  ];
  it.each(table)('%s', (_name, completion, want) => {
    expect(highLevelAccuracy(completion, target)).toBe(want);
  });

  it('treats two-word verbs by their first word', () => {
    expect(highLevelAccuracy(answer('move behind the red block'), 'move above the red block')).toBe(0.5);
    expect(highLevelAccuracy(answer('move the gripper up'), 'move above the red block')).toBe(0.5);
  });

  it('normalizes the target too', () => {
    expect(highLevelAccuracy(answer('press the button'), '  Press the button. ')).toBe(1);
  });

  it('takes another verb credit and other tags', () => {
    expect(highLevelAccuracy(answer('lift the blue block'), target, { verbCredit: 0.25 })).toBe(0.25);
    expect(highLevelAccuracy(answer('lift the blue block'), target, { verbCredit: 0 })).toBe(0);
    const template = { thinkOpen: '<r>', thinkClose: '</r>', answerOpen: '[A]', answerClose: '[/A]' };
    expect(highLevelAccuracy('<r>x</r>[A]lift the red block[/A]', target, { template })).toBe(1);
  });

  it('throws on an empty or non-string target and a bad verb credit, naming them', () => {
    expect(() => highLevelAccuracy(answer('x'), '')).toThrow(/target phrase is empty/);
    expect(() => highLevelAccuracy(answer('x'), ' . \n')).toThrow(/target phrase is empty/);
    expect(() => highLevelAccuracy(answer('x'), 3 as unknown as string)).toThrow(
      /target phrase: expected a string, got number/,
    );
    expect(() => highLevelAccuracy(answer('x'), target, { verbCredit: 1.5 })).toThrow(
      /verbCredit must be in \[0, 1\], got 1.5/,
    );
    expect(() => highLevelAccuracy(answer('x'), target, { verbCredit: Number.NaN })).toThrow(/verbCredit/);
  });
});

describe('highLevelReward', () => {
  const target = 'close the gripper on the red block';
  const table: Array<[string, string, number]> = [
    ['format and phrase right', answer('close the gripper on the red block'), (1 + 1) / 2],
    ['format right, verb right', answer('close the gripper on the blue block'), (1 + 0.5) / 2],
    ['format right, verb wrong', answer('open the gripper'), (1 + 0) / 2],
    ['bare text, phrase right', 'Close the gripper on the red block.', (0 + 1) / 2],
    ['no reasoning, phrase right', '<answer>close the gripper on the red block</answer>', (0 + 1) / 2],
    ['nothing right', 'lift it', 0],
  ];
  it.each(table)('%s', (_name, completion, want) => {
    expect(highLevelReward(completion, target)).toBe(want);
  });

  it('reports its parts and takes other weights', () => {
    const parts = highLevelRewardParts(answer(' Close the gripper on the BLUE block. '), target);
    expect(parts).toEqual({
      reward: 0.75,
      format: 1,
      accuracy: 0.5,
      answer: 'close the gripper on the blue block',
    });
    // 0.2 · 1 + 0.8 · 0.5 = 0.6
    expect(
      highLevelReward(answer('close the gripper'), target, { weights: { format: 0.2, accuracy: 0.8 } }),
    ).toBeCloseTo(0.6, 15);
  });

  it('throws on an empty target', () => {
    expect(() => highLevelReward(answer('lift the red block'), '')).toThrow(/target phrase is empty/);
  });
});

describe('highLevelRewardFunction', () => {
  const args: RewardArgs = {
    prompts: ['next step?', 'next step?', 'next step?'],
    completions: [answer('lift the red block'), answer('lift the plate'), 'open the gripper'],
    columns: { target_text: ['lift the red block', 'lift the red block', 'open the gripper'] },
  };

  it('scores one number per completion from the target_text column', () => {
    // [(1 + 1) / 2, (1 + 0.5) / 2, (0 + 1) / 2]
    expect(highLevelRewardFunction()(args)).toEqual([1, 0.75, 0.5]);
  });

  it('reads another column and passes the options on', () => {
    const fn = highLevelRewardFunction({ targetColumn: 'step', verbCredit: 0 });
    expect(fn({ ...args, columns: { step: args.columns!.target_text } })).toEqual([1, 0.5, 0.5]);
  });

  it('names the function, the sample and the problem on bad input', () => {
    expect(() => highLevelRewardFunction()({ ...args, columns: {} })).toThrow(
      /highLevelReward: missing column "target_text"/,
    );
    expect(() =>
      highLevelRewardFunction()({ ...args, columns: { target_text: ['lift', null, 'open'] } }),
    ).toThrow(/highLevelReward: column "target_text" of sample 1: expected a phrase \(string\), got null/);
    expect(() =>
      highLevelRewardFunction()({ ...args, columns: { target_text: ['lift', 'lift', ' '] } }),
    ).toThrow(/highLevelReward: sample 2: target phrase is empty/);
    expect(() => highLevelRewardFunction()({ ...args, prompts: ['one'] })).toThrow(
      /highLevelReward: prompts has 1 entries but there are 3 completions/,
    );
  });
});
