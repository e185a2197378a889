/**
 * Loss mask of a sampled completion: 1 up to and including the first `eosId`, 0 after it
 * (the end token is trained on; what a padded batch holds after it is not).
 *
 * @example
 * completionMask([5, 9, 2, 0, 0], 2); // Float64Array [1, 1, 1, 0, 0]
 */
export function completionMask(ids: ArrayLike<number>, eosId: number): Float64Array {
  const mask = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    mask[i] = 1;
    if (ids[i] === eosId) break;
  }
  return mask;
}
