import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../src/data/conversation.js';
import { features } from '../src/features.js';
import type { VlmTokenizer } from '../src/tokenizer/vlm-tokenizer.js';
import { Vlm } from '../src/vlm.js';
import { MICRO } from './helpers/micro.js';
import { blockImage, toyTokenizer } from './helpers/toy.js';

let tokenizer: VlmTokenizer;
let model: Vlm;
beforeAll(async () => {
  ({ tokenizer } = await toyTokenizer());
  model = Vlm.create(tokenizer, { architecture: MICRO, maxLength: 192, seed: 8 });
});

const prompt = (x: number, text: string, wrist = false): Conversation => ({
  messages: [
    {
      role: 'user',
      content: [
        { type: 'image', image: blockImage(x) },
        ...(wrist ? [{ type: 'image' as const, image: blockImage(63 - x - 12) }] : []),
        { type: 'text', text },
      ],
    },
  ],
});

describe('features', () => {
  it('gives the middle layer over image and instruction tokens, [B, S, D] with the padding mask', async () => {
    const prompts = [prompt(3, 'pick up the red block', true), prompt(40, 'left')];
    const f = await features(model, prompts);
    const [count, length, width] = f.shape;
    expect(f.layer).toBe(1); // ⌊2 layers / 2⌋
    expect([count, width]).toEqual([2, 64]);
    expect(f.hidden).toHaveLength(count * length * width);
    const real = (row: number) =>
      f.mask.subarray(row * length, (row + 1) * length).reduce((a, b) => a + b, 0);
    // Two images + text in row 0, one image + text in row 1: 64 more tokens, all real.
    expect(real(0) - real(1)).toBeGreaterThan(64);
    expect(f.mask.subarray(0, real(0)).every((m) => m === 1)).toBe(true);
    // The ids say which positions are image tokens: 64 per image here, the text after them, pad past the end.
    const imageTokens = (row: number) =>
      f.ids.subarray(row * length, (row + 1) * length).filter((id) => id === model.config.imageTokenId)
        .length;
    expect(imageTokens(1)).toBe(64);
    expect(imageTokens(0)).toBe(128);
    expect(f.ids[length + real(1)]).toBe(model.tokenizer.ids.pad);
  });

  it('does not depend on what else is in the batch (padding is masked)', async () => {
    const a = prompt(5, 'left');
    const alone = await features(model, [a]);
    const batched = await features(
      model,
      [a, prompt(33, 'pick up the red block and put it on the plate', true)],
      { batchSize: 2 },
    );
    const [, la, width] = alone.shape;
    const lb = batched.shape[1];
    const realTokens = alone.mask.reduce((s, m) => s + m, 0);
    for (let s = 0; s < realTokens; s++)
      for (let d = 0; d < width; d++)
        expect(batched.hidden[s * width + d]).toBeCloseTo(alone.hidden[s * width + d], 4);
    expect(lb).toBeGreaterThanOrEqual(la);
  });

  it('reads another layer on request and rejects one the model does not have', async () => {
    const first = await features(model, [prompt(5, 'left')], { layer: 0 });
    const last = await features(model, [prompt(5, 'left')], { layer: 2 });
    expect(first.hidden).not.toEqual(last.hidden);
    await expect(features(model, [prompt(5, 'left')], { layer: 3 })).rejects.toThrow(
      /layer must be an integer in \[0, 2\]/,
    );
  });

  it('caches to a safetensors file and recomputes when the weights change', async () => {
    const cachePath = join(await mkdtemp(join(tmpdir(), 'vlm-features-')), 'cache.safetensors');
    const local = model.clone();
    const prompts = [prompt(5, 'left'), prompt(44, 'right')];
    const computed = await features(local, prompts, { cachePath });
    const cached = await features(local, prompts, { cachePath });
    expect(cached.hidden).toEqual(computed.hidden);
    expect(cached.mask).toEqual(computed.mask);
    local.params.get('model.layers.0.mlp.up_proj.weight')!.fill(0);
    const changed = await features(local, prompts, { cachePath });
    expect(changed.hidden).not.toEqual(computed.hidden);
  });
});
