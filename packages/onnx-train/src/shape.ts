import { GraphError } from './errors.js';

/** Number of elements of a shape. */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** NumPy broadcasting of two static shapes; throws naming the op when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new GraphError(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast (axis ${i}: ${da} vs ${db})`,
      );
    }
    out.push(Math.max(da, db));
  }
  return out;
}

/** Normalizes a possibly negative axis against a rank; throws naming the op when out of range. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank)
    throw new GraphError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}
