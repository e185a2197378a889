import { type BpeTrainerOptions, countWords, trainBpe } from './bpe-trainer.js';
import { BYTE_TO_CHAR, byteLevelAlphabet } from './byte-alphabet.js';
import { type AddedToken, ByteLevelBpe } from './byte-level-bpe.js';
import { preTokenize } from './pretokenize.js';

/** Options of {@link trainByteLevelBpe}. */
export interface ByteLevelBpeTrainOptions
  extends Pick<
    BpeTrainerOptions,
    'vocabSize' | 'minFrequency' | 'specialTokens' | 'maxTokenLength' | 'onProgress'
  > {
  /**
   * Tokens matched before the BPE runs (`added_tokens` of `tokenizer.json`). Special tokens given to the
   * trainer are added here too (as special), so text containing them encodes to their ids.
   */
  addedTokens?: readonly AddedToken[];
}

const utf8 = new TextEncoder();

/**
 * Fits a GPT-2-style byte-level BPE on text, as Hugging Face `tokenizers`' `ByteLevelBPETokenizer.train`
 * with the full 256-byte alphabet: the GPT-2 split, byte-level mapping, then the Rust trainer's merges.
 */
export function trainByteLevelBpe(texts: Iterable<string>, options: ByteLevelBpeTrainOptions): ByteLevelBpe {
  const words = new Map<string, number>();
  for (const text of texts) {
    const pieces = preTokenize(text).map((piece) => {
      let out = '';
      for (const byte of utf8.encode(piece)) out += BYTE_TO_CHAR[byte];
      return out;
    });
    countWords(pieces, words);
  }
  const special = options.specialTokens ?? [];
  const { vocab, merges } = trainBpe(words, {
    vocabSize: options.vocabSize,
    minFrequency: options.minFrequency,
    specialTokens: special,
    maxTokenLength: options.maxTokenLength,
    initialAlphabet: byteLevelAlphabet(),
    onProgress: options.onProgress,
  });
  const added: AddedToken[] = special.map((content) => ({ id: vocab.get(content)!, content, special: true }));
  for (const t of options.addedTokens ?? []) if (!special.includes(t.content)) added.push(t);
  return ByteLevelBpe.fromVocabAndMerges(vocab, merges, added);
}
