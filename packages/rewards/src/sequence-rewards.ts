import { checkIds } from './errors.js';

/**
 * 1 when the generated ids equal the target exactly, else 0.
 *
 * @example
 * exactMatch([1, 2, 3], [1, 2, 3]); // 1
 */
export function exactMatch(generated: ArrayLike<number>, target: ArrayLike<number>): number {
  checkIds(generated, 'generated ids');
  checkIds(target, 'target ids');
  if (generated.length !== target.length) return 0;
  for (let i = 0; i < target.length; i++) if (generated[i] !== target[i]) return 0;
  return 1;
}

/** Levenshtein distance between two id sequences (insertions, deletions, substitutions of cost 1). */
export function editDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let prev = new Int32Array(b.length + 1);
  let curr = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitute = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      curr[j] = Math.min(substitute, prev[j] + 1, curr[j - 1] + 1);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length];
}

/**
 * Edit distance divided by the longer length: 0 for identical sequences, 1 for nothing in common.
 * Two empty sequences are at distance 0.
 *
 * @example
 * normalizedEditDistance([1, 2, 3, 4], [1, 2, 4]); // 0.25
 */
export function normalizedEditDistance(generated: ArrayLike<number>, target: ArrayLike<number>): number {
  checkIds(generated, 'generated ids');
  checkIds(target, 'target ids');
  const longest = Math.max(generated.length, target.length);
  return longest === 0 ? 0 : editDistance(generated, target) / longest;
}

/** `1 - normalizedEditDistance`: a reward in [0, 1] that gives partial credit anywhere in the sequence. */
export function editSimilarity(generated: ArrayLike<number>, target: ArrayLike<number>): number {
  return 1 - normalizedEditDistance(generated, target);
}
