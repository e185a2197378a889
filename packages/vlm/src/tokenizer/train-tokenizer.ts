import { join } from 'node:path';
import { type AddedToken, addedTokenActionMapping, trainByteLevelBpe } from '@roboalign/fast-tokenizer';
import { writeFileAtomic } from '@roboalign/utils';
import { VlmError } from '../errors.js';
import { chatTemplate, REASONING_TOKENS, SPECIAL_TOKENS } from './chat-template.js';

/** Options of {@link trainVlmTokenizer}. */
export interface TrainVlmTokenizerOptions {
  /** Size of the byte-level BPE, special and reasoning tokens included (the action tokens come on top). */
  textVocabSize: number;
  /** FAST vocabulary size: one added token per FAST id, after the two action markers. */
  fastVocabSize: number;
  /** Placeholder tokens per image (patches of one camera image). */
  imageTokens: number;
  /** Longest conversation in tokens (`model_max_length`). */
  maxLength: number;
  /** Drop merges seen fewer times than this; default 2. */
  minFrequency?: number;
}

/** The two files of a Hugging Face tokenizer folder, as JSON documents. */
export interface VlmTokenizerFiles {
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
}

/**
 * Fits the text BPE on `corpus` with fast-tokenizer's trainer, then extends the vocabulary as RoboAlign
 * does: special chat and image tokens and the reasoning tags first, then `<ACTION_START>`, `<ACTION_END>`
 * and one `<FAST_i>` per FAST id (fast-tokenizer's added-token mapping).
 */
export function trainVlmTokenizer(
  corpus: Iterable<string>,
  options: TrainVlmTokenizerOptions,
): VlmTokenizerFiles {
  const special = [...Object.values(SPECIAL_TOKENS), ...REASONING_TOKENS];
  if (options.textVocabSize < special.length + 256) {
    throw new VlmError(
      `textVocabSize ${options.textVocabSize} cannot hold ${special.length} special tokens and the 256 byte tokens`,
    );
  }
  const mapping = addedTokenActionMapping({
    baseVocabSize: options.textVocabSize,
    fastVocabSize: options.fastVocabSize,
  });
  const actionTokens: AddedToken[] = mapping.addedTokens.map((content, i) => ({
    id: options.textVocabSize + i,
    content,
    special: true,
  }));
  const bpe = trainByteLevelBpe(corpus, {
    vocabSize: options.textVocabSize,
    minFrequency: options.minFrequency ?? 2,
    specialTokens: special,
    addedTokens: actionTokens,
  });
  const tokenizer = bpe.toTokenizerJson() as unknown as Record<string, unknown>;
  // Reasoning tags are not special: decoding with skip_special_tokens keeps them, as Qwen3 does.
  for (const t of tokenizer.added_tokens as Array<{ content: string; special: boolean }>)
    if ((REASONING_TOKENS as readonly string[]).includes(t.content)) t.special = false;
  const addedTokensDecoder: Record<string, unknown> = {};
  for (const t of tokenizer.added_tokens as Array<{ id: number; content: string; special: boolean }>) {
    addedTokensDecoder[String(t.id)] = {
      content: t.content,
      lstrip: false,
      normalized: false,
      rstrip: false,
      single_word: false,
      special: t.special,
    };
  }
  const config = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: options.maxLength,
    bos_token: null,
    eos_token: SPECIAL_TOKENS.imEnd,
    pad_token: SPECIAL_TOKENS.pad,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: addedTokensDecoder,
    chat_template: chatTemplate(options.imageTokens),
    // Read by this package only; other loaders ignore unknown keys.
    roboalign: {
      imageTokens: options.imageTokens,
      textVocabSize: options.textVocabSize,
      fastVocabSize: options.fastVocabSize,
    },
  };
  return { tokenizer, config };
}

/** Writes `tokenizer.json` and `tokenizer_config.json` into `dir` (atomically each). */
export async function saveVlmTokenizer(dir: string, files: VlmTokenizerFiles): Promise<void> {
  const text = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  await writeFileAtomic(join(dir, 'tokenizer.json'), text(files.tokenizer));
  await writeFileAtomic(join(dir, 'tokenizer_config.json'), text(files.config));
}
