import { FastTokenizerError } from './errors.js';

/** A row-major `[horizon, dim]` action chunk: `data[t * dim + d]` is dimension `d` at time step `t`. */
export interface ActionChunk {
  readonly data: ArrayLike<number>;
  readonly horizon: number;
  readonly dim: number;
}

/** What the encoders accept: nested rows (`chunk[t][d]`) or a flat row-major chunk with its shape. */
export type ActionChunkInput = ActionChunk | ReadonlyArray<ArrayLike<number>>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}

/**
 * Validates a chunk and returns it as a flat row-major chunk.
 * Errors name the chunk `index` and the offending position: ragged rows, wrong rank, empty, NaN or Infinity.
 */
export function toActionChunk(input: ActionChunkInput, index?: number): ActionChunk {
  if (input === null || typeof input !== 'object') {
    throw new FastTokenizerError(`expected a [T, D] array of numbers, got ${describe(input)}`, index);
  }
  let chunk: ActionChunk;
  if ('data' in input && 'horizon' in input && 'dim' in input && !Array.isArray(input)) {
    const { data, horizon, dim } = input as ActionChunk;
    if (!Number.isInteger(horizon) || horizon < 1 || !Number.isInteger(dim) || dim < 1) {
      throw new FastTokenizerError(
        `horizon and dim must be positive integers, got [${horizon}, ${dim}]`,
        index,
      );
    }
    if (data.length !== horizon * dim) {
      throw new FastTokenizerError(
        `data has ${data.length} values but shape [${horizon}, ${dim}] needs ${horizon * dim}`,
        index,
      );
    }
    chunk = { data, horizon, dim };
  } else {
    const rows = input as ReadonlyArray<ArrayLike<number>>;
    if (!Array.isArray(rows)) {
      throw new FastTokenizerError(`expected a [T, D] array of numbers, got ${describe(input)}`, index);
    }
    if (rows.length === 0) throw new FastTokenizerError('empty chunk: it has no time steps', index);
    const first = rows[0];
    if (first === null || typeof first !== 'object' || typeof first.length !== 'number') {
      throw new FastTokenizerError(`expected rank 2 ([T, D]); row 0 is ${describe(first)}`, index);
    }
    const dim = first.length;
    if (dim === 0) throw new FastTokenizerError('empty chunk: row 0 has no dimensions', index);
    const data = new Float64Array(rows.length * dim);
    for (let t = 0; t < rows.length; t++) {
      const row = rows[t];
      if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
        throw new FastTokenizerError(`expected rank 2 ([T, D]); row ${t} is ${describe(row)}`, index);
      }
      if (row.length !== dim) {
        throw new FastTokenizerError(
          `ragged chunk: row ${t} has ${row.length} values, row 0 has ${dim}`,
          index,
        );
      }
      for (let d = 0; d < dim; d++) {
        const v = row[d];
        if (typeof v !== 'number') {
          throw new FastTokenizerError(`value at [${t}, ${d}] is ${describe(v)}, not a number`, index);
        }
        data[t * dim + d] = v;
      }
    }
    chunk = { data, horizon: rows.length, dim };
  }
  const { data, dim } = chunk;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new FastTokenizerError(
        `value at [${Math.floor(i / dim)}, ${i % dim}] is ${String(v)}; actions must be finite numbers`,
        index,
      );
    }
  }
  return chunk;
}

/** Converts a flat row-major `[horizon, dim]` array back to nested rows. */
export function toRows(data: ArrayLike<number>, horizon: number, dim: number): number[][] {
  const rows: number[][] = [];
  for (let t = 0; t < horizon; t++) rows.push(Array.from({ length: dim }, (_, d) => data[t * dim + d]));
  return rows;
}
