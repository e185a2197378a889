import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  saveVlmTokenizer,
  tokensPerImage,
  trainVlmTokenizer,
  VLM_PRESETS,
  Vlm,
  VlmTokenizer,
} from '@roboalign/vlm';

/**
 * A fresh `micro` VLM (seed 3) with a tokenizer fitted on `corpus` (300 text tokens, 16 FAST tokens), in a
 * new temporary folder that the test may write its rows into.
 */
export async function microModel(
  corpus: readonly string[],
  maxLength: number,
  prefix: string,
): Promise<{ dir: string; tokenizer: VlmTokenizer; model: Vlm }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await saveVlmTokenizer(
    join(dir, 'tok'),
    trainVlmTokenizer([...corpus], {
      textVocabSize: 300,
      fastVocabSize: 16,
      imageTokens: tokensPerImage(VLM_PRESETS.micro),
      maxLength,
    }),
  );
  const tokenizer = await VlmTokenizer.load(join(dir, 'tok'));
  return { dir, tokenizer, model: Vlm.create(tokenizer, { architecture: 'micro', maxLength, seed: 3 }) };
}
