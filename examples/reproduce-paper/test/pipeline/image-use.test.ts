// vqaImageUse: the held-out answer NLL with the real images and with grey ones, per answer token, across
// batches of 16; scored one row at a time by hand, the same model must give the same figures.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32 } from '@roboalign/utils';
import {
  answerRows,
  type EncodedExample,
  encodeConversation,
  readConversations,
  VLM_PRESETS,
  type Vlm,
} from '@roboalign/vlm';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { vqaImageUse, withGreyImages } from '../../src/pipeline/lm-eval.js';
import { microModel } from './micro-model.js';

const SIZE = VLM_PRESETS.micro.imageSize;

async function rowsFile(dir: string, name: string, pixel: (rand: () => number) => number): Promise<string> {
  const rand = mulberry32(7);
  const lines: string[] = [];
  for (let r = 0; r < 18; r++) {
    const png = join(dir, `${name}-${r}.png`);
    const data = Uint8Array.from({ length: SIZE * SIZE * 3 }, () => pixel(rand));
    await writeFile(png, encodePng({ width: SIZE, height: SIZE, data, channels: 3, depth: 8 }));
    lines.push(
      JSON.stringify({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', path: png },
              { type: 'text', text: 'which side' },
            ],
          },
          { role: 'assistant', content: r % 3 ? 'left' : 'go right' },
        ],
      }),
    );
  }
  const path = join(dir, `${name}.jsonl`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Token-mean answer NLL, one row at a time. */
async function byHand(model: Vlm, examples: readonly EncodedExample[]): Promise<number> {
  let sum = 0;
  let tokens = 0;
  for (const ex of examples) {
    const { tokenLogprobs } = await model.score(answerRows([ex]));
    for (const lp of tokenLogprobs) sum -= lp;
    tokens += tokenLogprobs.length;
  }
  return sum / tokens;
}

describe('vqaImageUse', () => {
  it('scores the answers with the real images and with grey ones, and grey images leave nothing to change', async () => {
    const { dir, tokenizer, model } = await microModel(['which side', 'left', 'go right'], 160, 'image-use-');
    const noisy = await rowsFile(dir, 'noisy', (rand) => Math.floor(256 * rand()));
    const grey = await rowsFile(dir, 'grey', () => 128);

    const use = await vqaImageUse(model, noisy, 17);
    const examples = await Promise.all(
      (await readConversations(noisy))
        .slice(0, 17)
        .map((row) => encodeConversation(tokenizer, model.config, row.conversation, row.source)),
    );
    const greyed = examples.map(withGreyImages);
    expect(greyed[0].images[0].data.every((v) => v === 128)).toBe(true);
    expect(use.real).toBeCloseTo(await byHand(model, examples), 4);
    expect(use.grey).toBeCloseTo(await byHand(model, greyed), 4);
    // An untrained model's answers still move with its (noise) images.
    expect(Math.abs(use.real - use.grey)).toBeGreaterThan(1e-3);
    const already = await vqaImageUse(model, grey, 17);
    expect(already.real).toBe(already.grey);
    await model.release();
  }, 60_000);
});
