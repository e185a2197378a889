// A toy multimodal task for the tests: a red block on the left or right half of a grey 64×64 image.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@roboalign/utils';
import type { Conversation, RgbImage } from '../../src/data/conversation.js';
import { saveVlmTokenizer, trainVlmTokenizer } from '../../src/tokenizer/train-tokenizer.js';
import { VlmTokenizer } from '../../src/tokenizer/vlm-tokenizer.js';

/**
 * A grey `size`×`size` image with a `block`×`block` square (red unless `rgb` says otherwise) whose top-left
 * corner is at (`x`, `y`).
 */
export function blockImage(
  x: number,
  y = 26,
  block = 12,
  size = 64,
  rgb: readonly [number, number, number] = [220, 30, 30],
): RgbImage {
  const data = new Uint8Array(size * size * 3).fill(90);
  for (let r = y; r < y + block; r++) for (let c = x; c < x + block; c++) data.set(rgb, (r * size + c) * 3);
  return { width: size, height: size, data };
}

/** `n` conversations: an image, a question, and "left" or "right" by the block's side. */
export function leftRightConversations(
  n: number,
  seed: number,
): Array<Conversation & { side: 'left' | 'right' }> {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const side = rand() < 0.5 ? 'left' : 'right';
    const x = side === 'left' ? Math.floor(rand() * 18) : 34 + Math.floor(rand() * 18);
    return {
      side,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', image: blockImage(x) },
            { type: 'text', text: 'Which side is the red block on?' },
          ],
        },
        { role: 'assistant', content: side },
      ],
    };
  });
}

const CORPUS = [
  'Which side is the red block on? left right',
  'pick up the red block and put it on the plate',
  'The gripper is open. The gripper is closed. move above the block',
];

/** A tokenizer folder (64 FAST ids, 64 image tokens) trained on a small corpus, in a fresh temp folder. */
export async function toyTokenizer(
  options: { fastVocabSize?: number; maxLength?: number } = {},
): Promise<{ dir: string; tokenizer: VlmTokenizer }> {
  const dir = join(await mkdtemp(join(tmpdir(), 'vlm-tok-')), 'tokenizer');
  await mkdir(dir, { recursive: true });
  const files = trainVlmTokenizer(
    Array.from({ length: 50 }, (_, i) => CORPUS[i % CORPUS.length]),
    {
      textVocabSize: 320,
      fastVocabSize: options.fastVocabSize ?? 64,
      imageTokens: 64,
      maxLength: options.maxLength ?? 192,
    },
  );
  await saveVlmTokenizer(dir, files);
  return { dir, tokenizer: await VlmTokenizer.load(dir) };
}
