import { DatasetError } from './errors.js';

/** A row-major `[steps, dim]` array of actions; a chunk has the array type of its episode. */
export type ActionArray = Float32Array | Float64Array;

/**
 * What happens at the end of an episode:
 * - `'none'`: only windows that fit inside the episode (starts `0, stride, …` while `start + horizon <= length`);
 * - `'repeat-last'`: a window at every start `0, stride, … < length`, the rows past the end repeating the
 *   last action (a robot that holds still once the demonstration is over).
 */
export type ChunkPadding = 'none' | 'repeat-last';

/** How {@link chunkEpisode} cuts an episode into windows. */
export interface ChunkOptions {
  /** Steps per chunk. */
  readonly horizon: number;
  /** Steps between the starts of consecutive chunks; default 1 (every step). `horizon` gives non-overlapping chunks. */
  readonly stride?: number;
  /** Default `'none'`. */
  readonly pad?: ChunkPadding;
}

function positiveInteger(name: string, value: number, where: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new DatasetError(`${where}: ${name} must be an integer >= 1, got ${value}`);
}

/**
 * Cuts one episode's row-major `[length, dim]` actions into sliding `[horizon, dim]` windows, each a new array
 * of the episode's type (Float32Array or Float64Array). `where` names the episode in errors.
 */
export function chunkEpisode<T extends ActionArray>(
  actions: T,
  length: number,
  dim: number,
  options: ChunkOptions,
  where = 'chunkEpisode',
): T[] {
  const { horizon, stride = 1, pad = 'none' } = options;
  positiveInteger('horizon', horizon, where);
  positiveInteger('stride', stride, where);
  positiveInteger('dim', dim, where);
  if (!Number.isInteger(length) || length < 0)
    throw new DatasetError(`${where}: length must be an integer >= 0, got ${length}`);
  if (actions.length !== length * dim) {
    throw new DatasetError(`${where}: expected [${length}, ${dim}] actions, got ${actions.length} values`);
  }
  const chunks: T[] = [];
  const lastStart = pad === 'none' ? length - horizon : length - 1;
  for (let start = 0; start <= lastStart; start += stride) {
    chunks.push(
      start + horizon <= length
        ? (actions.slice(start * dim, (start + horizon) * dim) as T)
        : paddedWindow(actions, start, length, horizon, dim),
    );
  }
  return chunks;
}

/** The window `[start, start + horizon)` of an episode of `length` steps, the rows past its end copies of the last. */
function paddedWindow<T extends ActionArray>(
  actions: T,
  start: number,
  length: number,
  horizon: number,
  dim: number,
): T {
  const window = (
    actions instanceof Float32Array ? new Float32Array(horizon * dim) : new Float64Array(horizon * dim)
  ) as T;
  for (let h = 0; h < horizon; h++) {
    const source = Math.min(start + h, length - 1);
    window.set(actions.subarray(source * dim, (source + 1) * dim), h * dim);
  }
  return window;
}

/**
 * {@link chunkEpisode} over several episodes, each a row-major `[steps, dim]` array (its length is
 * `array.length / dim`); the chunks of episode 0 come first, then those of episode 1, and so on.
 */
export function chunkEpisodes<T extends ActionArray>(
  episodes: readonly T[],
  dim: number,
  options: ChunkOptions,
): T[] {
  positiveInteger('dim', dim, 'chunkEpisodes');
  return episodes.flatMap((actions, e) => {
    const where = `chunkEpisodes: episode ${e}`;
    if (actions.length % dim !== 0)
      throw new DatasetError(`${where}: ${actions.length} values do not divide into rows of ${dim}`);
    return chunkEpisode(actions, actions.length / dim, dim, options, where);
  });
}

/**
 * Which of `dim` action dimensions any of the row-major `[steps, dim]` action arrays moves (a non-zero
 * value). A policy trained on these episodes should leave the others out of its loss and emit 0 there:
 * e.g. a scripted expert that never rolls or pitches the gripper.
 */
export function activeActionDims(actions: readonly ArrayLike<number>[], dim: number): boolean[] {
  positiveInteger('dim', dim, 'activeActionDims');
  const active = new Array<boolean>(dim).fill(false);
  actions.forEach((a, e) => {
    if (a.length % dim !== 0)
      throw new DatasetError(
        `activeActionDims: episode ${e}: ${a.length} values do not divide into rows of ${dim}`,
      );
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) active[i % dim] = true;
  });
  return active;
}
