import { mulberry32, seedFromParts } from '@roboalign/utils';

/**
 * A stand-in for the frozen LM's hidden states: one token per word, each word a fixed pseudo-random vector
 * (seeded by the word), zero-padded to `tokens` with a mask. In RoboAlign these are the hidden states of an
 * intermediate layer of the aligned multimodal LM; the action head reads them the same way.
 */
export function instructionFeatures(
  instruction: string,
  tokens: number,
  dim: number,
): { features: Float32Array; featureMask: Float32Array } {
  const words = instruction.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length > tokens)
    throw new Error(
      `instruction "${instruction}" has ${words.length} words; the head reads at most ${tokens}`,
    );
  const features = new Float32Array(tokens * dim);
  const featureMask = new Float32Array(tokens);
  words.forEach((word, i) => {
    const rng = mulberry32(seedFromParts('word', word));
    for (let d = 0; d < dim; d++) features[i * dim + d] = 2 * rng() - 1;
    featureMask[i] = 1;
  });
  return { features, featureMask };
}
