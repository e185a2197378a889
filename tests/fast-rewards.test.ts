// The packages composed as the RoboAlign data path uses them: FAST ids scored by the rewards.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { addedTokenActionMapping, type FastTokenizer, loadFastTokenizer } from '@roboalign/fast-tokenizer';
import { actionDistanceReward, prefixSimilarity, roboalignRewardFunction } from '@roboalign/rewards';
import { beforeAll, describe, expect, it } from 'vitest';

const fastPlus = resolve(import.meta.dirname, '../../shared/fast-plus');
if (!existsSync(fastPlus))
  console.warn(`[notice] FAST+ not found at ${fastPlus}: skipping (CI has ../shared).`);

const H = 10;
const D = 7;
const chunk = (phase: number) =>
  Float64Array.from({ length: H * D }, (_, i) => 0.5 * Math.sin(0.3 * Math.floor(i / D) + (i % D) + phase));

describe.skipIf(!existsSync(fastPlus))('FAST+ ids scored by @roboalign/rewards', () => {
  let fast: FastTokenizer;
  beforeAll(async () => {
    fast = await loadFastTokenizer(fastPlus);
  });

  it('gives near-miss actions partial credit in action space where the prefix reward may give little', () => {
    const decode = (ids: ArrayLike<number>) => {
      const r = fast.decode([ids], { horizon: H, dim: D });
      return { actions: r.actions[0], ok: r.ok[0] };
    };
    const target = fast.encode({ data: chunk(0), horizon: H, dim: D });
    const near = fast.encode({ data: chunk(0.05), horizon: H, dim: D });
    const far = fast.encode({ data: chunk(2), horizon: H, dim: D });
    const nearReward = actionDistanceReward(near, target, { decode });
    const farReward = actionDistanceReward(far, target, { decode });
    expect(actionDistanceReward(target, target, { decode })).toBe(1);
    expect(nearReward).toBeGreaterThan(farReward);
    expect(nearReward).toBeGreaterThan(0.5);
    expect(prefixSimilarity(near, target)).toBeLessThan(1);
  });

  it('scores an SFT-format answer written with the RoboAlign added tokens', () => {
    const ids = fast.encode({ data: chunk(0), horizon: H, dim: D });
    const mapping = addedTokenActionMapping({ baseVocabSize: 1000, fastVocabSize: fast.bpe.vocabSize });
    const answer = Array.from(ids, (id) => mapping.addedTokens[id + 2]).join('');
    const completion = `<think>reach forward</think><answer><ACTION_START>${answer}<ACTION_END></answer>`;
    const half = Array.from(
      ids.slice(0, Math.floor(ids.length / 2)),
      (id) => mapping.addedTokens[id + 2],
    ).join('');
    const partial = `<think>reach</think><answer><ACTION_START>${half}<ACTION_END></answer>`;
    const reward = roboalignRewardFunction()({
      prompts: ['p', 'p'],
      completions: [completion, partial],
      columns: { target_ids: [Array.from(ids), Array.from(ids)] },
    });
    expect(reward[0]).toBe(1);
    expect(reward[1]).toBeCloseTo(0.5 + 0.5 * (Math.floor(ids.length / 2) / ids.length), 12);
  });
});
