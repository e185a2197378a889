import { checkIds, RewardError } from './errors.js';

/** Length of the common prefix of two id sequences. */
export function commonPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * RoboAlign's action accuracy: the length of the common prefix of the generated and target FAST ids,
 * divided by the target length. Edge cases, which the paper leaves open:
 * - an empty target throws (there is nothing to score against);
 * - a generation longer than the target scores at most 1 (extra ids are not penalized);
 * - a wrong first id scores 0, as does an empty generation;
 * - ids must be integers (anything else throws, naming the position).
 *
 * @example
 * prefixSimilarity([5, 9, 2, 7], [5, 9, 3, 7]); // 0.5
 * prefixSimilarity([5, 9, 3, 7, 8], [5, 9, 3, 7]); // 1
 */
export function prefixSimilarity(generated: ArrayLike<number>, target: ArrayLike<number>): number {
  checkIds(generated, 'generated ids');
  checkIds(target, 'target ids');
  if (target.length === 0) throw new RewardError('target ids are empty: prefix similarity is undefined');
  return commonPrefixLength(generated, target) / target.length;
}
