/** Thrown for input a reward cannot score: mismatched batches, non-integer ids, an empty target, a NaN result. */
export class RewardError extends Error {
  override readonly name = 'RewardError';
}

/** Checks that ids are integers; `what` names them in the error (e.g. `target of sample 3`). */
export function checkIds(ids: ArrayLike<number>, what: string): void {
  if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
    throw new RewardError(
      `${what}: expected an array of token ids, got ${ids === null ? 'null' : typeof ids}`,
    );
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      throw new RewardError(`${what}: id at position ${i} is ${String(id)}, not an integer`);
    }
  }
}
