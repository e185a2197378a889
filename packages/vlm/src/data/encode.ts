import { tokensPerImage, type VlmConfig } from '../config.js';
import { VlmError } from '../errors.js';
import type { VlmTokenizer } from '../tokenizer/vlm-tokenizer.js';
import {
  type Conversation,
  type Message,
  type RgbImage,
  type RowSource,
  readPng,
  validateConversation,
} from './conversation.js';

/** A conversation as the model reads it. */
export interface EncodedExample {
  /** Token ids through the chat template, one placeholder per image patch. */
  ids: Int32Array;
  /**
   * Tokens before the first assistant answer (the generation prompt included). They attend to each other
   * bidirectionally; later tokens attend causally (the prefix-LM mask).
   */
  prefixLength: number;
  /** 1 at the tokens the SFT loss is computed on: each assistant answer and its `<|im_end|>`. */
  targets: Uint8Array;
  /** The images in order of appearance (camera slot 0, 1, …). */
  images: RgbImage[];
}

function imageItems(messages: readonly Message[]) {
  return messages.flatMap((m) =>
    Array.isArray(m.content) ? m.content.filter((c) => c.type === 'image') : [],
  );
}

async function loadImages(messages: readonly Message[], config: VlmConfig, at: string): Promise<RgbImage[]> {
  const items = imageItems(messages);
  if (items.length > config.maxImages)
    throw new VlmError(`${at}${items.length} images, but the model reads at most ${config.maxImages}`);
  return Promise.all(
    items.map(async (item, i) => {
      const image = item.image ?? (await readPng(item.path!));
      if (image.width !== config.imageSize || image.height !== config.imageSize)
        throw new VlmError(
          `${at}image ${i}${item.path ? ` (${item.path})` : ''} is ${image.width}×${image.height}, the model reads ${config.imageSize}×${config.imageSize}`,
        );
      if (image.data.length !== image.width * image.height * 3)
        throw new VlmError(
          `${at}image ${i} has ${image.data.length} bytes, expected ${image.width * image.height * 3} (RGB)`,
        );
      return image;
    }),
  );
}

function checkIds(
  ids: ArrayLike<number>,
  images: number,
  tokenizer: VlmTokenizer,
  config: VlmConfig,
  at: string,
) {
  if (ids.length > config.maxLength)
    throw new VlmError(
      `${at}the conversation is ${ids.length} tokens, longer than the context of ${config.maxLength}`,
    );
  let pads = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === tokenizer.ids.imagePad) pads++;
    if (ids[i] < 0 || ids[i] >= config.vocabSize)
      throw new VlmError(
        `${at}token id ${ids[i]} at position ${i} is outside the vocabulary of ${config.vocabSize}`,
      );
  }
  if (pads !== images * tokensPerImage(config))
    throw new VlmError(
      `${at}${pads} image placeholders for ${images} images; the tokenizer expands each image to ${tokenizer.imageTokens} and the model expects ${tokensPerImage(config)}`,
    );
}

/**
 * Tokenizes a training conversation through the chat template and marks the assistant answers as
 * targets. Each answer starts where the template's generation prompt for the turns before it ends.
 */
export async function encodeConversation(
  tokenizer: VlmTokenizer,
  config: VlmConfig,
  conversation: Conversation,
  source?: RowSource,
): Promise<EncodedExample> {
  const at = source ? `${source.file}:${source.line}: ` : '';
  const { messages } = validateConversation(conversation, source);
  const images = await loadImages(messages, config, at);
  const ids = tokenizer.applyChatTemplate(messages);
  checkIds(ids, images.length, tokenizer, config, at);
  const targets = new Uint8Array(ids.length);
  let prefixLength = ids.length;
  messages.forEach((m, k) => {
    if (m.role !== 'assistant') return;
    const prompt = tokenizer.applyChatTemplate(messages.slice(0, k), { addGenerationPrompt: true });
    if (prompt.some((id, i) => id !== ids[i]))
      throw new VlmError(
        `${at}the chat template does not render turn ${k} as a continuation of the turns before it`,
      );
    const start = prompt.length;
    prefixLength = Math.min(prefixLength, start);
    let end = start;
    while (end < ids.length && ids[end] !== tokenizer.ids.imEnd) end++;
    for (let i = start; i <= Math.min(end, ids.length - 1); i++) targets[i] = 1;
  });
  if (prefixLength === ids.length)
    throw new VlmError(`${at}the conversation has no assistant turn to learn from`);
  return { ids: Int32Array.from(ids), prefixLength, targets, images };
}

/** Tokenizes a prompt (the turns before the answer) with the generation prompt appended. */
export async function encodePrompt(
  tokenizer: VlmTokenizer,
  config: VlmConfig,
  prompt: Conversation,
  source?: RowSource,
): Promise<EncodedExample> {
  const at = source ? `${source.file}:${source.line}: ` : '';
  const { messages } = validateConversation(prompt, source);
  if (messages[messages.length - 1].role === 'assistant')
    throw new VlmError(`${at}a prompt must end with a user or system turn, not the assistant's answer`);
  const images = await loadImages(messages, config, at);
  const ids = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
  checkIds(ids, images.length, tokenizer, config, at);
  return { ids: Int32Array.from(ids), prefixLength: ids.length, targets: new Uint8Array(ids.length), images };
}
