// Helpers around the Rust `tokenizers` oracle (dev-only).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from 'tokenizers';
import { BYTE_TO_CHAR } from '../../src/bpe/byte-alphabet.js';

const utf8 = new TextEncoder();

/** A pre-tokenizer piece in the byte-level alphabet, as the Rust pre-tokenizer reports pieces. */
export const byteLevel = (piece: string) => Array.from(utf8.encode(piece), (b) => BYTE_TO_CHAR[b]).join('');

/** An untrained byte-level BPE in the layout the Rust library reads; its default trainer fills it. */
const EMPTY_BYTE_LEVEL_BPE = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab: {},
    merges: [],
  },
};

/**
 * Trains the Rust library's default `BpeTrainer` (vocab 30000, min_frequency 0, no initial alphabet) on
 * `lines`, one sequence per line (the Rust file reader keeps each line's "\n"), and returns the saved
 * `tokenizer.json`, parsed, with its path.
 */
export async function rustTrain(dir: string, name: string, lines: readonly string[]) {
  const file = join(dir, `${name}.txt`);
  await writeFile(file, `${lines.join('\n')}\n`);
  const tok = Tokenizer.fromString(JSON.stringify(EMPTY_BYTE_LEVEL_BPE));
  tok.train([file]);
  const path = join(dir, `${name}.json`);
  tok.save(path);
  const json = JSON.parse(await readFile(path, 'utf8'));
  return {
    path,
    json,
    vocab: json.model.vocab as Record<string, number>,
    merges: json.model.merges as Array<[string, string]>,
  };
}
