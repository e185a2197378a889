// The alignment targets' prompts and rewards: the FAST ids read back from generated language-model ids (the
// one mapping that the GRPO reward and the language-model evaluation share), and each target's reward.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roboalignRewardParts } from '@roboalign/rewards';
import { saveVlmTokenizer, trainVlmTokenizer, VlmTokenizer } from '@roboalign/vlm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generatedFastIds,
  readTargetPrompts,
  type TargetPrompt,
  targetReward,
} from '../../src/pipeline/alignment-targets.js';
import { GRPO_TARGETS, hasAlternativeTargets, withPrerequisites } from '../../src/pipeline/variants.js';

describe('generatedFastIds', () => {
  let tokenizer: VlmTokenizer;
  beforeAll(async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'reproduce-tok-')), 'tokenizer');
    const corpus = Array.from({ length: 40 }, (_, i) => `move the red block ${i % 7} cm to the left`);
    await saveVlmTokenizer(
      dir,
      trainVlmTokenizer(corpus, { textVocabSize: 300, fastVocabSize: 32, imageTokens: 4, maxLength: 64 }),
    );
    tokenizer = await VlmTokenizer.load(dir);
  });

  it('maps the span between the markers back to FAST ids, ignoring text around it', () => {
    const text = tokenizer.encode('<think>left</think>');
    const ids = [...text, ...tokenizer.actions.wrap([3, 1, 4, 1, 5]), tokenizer.ids.imEnd];
    expect(Array.from(generatedFastIds(tokenizer, ids)!)).toEqual([3, 1, 4, 1, 5]);
    const reward = roboalignRewardParts('', [3, 1, 4, 9], { actionIds: generatedFastIds(tokenizer, ids) });
    expect(reward.accuracy).toBe(0.75);
  });

  it('reads up to the end marker, a text token or the end of the generation; null without a start', () => {
    const wrapped = Array.from(tokenizer.actions.wrap([2, 7, 31]));
    const read = (ids: number[]) => {
      const fast = generatedFastIds(tokenizer, ids);
      return fast === null ? null : Array.from(fast);
    };
    expect(read(wrapped.slice(1))).toBeNull();
    expect(read(wrapped.slice(0, -1))).toEqual([2, 7, 31]);
    expect(read([wrapped[0], wrapped[1], ...tokenizer.encode('left'), ...wrapped.slice(2)])).toEqual([2]);
    expect(read([wrapped[0], tokenizer.ids.imEnd])).toEqual([]);
  });
});

describe('the alignment targets', () => {
  let tokenizer: VlmTokenizer;
  beforeAll(async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'reproduce-tok-')), 'tokenizer');
    const corpus = ['lower the gripper', 'lift the red block', 'move above the plate'];
    await saveVlmTokenizer(
      dir,
      trainVlmTokenizer(corpus, { textVocabSize: 300, fastVocabSize: 32, imageTokens: 4, maxLength: 64 }),
    );
    tokenizer = await VlmTokenizer.load(dir);
  });
  const prompt = { messages: [{ role: 'user' as const, content: 'what next?' }] };
  const none = new Int32Array(0);

  it('scores each target as mean(format, accuracy), with hand-computed accuracies', () => {
    const highLevel: TargetPrompt = { prompt, targetFastIds: [1], targetText: 'lift the red block' };
    const reply = (answer: string) => ({
      text: `<think>grasped</think><answer>${answer}</answer>`,
      ids: none,
    });
    expect(targetReward('high-level', tokenizer, reply('Lift the red block.'), highLevel)).toEqual({
      reward: 1,
      format: 1,
      accuracy: 1,
      answer: 'lift the red block',
    });
    // The right verb alone earns half the accuracy.
    expect(targetReward('high-level', tokenizer, reply('lift the blue block'), highLevel).reward).toBe(0.75);
    const trajectory: TargetPrompt = {
      prompt,
      targetFastIds: [1],
      targetTrajectory: [[12, 30]],
      imageSize: 48,
    };
    // (15, 34) is 5 px from (12, 30): accuracy 1 − 5/48.
    const parts = targetReward('trajectory', tokenizer, reply('[(15,34)]'), trajectory);
    expect(parts.accuracy).toBeCloseTo(1 - 5 / 48, 12);
    expect(parts.reward).toBeCloseTo((1 + 1 - 5 / 48) / 2, 12);
    // No answer block: the format part is 0 and the reward is defined, not an exception.
    const bad = targetReward('trajectory', tokenizer, { text: 'somewhere left', ids: none }, trajectory);
    expect(bad.format).toBe(0);
    expect(Number.isFinite(bad.reward)).toBe(true);
    // FAST: the prefix similarity of the ids between the action markers.
    const ids = Array.from(tokenizer.actions.wrap([3, 1, 4]));
    const fast = targetReward('fast', tokenizer, { text: '', ids }, { prompt, targetFastIds: [3, 1, 9, 9] });
    expect(fast.accuracy).toBe(0.5);
    // Or the decoded actions' distance: here id k decodes to the chunk [k, k], so [3, 1, 4] (mean 8/3)
    // against [3, 1, 9, 9] (mean 22/4) is 17/6 apart; exp(−(17/6) / 2).
    const decode = (ids: ArrayLike<number>) => {
      const m = Array.from(ids).reduce((s, v) => s + v, 0) / ids.length;
      return { actions: [m, m], ok: true };
    };
    const byActions = targetReward(
      'fast',
      tokenizer,
      { text: '<think>left</think><answer>a</answer>', ids },
      { prompt, targetFastIds: [3, 1, 9, 9] },
      { decode, temperature: 2 },
    );
    expect(byActions.accuracy).toBeCloseTo(Math.exp(-17 / 12), 12);
    expect(byActions.reward).toBeCloseTo((byActions.format + byActions.accuracy) / 2, 12);
    const noActions = targetReward(
      'fast',
      tokenizer,
      { text: '', ids: none },
      { prompt, targetFastIds: [3] },
      {
        decode,
        temperature: 2,
      },
    );
    expect(noActions.accuracy).toBe(0);
  });

  it('reads a target’s RL rows and names the file and line of a row without its target', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'target-rows-'));
    const path = join(dir, 'rows.jsonl');
    const row = (extra: Record<string, unknown>) =>
      JSON.stringify({ ...prompt, targetFastIds: [1, 2], ...extra });
    await writeFile(path, `${row({ targetText: 'lower the gripper' })}\n${row({})}\n`);
    await expect(readTargetPrompts(path, 'high-level')).rejects.toThrow(
      /rows\.jsonl:2: a high-level RL row needs a non-empty "targetText"/,
    );
    expect((await readTargetPrompts(path, 'fast')).map((r) => r.targetFastIds)).toEqual([
      [1, 2],
      [1, 2],
    ]);
    await writeFile(path, `${row({ targetTrajectory: [[1, 2.5]], imageSize: 48 })}\n`);
    await expect(readTargetPrompts(path, 'trajectory')).rejects.toThrow(
      /rows\.jsonl:1: .*\[x, y\] integer pairs/,
    );
    await writeFile(path, `${row({ targetTrajectory: [[1, 2]], imageSize: 48 })}\n`);
    expect(await readTargetPrompts(path, 'trajectory')).toEqual([
      { prompt, targetFastIds: [1, 2], targetTrajectory: [[1, 2]], imageSize: 48 },
    ]);
  });
});

describe('the variants a run trains', () => {
  it('adds base, and roboalign-sft for a GRPO variant; only the alternatives add their targets’ data', () => {
    expect(withPrerequisites(['roboalign'])).toEqual(['base', 'roboalign-sft', 'roboalign']);
    expect(withPrerequisites(['sft-fast'])).toEqual(['base', 'sft-fast']);
    expect(withPrerequisites(['align-trajectory', 'base'])).toEqual([
      'base',
      'roboalign-sft',
      'align-trajectory',
    ]);
    expect(hasAlternativeTargets(['base', 'roboalign-sft', 'roboalign'])).toBe(false);
    expect(hasAlternativeTargets(['align-highlevel'])).toBe(true);
    expect(Object.values(GRPO_TARGETS)).toEqual(['fast', 'high-level', 'trajectory']);
  });
});
