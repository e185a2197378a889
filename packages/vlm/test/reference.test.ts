import { beforeAll, describe, expect, it, vi } from 'vitest';
import { VlmPolicy } from '../src/policy.js';
import type { VlmTokenizer } from '../src/tokenizer/vlm-tokenizer.js';
import { Vlm } from '../src/vlm.js';
import { MICRO } from './helpers/micro.js';
import { toyTokenizer } from './helpers/toy.js';

let tokenizer: VlmTokenizer;
beforeAll(async () => {
  ({ tokenizer } = await toyTokenizer());
});

describe('VlmPolicy.reference', () => {
  it('scores with a frozen copy of the weights and frees that copy on release()', async () => {
    const model = Vlm.create(tokenizer, { architecture: MICRO, maxLength: 64, seed: 3 });
    const policy = new VlmPolicy(model);
    const reference = policy.reference();
    const prompt = { messages: [{ role: 'user' as const, content: 'left' }] };
    const completion = { ids: tokenizer.encode('right'), logprobs: [] };
    const before = await reference.logprobs([prompt], [completion]);
    for (const p of model.params.values()) p.fill(0.01);
    // The policy's weights moved; the reference's did not.
    expect(await reference.logprobs([prompt], [completion])).toEqual(before);
    expect(await policy.logprobs([prompt], [completion])).not.toEqual(before);
    const release = vi.spyOn(Vlm.prototype, 'release');
    await reference.release();
    expect(release).toHaveBeenCalledTimes(1);
    expect(release.mock.contexts[0]).not.toBe(model);
    await model.release();
  });
});
