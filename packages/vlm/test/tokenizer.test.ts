import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from 'tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../src/data/conversation.js';
import type { VlmTokenizer } from '../src/tokenizer/vlm-tokenizer.js';
import { blockImage, toyTokenizer } from './helpers/toy.js';

let tokenizer: VlmTokenizer;
let dir: string;
beforeAll(async () => {
  ({ tokenizer, dir } = await toyTokenizer());
});

const conversation = (answer: string): Message[] => [
  { role: 'system', content: 'You control a robot arm.' },
  {
    role: 'user',
    content: [
      { type: 'image', image: blockImage(3) },
      { type: 'image', image: blockImage(40) },
      { type: 'text', text: 'pick up the red block' },
    ],
  },
  { role: 'assistant', content: answer },
];

describe('the VLM tokenizer folder', () => {
  it('renders turns in the Qwen2-VL layout with one placeholder per patch', () => {
    const text = tokenizer.renderChat(conversation('ok'), {});
    const pads = '<|image_pad|>'.repeat(64);
    expect(text).toBe(
      '<|im_start|>system\nYou control a robot arm.<|im_end|>\n' +
        `<|im_start|>user\n<|vision_start|>${pads}<|vision_end|><|vision_start|>${pads}<|vision_end|>pick up the red block<|im_end|>\n` +
        '<|im_start|>assistant\nok<|im_end|>\n',
    );
    expect(tokenizer.renderChat(conversation('ok').slice(0, 2), { addGenerationPrompt: true })).toMatch(
      /<\|im_end\|>\n<\|im_start\|>assistant\n$/,
    );
  });

  it('round-trips a conversation with reasoning tags and FAST tokens through @huggingface/transformers', () => {
    const fast = [0, 5, 63, 17];
    const action = Array.from(tokenizer.actions.wrap(fast), (id) => tokenizer.decode([id])).join('');
    const answer = `<think>the block is left of the gripper</think>${action}`;
    const ids = tokenizer.applyChatTemplate(conversation(answer));
    expect(tokenizer.decode(ids)).toBe(tokenizer.renderChat(conversation(answer)));
    // The action span decodes back to the FAST ids through fast-tokenizer's mapping.
    expect(Array.from(tokenizer.actions.extract(ids) ?? [])).toEqual(fast);
    expect(ids).toContain(tokenizer.ids.thinkStart);
    expect(ids).toContain(tokenizer.ids.thinkEnd);
    expect(ids.filter((id) => id === tokenizer.ids.imagePad)).toHaveLength(128);
  });

  it('gives the ids the Rust tokenizers library gives for the rendered text (what Python transformers loads)', async () => {
    const rust = Tokenizer.fromString(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
    for (const answer of [
      '<think>move left</think><ACTION_START><FAST_3><FAST_9><ACTION_END>',
      'The gripper is open.',
      '',
    ]) {
      const text = tokenizer.renderChat(conversation(answer));
      const encoding = await rust.encode(text, null, { addSpecialTokens: false });
      expect(tokenizer.applyChatTemplate(conversation(answer))).toEqual(encoding.getIds());
    }
  });

  it('keeps reasoning tags when special tokens are skipped, and drops chat markers', () => {
    const ids = tokenizer.encode('<think>a</think><answer>b</answer>');
    expect(ids.slice(0, 1)).toEqual([tokenizer.ids.thinkStart]);
    expect(tokenizer.decode([tokenizer.ids.imStart, ...ids], { skipSpecialTokens: true })).toBe(
      '<think>a</think><answer>b</answer>',
    );
  });

  it('writes a config that Python transformers reads as a fast tokenizer with the same special tokens', async () => {
    const config = JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8'));
    expect(config.tokenizer_class).toBe('PreTrainedTokenizerFast');
    expect(config.eos_token).toBe('<|im_end|>');
    expect(config.pad_token).toBe('<|endoftext|>');
    expect(config.added_tokens_decoder[String(tokenizer.ids.thinkStart)]).toMatchObject({
      content: '<think>',
      special: false,
    });
    expect(config.added_tokens_decoder[String(tokenizer.actions.startId)]).toMatchObject({
      content: '<ACTION_START>',
      special: true,
    });
    expect(tokenizer.vocabSize).toBe(320 + 2 + 64);
  });
});
