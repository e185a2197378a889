// The `tiny` model and inputs that the VLM benchmarks and the profile share (not tests).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@roboalign/utils';
import {
  type Conversation,
  type EncodedExample,
  encodeConversation,
  saveVlmTokenizer,
  trainVlmTokenizer,
  Vlm,
  VlmTokenizer,
} from '../src/index.js';

const rand = mulberry32(1);
const words = [
  'pick',
  'up',
  'the',
  'red',
  'blue',
  'block',
  'put',
  'it',
  'on',
  'plate',
  'left',
  'of',
  'gripper',
  'open',
  'close',
  'move',
  'above',
  'drawer',
];
const sentence = (n: number) =>
  Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
const image = () => ({
  width: 64,
  height: 64,
  data: Uint8Array.from({ length: 64 * 64 * 3 }, () => Math.floor(rand() * 256)),
});

const dir = join(await mkdtemp(join(tmpdir(), 'vlm-bench-')), 'tokenizer');
// A vocabulary of 3,200 ids as in the PyTorch reference: 1,024 text + 2 markers + 2,174 FAST ids.
await saveVlmTokenizer(
  dir,
  trainVlmTokenizer(
    Array.from({ length: 2000 }, () => sentence(12)),
    { textVocabSize: 1024, fastVocabSize: 2174, imageTokens: 64, maxLength: 320 },
  ),
);
export const tokenizer = await VlmTokenizer.load(dir);
// VLM_BENCH_THREADS sets ONNX Runtime's intra-op threads (default: its own, one per core), to compare one
// process on both cores with two single-threaded processes side by side.
const threads = process.env.VLM_BENCH_THREADS;
export const model = Vlm.create(tokenizer, {
  architecture: 'tiny',
  maxLength: 320,
  ...(threads ? { session: { intraOpThreads: Number(threads) } } : {}),
});
console.error(model.describe());

export const prompt = (textWords: number): Conversation => ({
  messages: [
    {
      role: 'user',
      content: [
        { type: 'image', image: image() },
        { type: 'image', image: image() },
        { type: 'text', text: sentence(textWords) },
      ],
    },
  ],
});
/** A conversation of two images and about `textTokens` text tokens, a third of them the answer. */
export async function example(textTokens: number): Promise<EncodedExample> {
  for (let words = Math.floor(textTokens / 3); ; words--) {
    const p = prompt(words);
    const conv = {
      messages: [...p.messages, { role: 'assistant' as const, content: sentence(Math.ceil(words / 2)) }],
    };
    const ex = await encodeConversation(tokenizer, model.config, conv);
    const text = ex.ids.length - 128;
    if (text <= textTokens) return ex;
  }
}
