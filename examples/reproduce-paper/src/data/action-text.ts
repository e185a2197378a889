import { addedTokenActionMapping } from '@roboalign/fast-tokenizer';

/** The added-token texts of a FAST vocabulary size: `<ACTION_START>`, `<ACTION_END>`, `<FAST_0>`, … */
const tokenTexts = new Map<number, readonly string[]>();

function textsFor(fastVocabSize: number): readonly string[] {
  let texts = tokenTexts.get(fastVocabSize);
  if (!texts) {
    // Only the texts matter here; the VLM's tokenizer places the ids after its own base vocabulary.
    texts = addedTokenActionMapping({ baseVocabSize: 0, fastVocabSize }).addedTokens;
    tokenTexts.set(fastVocabSize, texts);
  }
  return texts;
}

/**
 * FAST ids as the VLM writes them, with fast-tokenizer's added-token convention (`addedTokenActionMapping`):
 * `<ACTION_START><FAST_12><FAST_7>…<ACTION_END>`.
 */
export function actionTokensText(fastIds: ArrayLike<number>, fastVocabSize: number): string {
  const texts = textsFor(fastVocabSize);
  let out = texts[0];
  for (let i = 0; i < fastIds.length; i++) {
    const id = fastIds[i];
    if (!Number.isInteger(id) || id < 0 || id >= fastVocabSize)
      throw new RangeError(`FAST id ${id} at position ${i} is outside [0, ${fastVocabSize})`);
    out += texts[2 + id];
  }
  return out + texts[1];
}

const SPAN = /<ACTION_START>((?:<FAST_\d+>)*)<ACTION_END>/;

/** The FAST ids of the first `<ACTION_START>…<ACTION_END>` span of a text, or null when there is none. */
export function parseActionTokens(text: string): number[] | null {
  const span = SPAN.exec(text);
  if (!span) return null;
  return [...span[1].matchAll(/<FAST_(\d+)>/g)].map((m) => Number(m[1]));
}
