// The FAST ids read back from generated language-model ids: the one mapping that the GRPO reward and the
// language-model evaluation share.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roboalignRewardParts } from '@roboalign/rewards';
import { saveVlmTokenizer, trainVlmTokenizer, VlmTokenizer } from '@roboalign/vlm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatedFastIds } from '../../src/pipeline/language-models.js';

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
