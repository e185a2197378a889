// The FAST prompt options of issue #21: the robot state as prompt text (pi0-FAST) and think-then-act rows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReward } from '@roboalign/rewards';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseActionTokens } from '../../src/data/action-text.js';
import { readDataset } from '../../src/data/dataset-files.js';
import { fastPrompt, rlPrompt, thinkActAnswer } from '../../src/data/fast-prompts.js';
import { fitActionTokenizer } from '../../src/data/fit-action-tokenizer.js';
import { generateFastActions } from '../../src/data/generate-sources.js';
import { generateRlData } from '../../src/data/rl-data.js';
import type { SceneFacts } from '../../src/data/scene-facts.js';
import { stateBin, stateText } from '../../src/data/state-text.js';
import type { ChatRow, RlRow } from '../../src/data/types.js';
import { reasoningParts, trueReasoning } from '../../src/pipeline/reasoning-check.js';

describe('stateText', () => {
  it('bins each value over its physical range, clamping outside values into the end bins', () => {
    expect(stateBin(-0.32, [-0.32, 0.32], 256)).toBe(0);
    expect(stateBin(0, [-0.32, 0.32], 256)).toBe(128);
    expect(stateBin(0.32, [-0.32, 0.32], 256)).toBe(255);
    expect(stateBin(9, [-0.32, 0.32], 256)).toBe(255);
    expect(stateBin(-9, [-0.32, 0.32], 256)).toBe(0);
    expect(stateBin(0.1, [0, 0.4], 4)).toBe(1);
  });

  it('writes grasp point x, y, z and the finger half-gap, pi0-FAST style', () => {
    // x = 0 → 128; y = −0.15 of [−0.3, 0.3] → 64; z = 0.2025 of [0.005, 0.4] → 128; gap 0.044 → 255.
    expect(stateText([0, -0.15, 0.2025, 0.1, 0.2, 0.3, 0.044, -0.044])).toBe('State: 128 64 128 255;');
    expect(stateText([0, -0.15, 0.2025, 0, 0, 0, 0.011, -0.011], 8)).toBe('State: 4 2 4 2;');
  });

  it('refuses a short state and a bad bin count', () => {
    expect(() => stateText([0, 0, 0])).toThrow(/8-D robot state, got 3/);
    expect(() => stateText(new Array(8).fill(0), 1)).toThrow(/bins must be an integer ≥ 2/);
  });
});

describe('FAST prompts', () => {
  it('append the state text when given, and the RL prompt asks for reasoning after it', () => {
    expect(fastPrompt('open the drawer')).toBe('What action should the robot take to open the drawer?');
    expect(fastPrompt('open the drawer', 'State: 1 2 3 4;')).toBe(
      'What action should the robot take to open the drawer? State: 1 2 3 4;',
    );
    expect(rlPrompt('open the drawer', 'State: 1 2 3 4;')).toMatch(
      /^What action should the robot take to open the drawer\? State: 1 2 3 4; First think step by step/,
    );
  });

  it('a think-then-act answer earns the format reward and holds the action tokens', () => {
    const facts = { objects: [], gripper: { holding: null } } as unknown as SceneFacts;
    // Ten steps of +1 in x: 10 × 0.02 m = 20 cm to the right.
    const chunk = Array.from({ length: 70 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const tokens = '<ACTION_START><FAST_3><FAST_9><ACTION_END>';
    const answer = thinkActAnswer('lift the cup', { step: 'rise' } as never, facts, chunk, tokens);
    expect(answer).toBe(
      '<think>The task is to lift the cup. Next: move the gripper up. Over the next half second the gripper moves right.</think><answer><ACTION_START><FAST_3><FAST_9><ACTION_END></answer>',
    );
    expect(formatReward(answer)).toBe(1);
    expect(parseActionTokens(answer)).toEqual([3, 9]);
  });
});

describe('generateFastActions with stateBins and thinkShare', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'fast-prompts-'));
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('writes the state into every prompt, think-then-act rows at the share, and RL prompts with the state', async () => {
    const tokenizer = join(out, 'tok');
    await fitActionTokenizer({
      dir: tokenizer,
      seed: 3,
      episodes: 2,
      vocabSize: 300,
      workers: 0,
      progress: false,
    });
    const common = { out, seed: 3, tokenizer, stateBins: 16, workers: 0, progress: false } as const;
    const manifest = await generateFastActions({
      ...common,
      count: 12,
      thinkShare: 0.5,
      alternativeTargets: true,
    });
    const { rows, labels } = await readDataset(out, manifest);
    let thinking = 0;
    const thinkActRows = new Map<number, string>();
    rows.forEach((row, i) => {
      const [user, assistant] = (row as ChatRow).messages;
      const question = (user.content as { type: string; text?: string }[]).at(-1)!.text!;
      const answer = (assistant.content as { text: string }[])[0].text;
      const facts = labels[i].facts as { instruction: string; state_text: string; fast_ids: number[] };
      expect(facts.state_text).toMatch(/^State: \d+ \d+ \d+ \d+;$/);
      expect(parseActionTokens(answer)).toEqual(facts.fast_ids);
      if (labels[i].kind === 'fast-think-act') {
        thinking++;
        expect(question).toBe(rlPrompt(facts.instruction, facts.state_text));
        thinkActRows.set(i, answer.slice(0, answer.indexOf('</think>') + '</think>'.length));
        expect(formatReward(answer)).toBe(1);
      } else {
        expect(labels[i].kind).toBe('fast-chunk');
        expect(question).toBe(fastPrompt(facts.instruction, facts.state_text));
        expect(answer).toMatch(/^<ACTION_START>(<FAST_\d+>)+<ACTION_END>$/);
      }
    });
    // 12 draws at 0.5: all-or-nothing has probability 2 × 2⁻¹² (the draws are seeded, so this is fixed).
    expect(thinking).toBeGreaterThan(0);
    expect(thinking).toBeLessThan(rows.length);
    const rl = await generateRlData({ from: manifest, out, count: 12, seed: 3 });
    const rlData = await readDataset(out, rl);
    const rlRows = rlData.rows as RlRow[];
    // The true reasoning of each RL row is the one its frame's think-then-act row is trained on.
    const truth = await trueReasoning(out, rl, manifest);
    expect(truth).toHaveLength(12);
    let checked = 0;
    rlData.labels.forEach((label, i) => {
      const written = thinkActRows.get(label.facts.fastRow as number);
      expect(reasoningParts(truth[i])).not.toBeNull();
      if (written !== undefined) {
        expect(truth[i]).toBe(written);
        checked++;
      }
    });
    expect(checked).toBe(thinking);
    for (const row of rlRows) {
      const text = (row.messages[0].content as { type: string; text?: string }[]).at(-1)!.text!;
      expect(text).toMatch(/\? State: \d+ \d+ \d+ \d+; First think step by step/);
    }
  }, 120_000);
});
