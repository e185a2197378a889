import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@roboalign/utils';
import { rowTexts } from './chat-rows.js';
import { readDataset } from './dataset-files.js';
import type { DatasetManifest } from './types.js';

/** The corpus file name in the output folder. */
export const TEXT_CORPUS_FILE = 'text-corpus.txt';

/** Action spans and reasoning tags are added tokens of the VLM's tokenizer, not text for its BPE. */
const NOT_TEXT = /<ACTION_START>(?:<FAST_\d+>)*<ACTION_END>|<\/?think>|<\/?answer>/g;

/** The BPE-relevant text of one question or answer: action tokens and tags removed, one line. */
export function corpusText(text: string): string {
  return text.replace(NOT_TEXT, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Writes every question and answer of the datasets, one per line (empty ones skipped), to
 * `<out>/text-corpus.txt`, for fitting the VLM's text BPE (`trainVlmTokenizer(readTextCorpus(…), …)`).
 * Pass the training datasets only, so held-out text stays unseen.
 */
export async function writeTextCorpus(out: string, manifests: readonly DatasetManifest[]): Promise<string> {
  const lines: string[] = [];
  for (const manifest of manifests) {
    const { rows } = await readDataset(out, manifest);
    for (const row of rows)
      for (const text of rowTexts(row)) {
        const clean = corpusText(text);
        if (clean !== '') lines.push(clean);
      }
  }
  const path = join(out, TEXT_CORPUS_FILE);
  await writeFileAtomic(path, lines.map((l) => `${l}\n`).join(''));
  return path;
}

/** The lines of a corpus file written by {@link writeTextCorpus}. */
export async function readTextCorpus(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}
